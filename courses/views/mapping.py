"""The mapping picker: one outcome, the capabilities of its course's framework version to map it to.

Capabilities are grouped by domain and filtered as the lead types; those already mapped are
listed first, each with its emphasis and note to change, and a way to remove it.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from competencies.models import Capability
from competencies.selectors import framework_tree
from courses.bloom import bloom_suggestion
from courses.forms import MappingForm, NewMappingForm, PickerSearchForm
from courses.models import Course, Emphasis, LearningOutcome, OutcomeMapping
from courses.services import mapping as mapping_services
from courses.views.common import course_for_editing, outcome_of


def _matches(capability: dict, words: list[str]) -> bool:
    haystack = " ".join((capability["code"], capability["title"], capability["description"]))
    haystack = haystack.lower()
    return all(word in haystack for word in words)


def _search_text(data) -> str:
    form = PickerSearchForm(data)
    return form.cleaned_data["q"].strip() if form.is_valid() else ""


def picker_context(course: Course, outcome: LearningOutcome, q: str, **extra) -> dict:
    """The course framework's capabilities matching `q`, by domain, each with its mapping if any."""
    mappings = list(
        outcome.mappings.select_related("capability__domain").order_by(
            "capability__domain__position", "capability__position", "capability__code"
        )
    )
    mapped = {mapping.capability.uuid: mapping for mapping in mappings}
    words = q.lower().split()
    domains = []
    shown = 0
    for domain in framework_tree(course.framework)["domains"]:
        capabilities = [item for item in domain["capabilities"] if _matches(item, words)]
        for capability in capabilities:
            capability["mapping"] = mapped.get(capability["id"])
        shown += len(capabilities)
        if capabilities:
            domains.append({**domain, "capabilities": capabilities})
    return {
        "course": course,
        "outcome": outcome,
        "suggestion": bloom_suggestion(outcome.text),
        "mappings": mappings,
        "domains": domains,
        "shown": shown,
        "q": q,
        "emphases": Emphasis.choices,
        **extra,
    }


def _picker_url(course: Course, outcome: LearningOutcome, q: str) -> str:
    url = reverse("courses:mapping_picker", args=[course.uuid, outcome.uuid])
    return f"{url}?{urlencode({'q': q})}" if q else url


def _after_change(request, course, outcome, *, problems=(), done=""):
    """The picker's body again after a change (htmx), or the picker page with a message."""
    q = _search_text(request.POST)
    if not request.htmx:
        for problem in problems:
            messages.error(request, problem)
        if done:
            messages.success(request, done)
        return redirect(_picker_url(course, outcome, q))
    return render(
        request,
        "courses/mapping_picker.html#picker",
        picker_context(course, outcome, q, problems=problems, done=done, announce=True),
    )


def _form_problems(form) -> list[str]:
    return [
        f"{form.fields[field].label}: {problem}"
        for field, field_problems in form.errors.items()
        for problem in field_problems
    ]


def _mapping_done(mapping: OutcomeMapping) -> str:
    return _("%(outcome)s maps to %(code)s: %(emphasis)s.") % {
        "outcome": mapping.outcome.code,
        "code": mapping.capability.code,
        "emphasis": mapping.get_emphasis_display(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def mapping_picker(request, course_uuid, outcome_uuid):
    course = course_for_editing(request, course_uuid)
    outcome = outcome_of(course, outcome_uuid)
    if request.method == "GET":
        q = _search_text(request.GET)
        # The live search replaces the picker's body; the search box itself stays as typed in.
        template = "courses/mapping_picker.html" + ("#picker" if request.htmx else "")
        return render(request, template, picker_context(course, outcome, q))

    form = NewMappingForm(request.POST)
    if not form.is_valid():
        return _after_change(request, course, outcome, problems=_form_problems(form))
    arguments = dict(form.cleaned_data)
    key = arguments.pop("capability")
    capability = Capability.objects.select_related("framework").filter(uuid=key).first()
    if capability is None:
        problem = _("There is no capability with the identifier %(key)s.") % {"key": key}
        return _after_change(request, course, outcome, problems=[problem])
    try:
        mapping = mapping_services.outcome_map(outcome=outcome, capability=capability, **arguments)
    except ValidationError as error:
        return _after_change(request, course, outcome, problems=error.messages)
    return _after_change(request, course, outcome, done=_mapping_done(mapping))


def _mapping_of(outcome: LearningOutcome, capability_uuid) -> OutcomeMapping:
    mapping = get_object_or_404(
        OutcomeMapping.objects.select_related("capability"),
        outcome=outcome,
        capability__uuid=capability_uuid,
    )
    mapping.outcome = outcome
    return mapping


@login_required
@require_POST
def mapping_change(request, course_uuid, outcome_uuid, capability_uuid):
    course = course_for_editing(request, course_uuid)
    outcome = outcome_of(course, outcome_uuid)
    mapping = _mapping_of(outcome, capability_uuid)
    form = MappingForm(request.POST)
    if not form.is_valid():
        return _after_change(request, course, outcome, problems=_form_problems(form))
    try:
        mapping = mapping_services.mapping_update(mapping=mapping, **form.cleaned_data)
    except ValidationError as error:
        return _after_change(request, course, outcome, problems=error.messages)
    return _after_change(request, course, outcome, done=_mapping_done(mapping))


@login_required
@require_POST
def mapping_remove(request, course_uuid, outcome_uuid, capability_uuid):
    course = course_for_editing(request, course_uuid)
    outcome = outcome_of(course, outcome_uuid)
    mapping = _mapping_of(outcome, capability_uuid)
    mapping_services.mapping_delete(mapping=mapping)
    done = _("%(outcome)s no longer maps to %(code)s.") % {
        "outcome": outcome.code,
        "code": mapping.capability.code,
    }
    return _after_change(request, course, outcome, done=done)
