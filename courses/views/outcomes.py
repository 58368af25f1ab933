"""A course's learning outcomes on its page: add, edit in place, reorder and delete (htmx)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from competencies.forms import RevisionForm
from courses.bloom import bloom_suggestion
from courses.forms import OutcomeEditForm, OutcomeForm
from courses.models import Course, LearningOutcome, OutcomeMapping
from courses.permissions import can_edit_course
from courses.services import outcomes as outcome_services
from courses.views.common import (
    add_service_errors,
    course_for_editing,
    outcome_of,
)
from eisen.errors import StaleEdit

NEW_OUTCOME_PREFIX = "new-outcome"
MOVES = {"up": -1, "down": 1}


def _with_mappings(outcomes):
    return outcomes.order_by("position").prefetch_related(
        Prefetch(
            "mappings",
            queryset=OutcomeMapping.objects.select_related("capability__domain").order_by(
                "capability__domain__position", "capability__position", "capability__code"
            ),
        )
    )


def _with_suggestions(outcomes: list[LearningOutcome]) -> list[LearningOutcome]:
    for outcome in outcomes:
        outcome.suggestion = bloom_suggestion(outcome.text)
    return outcomes


def outcomes_context(request, course: Course, **extra) -> dict:
    """The course page's outcomes, each with its mappings and its Bloom suggestion."""
    return {
        "course": course,
        "outcomes": _with_suggestions(list(_with_mappings(course.outcomes.all()))),
        "can_edit": can_edit_course(request.user, course),
        "outcome_form": OutcomeForm(prefix=NEW_OUTCOME_PREFIX),
        **extra,
    }


def _outcomes_response(
    request, course: Course, *, problems=(), outcome_form=None, adding: bool = False
):
    """The outcomes section again after a change, or the course page when htmx is not at work."""
    if not request.htmx:
        for problem in problems:
            messages.error(request, problem)
        if outcome_form is not None:
            for field_errors in outcome_form.errors.values():
                for problem in field_errors:
                    messages.error(request, problem)
        return redirect(f"{course.get_absolute_url()}#outcomes")
    # After an outcome is added, the form stays open for the next one.
    extra = {"problems": problems, "adding": adding}
    if outcome_form is not None:
        extra["outcome_form"] = outcome_form
    return render(
        request, "courses/course_detail.html#outcomes", outcomes_context(request, course, **extra)
    )


def _row_response(request, course: Course, outcome: LearningOutcome):
    if not request.htmx:
        return redirect(f"{course.get_absolute_url()}#outcome-{outcome.uuid}")
    outcome = _with_suggestions(list(_with_mappings(course.outcomes.filter(pk=outcome.pk))))[0]
    return render(
        request,
        "courses/course_detail.html#outcome",
        {"course": course, "outcome": outcome, "can_edit": True},
    )


@login_required
@require_POST
def outcome_add(request, course_uuid):
    course = course_for_editing(request, course_uuid)
    form = OutcomeForm(request.POST, prefix=NEW_OUTCOME_PREFIX)
    if form.is_valid():
        try:
            outcome_services.outcome_create(course=course, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _outcomes_response(request, course, adding=True)
    return _outcomes_response(request, course, outcome_form=form)


@login_required
@require_GET
def outcome_row(request, course_uuid, outcome_uuid):
    """One outcome as the course page shows it: where "Cancel" of an in-place edit goes back to."""
    course = course_for_editing(request, course_uuid)
    return _row_response(request, course, outcome_of(course, outcome_uuid))


def _edit_form(outcome: LearningOutcome, *args, **kwargs) -> OutcomeEditForm:
    # Ids of its own: several outcomes can be open for editing on the course page at once.
    return OutcomeEditForm(*args, auto_id=f"edit-{outcome.uuid}-%s", **kwargs)


@login_required
@require_http_methods(["GET", "POST"])
def outcome_edit(request, course_uuid, outcome_uuid):
    course = course_for_editing(request, course_uuid)
    outcome = outcome_of(course, outcome_uuid)
    template = "courses/outcome_edit.html" + ("#form" if request.htmx else "")
    if request.method == "GET":
        form = _edit_form(outcome, initial=OutcomeForm.initial_for(outcome))
        return render(request, template, {"course": course, "outcome": outcome, "form": form})

    form = _edit_form(outcome, request.POST)
    conflict = None
    if form.is_valid():
        changes = dict(form.cleaned_data)
        revision = changes.pop("revision")
        try:
            outcome = outcome_services.outcome_update(
                outcome=outcome, expected_revision=revision, **changes
            )
        except StaleEdit as stale:
            # What this person typed stays in the form; the other person's text is shown beside
            # it. Saving again (against the current revision) is a deliberate overwrite.
            conflict = stale.current
            data = request.POST.copy()
            data["revision"] = stale.current.revision
            form = _edit_form(outcome, data)
            form.is_valid()
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _row_response(request, course, outcome)
    return render(
        request,
        template,
        {"course": course, "outcome": outcome, "form": form, "conflict": conflict},
        status=409 if conflict else 200,
    )


@login_required
@require_POST
def outcome_delete(request, course_uuid, outcome_uuid):
    course = course_for_editing(request, course_uuid)
    outcome = outcome_of(course, outcome_uuid)
    form = RevisionForm(request.POST)
    problems = []
    try:
        outcome_services.outcome_delete(
            outcome=outcome,
            expected_revision=form.cleaned_data["revision"] if form.is_valid() else None,
        )
    except StaleEdit as stale:
        problems.append(
            _(
                "Someone else changed %(code)s while you were looking at it; it was not "
                "deleted. It now reads: “%(text)s”."
            )
            % {"code": stale.current.code, "text": stale.current.text}
        )
    return _outcomes_response(request, course, problems=problems)


@login_required
@require_POST
def outcome_move(request, course_uuid, outcome_uuid, direction):
    if direction not in MOVES:
        raise Http404(_("Outcomes move up or down."))
    course = course_for_editing(request, course_uuid)
    outcome = outcome_of(course, outcome_uuid)
    problems = []
    try:
        outcome_services.outcome_move(outcome=outcome, offset=MOVES[direction])
    except ValidationError as error:
        problems = error.messages
    return _outcomes_response(request, course, problems=problems)
