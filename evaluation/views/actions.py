"""A mechanism's page with its verdicts per phase, and the formative action log."""

from dataclasses import dataclass, field
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from competencies.forms import RevisionForm
from courses.models import Course
from courses.views.common import add_service_errors
from eisen.errors import StaleEdit
from evaluation.forms.logic import (
    ActionFilterForm,
    AssessmentForm,
    FormativeActionEditForm,
    FormativeActionForm,
    NewFormativeActionForm,
)
from evaluation.models import FormativeAction, Mechanism, MechanismAssessment, Phase
from evaluation.selectors.logic import (
    ExcerptRow,
    action_log_rows,
    course_source_excerpts,
    formative_actions,
    mechanism_assessments,
    mechanism_evidence_rows,
)
from evaluation.services import actions as action_services
from evaluation.views.common import evaluator_required

MECHANISM = "evaluation/logic/mechanism_detail.html"
ACTION_FORM = "evaluation/logic/action_form.html"


@dataclass
class PhaseCard:
    """One phase's assessment as the mechanism page shows it, or its form when editing."""

    phase: str
    label: str
    assessment: MechanismAssessment | None
    cited: list[ExcerptRow] = field(default_factory=list)
    # Cited once, but no longer evidence (a link or a code was removed since).
    no_longer_evidence: int = 0
    form: AssessmentForm | None = None
    conflict: MechanismAssessment | None = None


def _mechanism(mechanism_uuid) -> Mechanism:
    return get_object_or_404(Mechanism.objects.select_related("logic_model"), uuid=mechanism_uuid)


def _phase(phase: str) -> str:
    if phase not in Phase.values:
        raise Http404(_("The phases are formative and summative."))
    return phase


def _card(phase: str, assessment, evidence: list[ExcerptRow]) -> PhaseCard:
    card = PhaseCard(phase=phase, label=str(Phase(phase).label), assessment=assessment)
    if assessment is not None:
        card.cited = [row for row in evidence if row.excerpt.pk in assessment.evidence_ids]
        card.no_longer_evidence = len(assessment.evidence_ids) - len(card.cited)
    return card


def _assessment_form(phase: str, *args, **kwargs) -> AssessmentForm:
    # Both phases' forms can be open on the page at once.
    return AssessmentForm(*args, prefix=phase, **kwargs)


def _initial(assessment: MechanismAssessment | None, evidence: list[ExcerptRow]) -> dict:
    if assessment is None:
        return {}
    return {
        "verdict": assessment.verdict,
        "reflection": assessment.reflection,
        "evidence": [row.uuid for row in evidence if row.excerpt.pk in assessment.evidence_ids],
        "revision": assessment.revision,
    }


@evaluator_required
@require_GET
def mechanism_detail(request, mechanism_uuid):
    mechanism = _mechanism(mechanism_uuid)
    evidence = mechanism_evidence_rows(mechanism)
    assessments = mechanism_assessments(mechanism)
    cards = [_card(phase, assessments[phase], evidence) for phase in Phase.values]
    return render(
        request, MECHANISM, {"mechanism": mechanism, "cards": cards, "evidence": evidence}
    )


def _phase_response(request, mechanism: Mechanism, card: PhaseCard, evidence, *, status=200):
    return render(
        request,
        f"{MECHANISM}#phase",
        {"mechanism": mechanism, "card": card, "evidence": evidence},
        status=status,
    )


@evaluator_required
@require_GET
def assessment_card(request, mechanism_uuid, phase):
    """One phase's assessment as the page shows it: where "Cancel" of its form goes back to."""
    mechanism = _mechanism(mechanism_uuid)
    phase = _phase(phase)
    if not request.htmx:
        return redirect(_phase_anchor(mechanism, phase))
    evidence = mechanism_evidence_rows(mechanism)
    return _phase_response(
        request,
        mechanism,
        _card(phase, mechanism_assessments(mechanism)[phase], evidence),
        evidence,
    )


def _phase_anchor(mechanism: Mechanism, phase: str) -> str:
    return f"{reverse('evaluation:mechanism_detail', args=[mechanism.uuid])}#phase-{phase}"


@evaluator_required
@require_http_methods(["GET", "POST"])
def mechanism_assess(request, mechanism_uuid, phase):
    mechanism = _mechanism(mechanism_uuid)
    phase = _phase(phase)
    evidence = mechanism_evidence_rows(mechanism)
    assessments = mechanism_assessments(mechanism)
    card = _card(phase, assessments[phase], evidence)
    status = 200
    if request.method == "GET":
        card.form = _assessment_form(phase, initial=_initial(card.assessment, evidence))
    else:
        card.form = _assessment_form(phase, request.POST)
        if card.form.is_valid():
            try:
                action_services.mechanism_assess(
                    mechanism=mechanism,
                    phase=phase,
                    verdict=card.form.cleaned_data["verdict"],
                    reflection=card.form.cleaned_data["reflection"],
                    evidence=card.form.cleaned_data["evidence"],
                    assessed_by=request.user,
                    expected_revision=card.form.cleaned_data["revision"],
                )
            except StaleEdit as stale:
                # What this evaluator chose stays in the form; the other verdict is shown beside it.
                card.conflict = stale.current
                data = request.POST.copy()
                data[card.form.add_prefix("revision")] = stale.current.revision
                card.form = _assessment_form(phase, data)
                card.form.is_valid()
                status = 409
            except ValidationError as error:
                add_service_errors(card.form, error)
            else:
                if not request.htmx:
                    return redirect(_phase_anchor(mechanism, phase))
                saved = mechanism_assessments(mechanism)[phase]
                return _phase_response(request, mechanism, _card(phase, saved, evidence), evidence)
    if request.htmx:
        return _phase_response(request, mechanism, card, evidence, status=status)
    cards = [
        card if other == phase else _card(other, assessments[other], evidence)
        for other in Phase.values
    ]
    return render(
        request,
        MECHANISM,
        {"mechanism": mechanism, "cards": cards, "evidence": evidence},
        status=status,
    )


# The formative action log


@evaluator_required
@require_GET
def action_log(request):
    filters = ActionFilterForm(request.GET or None)
    chosen = filters.filters()
    actions = action_log_rows(formative_actions(**chosen))
    return render(
        request,
        "evaluation/logic/action_log.html",
        {"filters": filters, "actions": actions, "course": chosen["course"]},
    )


def _action_context(form, course: Course | None, **extra) -> dict:
    sources = course_source_excerpts(course) if course is not None else []
    return {"form": form, "course": course, "sources": sources, **extra}


def _course_of(value: str) -> Course | None:
    try:
        return Course.objects.filter(uuid=UUID(value)).first()
    except ValueError:
        return None


def _log_url(course: Course) -> str:
    return f"{reverse('evaluation:action_log')}?course={course.uuid}"


@evaluator_required
@require_http_methods(["GET", "POST"])
def action_create(request):
    if request.method == "GET":
        course = _course_of(request.GET.get("course", ""))
        form = NewFormativeActionForm(initial={"course": course.uuid if course else None})
        if request.htmx:
            # The course was changed in the form: only the list of its excerpts is sent back.
            return render(request, f"{ACTION_FORM}#sources", _action_context(form, course))
        return render(request, ACTION_FORM, _action_context(form, course))

    form = NewFormativeActionForm(request.POST)
    if form.is_valid():
        fields = dict(form.cleaned_data)
        course = fields.pop("course")
        try:
            action_services.formative_action_create(
                course=course, created_by=request.user, **fields
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The finding was added to the action log."))
            return redirect(_log_url(course))
    return render(request, ACTION_FORM, _action_context(form, form.cleaned_data.get("course")))


def _action(action_id: int) -> FormativeAction:
    return get_object_or_404(
        FormativeAction.objects.select_related("course", "mechanism"), pk=action_id
    )


@evaluator_required
@require_http_methods(["GET", "POST"])
def action_edit(request, action_id):
    action = _action(action_id)
    if request.method == "GET":
        form = FormativeActionEditForm(initial=FormativeActionForm.initial_for(action))
        return render(request, ACTION_FORM, _action_context(form, action.course, action=action))

    form = FormativeActionEditForm(request.POST)
    conflict = None
    if form.is_valid():
        changes = dict(form.cleaned_data)
        revision = changes.pop("revision")
        try:
            action_services.formative_action_update(
                action=action, expected_revision=revision, **changes
            )
        except StaleEdit as stale:
            conflict = stale.current
            data = request.POST.copy()
            data["revision"] = stale.current.revision
            form = FormativeActionEditForm(data)
            form.is_valid()
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The action log entry was saved."))
            return redirect(_log_url(action.course))
    return render(
        request,
        ACTION_FORM,
        _action_context(form, action.course, action=action, conflict=conflict),
        status=409 if conflict else 200,
    )


@evaluator_required
@require_POST
def action_delete(request, action_id):
    action = _action(action_id)
    form = RevisionForm(request.POST)
    try:
        action_services.formative_action_delete(
            action=action,
            expected_revision=form.cleaned_data["revision"] if form.is_valid() else None,
        )
    except StaleEdit:
        messages.error(
            request,
            _("Someone else changed this entry while you were looking at it; it was not deleted."),
        )
    else:
        messages.success(request, _("The action log entry was deleted."))
    return redirect(_log_url(action.course))
