"""Mapping learning outcomes to the capabilities of the course's framework version."""

from dataclasses import dataclass, replace
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from competencies.models import Capability
from courses.models import (
    Course,
    Emphasis,
    LearningOutcome,
    OutcomeMapping,
    academic_year_label,
    capability_framework_error,
)
from eisen.errors import Conflict

# A click in the grid moves a cell one step along this cycle.
EMPHASIS_CYCLE = ["", Emphasis.INTRODUCED, Emphasis.REINFORCED, Emphasis.MASTERED]


def next_emphasis(emphasis: str) -> str:
    return EMPHASIS_CYCLE[(EMPHASIS_CYCLE.index(emphasis or "") + 1) % len(EMPHASIS_CYCLE)]


def _emphasis_error(emphasis) -> str | None:
    if emphasis in Emphasis.values:
        return None
    return _(
        "“%(value)s” is not an emphasis: use I (Introduced), R (Reinforced) or M (Mastered)."
    ) % {"value": emphasis}


@transaction.atomic
def outcome_map(
    *, outcome: LearningOutcome, capability: Capability, emphasis: str, note: str = ""
) -> OutcomeMapping:
    """Map the outcome to one more capability.

    The course is locked first, as the bulk edits lock it, so that the same mapping asked for
    twice at once (two leads, a double click) is refused as a duplicate rather than failing on
    the unique constraint.
    """
    course = Course.objects.select_for_update().get(pk=outcome.course_id)
    errors = {}
    if problem := capability_framework_error(course, capability):
        errors["capability"] = problem
    elif OutcomeMapping.objects.filter(outcome=outcome, capability=capability).exists():
        errors["capability"] = _(
            "%(outcome)s already maps to %(code)s; change that mapping's emphasis instead."
        ) % {"outcome": outcome.code, "code": capability.code}
    if problem := _emphasis_error(emphasis):
        errors["emphasis"] = problem
    if errors:
        raise ValidationError(errors)
    mapping = OutcomeMapping(outcome=outcome, capability=capability, emphasis=emphasis, note=note)
    mapping.save()
    return mapping


@transaction.atomic
def mapping_update(
    *, mapping: OutcomeMapping, emphasis: str | None = None, note: str | None = None
) -> OutcomeMapping:
    if emphasis is not None:
        if problem := _emphasis_error(emphasis):
            raise ValidationError({"emphasis": problem})
        mapping.emphasis = emphasis
    if note is not None:
        mapping.note = note
    mapping.save()
    return mapping


def mapping_delete(*, mapping: OutcomeMapping) -> None:
    mapping.delete()


@dataclass(frozen=True)
class GridChange:
    """One cell of the grid of outcomes by capabilities: set it to `emphasis` ("" clears it).

    `expected` is the emphasis the user saw ("" for an empty cell, None not to check): a cell
    someone else changed in between is not overwritten.
    """

    outcome: str
    capability: str
    emphasis: str
    expected: str | None = None


@transaction.atomic
def mappings_bulk_save(*, course: Course, changes: list[GridChange]) -> list[OutcomeMapping]:
    """Apply many grid changes at once: all of them, or none when any is refused.

    Returns the mappings that exist afterwards for the cells that were changed.
    """
    # Locking the course serialises grid saves of one course, so two saves of the same cell
    # cannot both pass the `expected` check.
    Course.objects.select_for_update().get(pk=course.pk)
    # Cells are keyed by canonical uuid text, whether the caller gave UUIDs or text in any case.
    changes = [
        replace(change, outcome=_uuid_key(change.outcome), capability=_uuid_key(change.capability))
        for change in changes
    ]
    outcomes = {str(item.uuid): item for item in course.outcomes.all()}
    capability_keys = {change.capability for change in changes}
    capabilities = {
        str(item.uuid): item
        for item in Capability.objects.filter(
            uuid__in=_valid_uuids(capability_keys)
        ).select_related("framework")
    }
    existing = {
        (str(item.outcome.uuid), str(item.capability.uuid)): item
        for item in OutcomeMapping.objects.filter(outcome__course=course).select_related(
            "outcome", "capability"
        )
    }

    errors, stale = [], []
    seen = set()
    for number, change in enumerate(changes, start=1):
        where = _("Change %(number)s (%(outcome)s, %(capability)s)") % {
            "number": number,
            "outcome": outcomes[change.outcome].code if change.outcome in outcomes else "?",
            "capability": capabilities[change.capability].code
            if change.capability in capabilities
            else "?",
        }
        cell = (change.outcome, change.capability)
        problems = []
        if change.outcome not in outcomes:
            problems.append(
                _("%(course)s has no outcome %(outcome)s.")
                % {"course": course.code, "outcome": change.outcome}
            )
        if change.capability not in capabilities:
            problems.append(_("There is no capability %s.") % change.capability)
        elif problem := capability_framework_error(course, capabilities[change.capability]):
            problems.append(problem)
        if change.emphasis and (problem := _emphasis_error(change.emphasis)):
            problems.append(problem)
        if change.expected and (problem := _emphasis_error(change.expected)):
            problems.append(problem)
        if cell in seen:
            problems.append(_("The same cell is changed twice."))
        seen.add(cell)
        errors.extend(f"{where}: {problem}" for problem in problems)
        current = existing[cell].emphasis if cell in existing else ""
        if not problems and change.expected is not None and change.expected != current:
            stale.append(
                _("%(where)s is now “%(current)s”, not “%(expected)s”.")
                % {
                    "where": where,
                    "current": Emphasis(current).label if current else _("not mapped"),
                    "expected": Emphasis(change.expected).label
                    if change.expected in Emphasis.values
                    else _("not mapped"),
                }
            )
    if errors:
        raise ValidationError(errors)
    if stale:
        raise Conflict(
            _("Someone else changed the grid while you were working: %(cells)s Nothing was saved.")
            % {"cells": " ".join(stale)}
        )

    created, updated, deleted = [], [], []
    for change in changes:
        mapping = existing.get((change.outcome, change.capability))
        if not change.emphasis:
            if mapping:
                deleted.append(mapping.pk)
        elif mapping is None:
            created.append(
                OutcomeMapping(
                    outcome=outcomes[change.outcome],
                    capability=capabilities[change.capability],
                    emphasis=change.emphasis,
                )
            )
        elif mapping.emphasis != change.emphasis:
            mapping.emphasis = change.emphasis
            updated.append(mapping)
    if deleted:
        # QuerySet.delete() still sends the signals that record each deletion in the history.
        OutcomeMapping.objects.filter(pk__in=deleted).delete()
    if updated:
        bulk_update_with_history(updated, OutcomeMapping, ["emphasis"])
    if created:
        bulk_create_with_history(created, OutcomeMapping)
    changed_cells = {(change.outcome, change.capability) for change in changes}
    return [
        mapping
        for mapping in OutcomeMapping.objects.filter(
            outcome__course=course, capability__uuid__in=_valid_uuids(capability_keys)
        ).select_related("outcome", "capability")
        if (str(mapping.outcome.uuid), str(mapping.capability.uuid)) in changed_cells
    ]


def _uuid_key(value) -> str:
    try:
        return str(UUID(str(value)))
    except ValueError:
        return str(value)


def _valid_uuids(values) -> list[str]:
    valid = []
    for value in values:
        try:
            valid.append(str(UUID(str(value))))
        except ValueError:
            continue
    return valid


def capability_outcome_usages(capabilities: list[Capability]) -> dict[int, list[str]]:
    """The outcomes that map to each capability, for the framework editor's delete refusal."""
    usages: dict[int, list[str]] = {}
    rows = (
        OutcomeMapping.objects.filter(capability__in=capabilities)
        .order_by("outcome__course__code", "outcome__course__academic_year", "outcome__position")
        .values_list(
            "capability_id",
            "outcome__code",
            "outcome__course__code",
            "outcome__course__title",
            "outcome__course__academic_year",
        )
    )
    for capability_id, outcome, course, title, year in rows:
        usages.setdefault(capability_id, []).append(
            _("outcome %(outcome)s of %(course)s %(title)s (%(year)s)")
            % {
                "outcome": outcome,
                "course": course,
                "title": title,
                "year": academic_year_label(year),
            }
        )
    return usages
