"""What evaluators conclude and do: verdicts on mechanisms, and the formative action log.

An assessment per mechanism and phase cites only the mechanism's evidence (excerpts counted in
reports, linked to it directly or through a code). A formative action goes from a finding to a
change made to the course to a re-check in the summative phase, each step saying what and when.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from eisen.errors import StaleEdit
from eisen.rows import locked_for_edit
from evaluation.models import Excerpt, FormativeAction, Mechanism, MechanismAssessment
from evaluation.selectors.logic import mechanism_evidence

Status = FormativeAction.Status


class Keep:
    """An update's default: leave the field as it is (None may be a value, e.g. no mechanism)."""

    def __repr__(self):
        return "KEEP"


KEEP = Keep()


def excerpt_label(excerpt: Excerpt) -> str:
    """Names an excerpt without quoting it: its speaker may not allow verbatim quotes."""
    focus_group = excerpt.transcript.focus_group
    return _("excerpt %(uuid)s (%(speaker)s, %(course)s, “%(session)s”)") % {
        "uuid": excerpt.uuid,
        "speaker": excerpt.participant.pseudonym if excerpt.participant else _("no speaker"),
        "course": focus_group.course.code,
        "session": focus_group.title,
    }


def _named(excerpts) -> list[Excerpt]:
    return list(
        Excerpt.objects.filter(pk__in=[excerpt.pk for excerpt in excerpts])
        .select_related("participant", "transcript__focus_group__course")
        .order_by("pk")
    )


def _unique(excerpts) -> list[Excerpt]:
    return list({excerpt.pk: excerpt for excerpt in excerpts}.values())


def _check_evidence(mechanism: Mechanism, excerpts: list[Excerpt]) -> None:
    allowed = set(
        mechanism_evidence(mechanism)
        .filter(pk__in=[excerpt.pk for excerpt in excerpts])
        .values_list("pk", flat=True)
    )
    refused = [excerpt for excerpt in excerpts if excerpt.pk not in allowed]
    if not refused:
        return
    problems = []
    for excerpt in _named(refused):
        if not excerpt.in_analysis:
            problems.append(
                _(
                    "%(excerpt)s is not counted in reports (blind coding not yet agreed); "
                    "cite the agreed excerpt instead."
                )
                % {"excerpt": excerpt_label(excerpt)}
            )
        else:
            problems.append(
                _(
                    "%(excerpt)s is not evidence for “%(mechanism)s”: link it to the mechanism, "
                    "or code it with a code linked to the mechanism, first."
                )
                % {"excerpt": excerpt_label(excerpt), "mechanism": mechanism.name}
            )
    raise ValidationError({"evidence": problems})


@transaction.atomic
def mechanism_assess(
    *,
    mechanism: Mechanism,
    phase: str,
    verdict: str,
    reflection: str,
    evidence,
    assessed_by,
    expected_revision: int | None,
) -> MechanismAssessment:
    """Record or change the verdict on the mechanism after one phase, with the excerpts cited.

    `expected_revision` is the revision of the assessment the evaluator started from, None when
    there was none yet; an assessment saved by someone else meanwhile is a stale edit.
    """
    # The mechanism row is locked so that two first assessments of a phase cannot both pass.
    Mechanism.objects.select_for_update().get(pk=mechanism.pk)
    existing = (
        MechanismAssessment.objects.select_for_update()
        .filter(mechanism=mechanism, phase=phase)
        .first()
    )
    if existing is not None and existing.revision != expected_revision:
        raise StaleEdit(
            _("Someone else saved this mechanism assessment while you were editing it."),
            current=existing,
        )
    evidence = _unique(evidence)
    _check_evidence(mechanism, evidence)
    assessment = existing or MechanismAssessment(mechanism=mechanism, phase=phase)
    assessment.verdict = verdict
    assessment.reflection = reflection.strip()
    assessment.assessed_by = assessed_by
    assessment.full_clean()
    if existing is not None:
        assessment.revision += 1
    assessment.save()
    assessment.evidence.set(evidence)
    return assessment


def _check_sources(action: FormativeAction, excerpts: list[Excerpt]) -> None:
    problems = []
    for excerpt in _named(excerpts):
        if excerpt.transcript.focus_group.course_id != action.course_id:
            problems.append(
                _(
                    "%(excerpt)s is from another course's focus group; a finding of "
                    "%(course)s rests on its own focus groups."
                )
                % {"excerpt": excerpt_label(excerpt), "course": action.course.code}
            )
        elif not excerpt.in_analysis:
            problems.append(
                _(
                    "%(excerpt)s is not counted in reports (blind coding not yet agreed); "
                    "cite the agreed excerpt instead."
                )
                % {"excerpt": excerpt_label(excerpt)}
            )
    if problems:
        raise ValidationError({"source_excerpts": problems})


def _check_steps(action: FormativeAction) -> None:
    """Each status says what was done and when: changed needs the change, rechecked the re-check."""
    errors = {}
    if action.status in (Status.CHANGED, Status.RECHECKED):
        if not action.change_made:
            errors["change_made"] = _(
                "Say what was changed in the course before marking the finding “%(status)s”."
            ) % {"status": Status(action.status).label}
        if action.changed_on is None:
            errors["changed_on"] = _("Give the date the course was changed.")
    if action.status == Status.RECHECKED:
        if not action.recheck:
            errors["recheck"] = _(
                "Say what the summative phase found before marking the finding re-checked."
            )
        if action.rechecked_on is None:
            errors["rechecked_on"] = _("Give the date of the re-check.")
    if action.changed_on and action.rechecked_on and action.rechecked_on < action.changed_on:
        errors["rechecked_on"] = _(
            "The re-check (%(rechecked)s) cannot come before the change (%(changed)s)."
        ) % {"rechecked": action.rechecked_on, "changed": action.changed_on}
    if errors:
        raise ValidationError(errors)


def _save(action: FormativeAction, source_excerpts) -> FormativeAction:
    _check_steps(action)
    action.full_clean()
    if source_excerpts is not KEEP:
        source_excerpts = _unique(source_excerpts)
        _check_sources(action, source_excerpts)
    action.save()
    if source_excerpts is not KEEP:
        action.source_excerpts.set(source_excerpts)
    return action


@transaction.atomic
def formative_action_create(
    *,
    course,
    finding: str,
    created_by,
    mechanism: Mechanism | None = None,
    source_excerpts=(),
    change_made: str = "",
    changed_on: datetime.date | None = None,
    recheck: str = "",
    rechecked_on: datetime.date | None = None,
    status: str = Status.OPEN,
) -> FormativeAction:
    action = FormativeAction(
        course=course,
        finding=finding.strip(),
        mechanism=mechanism,
        change_made=change_made.strip(),
        changed_on=changed_on,
        recheck=recheck.strip(),
        rechecked_on=rechecked_on,
        status=status,
        created_by=created_by,
    )
    return _save(action, source_excerpts)


@transaction.atomic
def formative_action_update(
    *,
    action: FormativeAction,
    expected_revision: int | None,
    finding: str | Keep = KEEP,
    mechanism: Mechanism | Keep | None = KEEP,
    source_excerpts=KEEP,
    change_made: str | Keep = KEEP,
    changed_on: datetime.date | Keep | None = KEEP,
    recheck: str | Keep = KEEP,
    rechecked_on: datetime.date | Keep | None = KEEP,
    status: str | Keep = KEEP,
) -> FormativeAction:
    """Change the given fields; the others keep their values. The course does not change."""
    action = locked_for_edit(FormativeAction, action, expected_revision)
    texts = {"finding": finding, "change_made": change_made, "recheck": recheck}
    for name, value in texts.items():
        if value is not KEEP:
            setattr(action, name, value.strip())
    others = {
        "mechanism": mechanism,
        "changed_on": changed_on,
        "rechecked_on": rechecked_on,
        "status": status,
    }
    for name, value in others.items():
        if value is not KEEP:
            setattr(action, name, value)
    action.revision += 1
    return _save(action, source_excerpts)


@transaction.atomic
def formative_action_delete(*, action: FormativeAction, expected_revision: int | None) -> None:
    locked_for_edit(FormativeAction, action, expected_revision).delete()
