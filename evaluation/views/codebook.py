"""The codebook: its tree of codes, and pages to add, change, move and delete a code."""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from competencies.forms import RevisionForm
from competencies.models import Capability
from courses.views.common import add_service_errors
from eisen.errors import Conflict, StaleEdit
from evaluation.forms.coding import CodeEditForm, CodeMoveForm, NewCodeForm
from evaluation.models import Code
from evaluation.selectors.coding import capabilities_matching, codebook_tree, mechanism_choices
from evaluation.services import codebook as codebook_services
from evaluation.views.common import evaluator_required

MOST_SEARCH_WORDS = 200
LARGEST_IDENTIFIER = 2**63 - 1


def _codebook_url(code: Code | None = None) -> str:
    url = reverse("evaluation:codebook")
    return f"{url}#code-{code.uuid}" if code else url


def _identifiers(keys) -> set[int]:
    """The keys that can name a row (a positive 64-bit number); the others name nothing."""
    return {int(key) for key in keys if key.isdecimal() and int(key) <= LARGEST_IDENTIFIER}


def _linked_capabilities(form) -> list[Capability]:
    return list(
        Capability.objects.filter(pk__in=_identifiers(form.chosen_capabilities))
        .select_related("framework")
        .order_by("framework__title", "code")
    )


def _search(request, form) -> dict:
    """The capability search beside the form: its words and the matches not yet linked."""
    words = request.GET.get("capability_q", "")[:MOST_SEARCH_WORDS].strip()
    linked = _identifiers(form.chosen_capabilities) | _identifiers(
        request.GET.getlist("capabilities")
    )
    found = capabilities_matching(words, leave_out=linked) if words else []
    return {"capability_q": words, "found_capabilities": found}


def _form_context(request, form, **extra) -> dict:
    return {
        "form": form,
        "mechanisms": mechanism_choices(),
        "linked_capabilities": _linked_capabilities(form),
        **_search(request, form),
        **extra,
    }


def _search_results(request, form):
    """Only the search results, when the search box asks (htmx)."""
    return render(
        request, "evaluation/coding/code_form.html#capability_results", _search(request, form)
    )


@evaluator_required
@require_GET
def codebook(request):
    return render(
        request,
        "evaluation/coding/codebook.html",
        {"codes": codebook_tree(), "delete_form": RevisionForm()},
    )


def _tree_response(request, *, problems=(), done=""):
    """The tree again after a change (htmx), or the codebook page with a message."""
    if not request.htmx:
        for problem in problems:
            messages.error(request, problem)
        if done:
            messages.success(request, done)
        return redirect(_codebook_url())
    return render(
        request,
        "evaluation/coding/codebook.html#tree",
        {
            "codes": codebook_tree(),
            "delete_form": RevisionForm(),
            "problems": problems,
            "done": done,
        },
    )


def _parent_asked_for(key: str) -> Code | None:
    try:
        return Code.objects.filter(uuid=UUID(key)).first()
    except ValueError:
        return None


@evaluator_required
@require_http_methods(["GET", "POST"])
def code_new(request):
    if request.method == "GET":
        parent = _parent_asked_for(request.GET.get("parent", ""))
        form = NewCodeForm(initial={"parent": parent, "colour": "#4c6ef5"})
        if request.htmx and "capability_q" in request.GET:
            return _search_results(request, form)
        return render(request, "evaluation/coding/code_form.html", _form_context(request, form))
    form = NewCodeForm(request.POST)
    if form.is_valid():
        try:
            code = codebook_services.code_create(**form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("“%(name)s” is in the codebook.") % {"name": code.name})
            return redirect(_codebook_url(code))
    return render(request, "evaluation/coding/code_form.html", _form_context(request, form))


def _code_of(code_uuid) -> Code:
    return get_object_or_404(Code.objects.select_related("parent"), uuid=code_uuid)


def _edit_context(request, code: Code, form, move_form=None, **extra) -> dict:
    move_form = move_form or CodeMoveForm(
        initial={"parent": code.parent_id, "revision": code.revision}
    )
    return _form_context(request, form, code=code, move_form=move_form, **extra)


@evaluator_required
@require_http_methods(["GET", "POST"])
def code_edit(request, code_uuid):
    code = _code_of(code_uuid)
    if request.method == "GET":
        form = CodeEditForm(initial=CodeEditForm.initial_for(code))
        if request.htmx and "capability_q" in request.GET:
            return _search_results(request, form)
        return render(
            request, "evaluation/coding/code_form.html", _edit_context(request, code, form)
        )
    form = CodeEditForm(request.POST)
    conflict = None
    if form.is_valid():
        changes = dict(form.cleaned_data)
        revision = changes.pop("revision")
        try:
            code = codebook_services.code_update(code=code, expected_revision=revision, **changes)
        except StaleEdit as stale:
            # What this evaluator typed stays in the form; the other save is shown beside it.
            # Saving again (now against the current revision) is a deliberate overwrite.
            conflict = stale.current
            data = request.POST.copy()
            data["revision"] = conflict.revision
            form = CodeEditForm(data)
            form.is_valid()
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("“%(name)s” is saved.") % {"name": code.name})
            return redirect(_codebook_url(code))
    return render(
        request,
        "evaluation/coding/code_form.html",
        _edit_context(request, code, form, conflict=conflict),
        status=409 if conflict else 200,
    )


@evaluator_required
@require_POST
def code_move(request, code_uuid):
    code = _code_of(code_uuid)
    move_form = CodeMoveForm(request.POST)
    if move_form.is_valid():
        try:
            code = codebook_services.code_move(
                code=code,
                expected_revision=move_form.cleaned_data["revision"],
                parent=move_form.cleaned_data["parent"],
            )
        except StaleEdit as stale:
            code = stale.current
            data = request.POST.copy()
            data["revision"] = code.revision
            move_form = CodeMoveForm(data)
            move_form.is_valid()
            move_form.add_error(
                None,
                _(
                    "Someone else changed “%(name)s” while you were looking at it; it was not "
                    "moved. Check where it is now and move it again."
                )
                % {"name": code.name},
            )
        except (ValidationError, Conflict) as error:
            if isinstance(error, Conflict):
                error = ValidationError(str(error))
            add_service_errors(move_form, error)
        else:
            messages.success(request, _("“%(name)s” is moved.") % {"name": code.name})
            return redirect(_codebook_url(code))
    form = CodeEditForm(initial=CodeEditForm.initial_for(code))
    return render(
        request,
        "evaluation/coding/code_form.html",
        _edit_context(request, code, form, move_form=move_form),
    )


@evaluator_required
@require_POST
def code_delete(request, code_uuid):
    code = _code_of(code_uuid)
    form = RevisionForm(request.POST)
    problems, done = [], ""
    try:
        codebook_services.code_delete(
            code=code,
            expected_revision=form.cleaned_data["revision"] if form.is_valid() else None,
        )
    except StaleEdit as stale:
        problems.append(
            _(
                "Someone else changed “%(name)s” while you were looking at it; it was not "
                "deleted. Check it and delete it again."
            )
            % {"name": stale.current.name}
        )
    except Conflict as refusal:
        problems.append(str(refusal))
    else:
        done = _("“%(name)s” is deleted.") % {"name": code.name}
    return _tree_response(request, problems=problems, done=done)
