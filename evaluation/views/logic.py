"""The logic model editor: the five columns of items and the mechanisms, edited in place (htmx).

Without htmx every form still works: a change redirects back to the model's page, and an edit
opens on a page of its own.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from competencies.forms import RevisionForm
from courses.views.common import add_service_errors
from eisen.errors import Conflict, StaleEdit
from evaluation.forms.logic import (
    LogicItemEditForm,
    LogicItemForm,
    LogicModelEditForm,
    LogicModelForm,
    MechanismEditForm,
    MechanismForm,
)
from evaluation.models import LogicModel, LogicModelItem, Mechanism
from evaluation.selectors.logic import (
    column_items,
    logic_model_columns,
    logic_models_with_counts,
    mechanisms_with_verdicts,
)
from evaluation.services import logic as logic_services
from evaluation.views.common import evaluator_required

MOVES = {"up": -1, "down": 1}
DETAIL = "evaluation/logic/model_detail.html"
EDIT = "evaluation/logic/edit.html"
NEW_MECHANISM_PREFIX = "new-mechanism"


def _model(model_uuid) -> LogicModel:
    return get_object_or_404(LogicModel, uuid=model_uuid)


def _item(logic_model: LogicModel, item_id: int) -> LogicModelItem:
    item = get_object_or_404(LogicModelItem, pk=item_id, logic_model=logic_model)
    item.logic_model = logic_model
    return item


def _mechanism(mechanism_uuid) -> Mechanism:
    return get_object_or_404(Mechanism.objects.select_related("logic_model"), uuid=mechanism_uuid)


def _offset(direction: str) -> int:
    if direction not in MOVES:
        raise Http404(_("Rows move up or down."))
    return MOVES[direction]


@evaluator_required
@require_http_methods(["GET", "POST"])
def logic_model_list(request):
    form = LogicModelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            logic_model = logic_services.logic_model_create(**form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("evaluation:logic_model_detail", logic_model.uuid)
    return render(
        request,
        "evaluation/logic/model_list.html",
        {"logic_models": logic_models_with_counts(), "form": form},
    )


@evaluator_required
@require_GET
def logic_model_detail(request, model_uuid):
    logic_model = _model(model_uuid)
    return render(
        request,
        DETAIL,
        {
            "logic_model": logic_model,
            "columns": logic_model_columns(logic_model),
            "mechanisms": mechanisms_with_verdicts(logic_model),
            "item_form": LogicItemForm(),
            "mechanism_form": MechanismForm(prefix=NEW_MECHANISM_PREFIX),
        },
    )


# The model's title and description


@evaluator_required
@require_GET
def logic_model_header(request, model_uuid):
    logic_model = _model(model_uuid)
    if not request.htmx:
        return redirect("evaluation:logic_model_detail", logic_model.uuid)
    return render(request, f"{DETAIL}#header", {"logic_model": logic_model})


@evaluator_required
@require_http_methods(["GET", "POST"])
def logic_model_edit(request, model_uuid):
    logic_model = _model(model_uuid)
    template = EDIT + ("#model_form" if request.htmx else "")
    context = {"kind": "model", "logic_model": logic_model}
    if request.method == "GET":
        initial = {
            "title": logic_model.title,
            "description": logic_model.description,
            "revision": logic_model.revision,
        }
        return render(request, template, {**context, "form": LogicModelEditForm(initial=initial)})

    form = LogicModelEditForm(request.POST)
    conflict = None
    if form.is_valid():
        changes = dict(form.cleaned_data)
        revision = changes.pop("revision")
        try:
            logic_model = logic_services.logic_model_update(
                logic_model=logic_model, expected_revision=revision, **changes
            )
        except StaleEdit as stale:
            conflict, form = stale.current, _form_against(LogicModelEditForm, request, stale)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not request.htmx:
                return redirect("evaluation:logic_model_detail", logic_model.uuid)
            return render(request, f"{DETAIL}#header", {"logic_model": logic_model})
    return render(
        request,
        template,
        {**context, "form": form, "conflict": conflict},
        status=409 if conflict else 200,
    )


def _form_against(form_class, request, stale: StaleEdit, **kwargs):
    """The evaluator's typing kept, now against the current revision: saving again overwrites."""
    data = request.POST.copy()
    data["revision"] = stale.current.revision
    form = form_class(data, **kwargs)
    form.is_valid()
    return form


# Items, column by column


def _column_response(request, logic_model: LogicModel, component: str, **extra):
    if not request.htmx:
        for problem in extra.get("problems", ()):
            messages.error(request, problem)
        form = extra.get("item_form")
        if form is not None:
            for field_errors in form.errors.values():
                for problem in field_errors:
                    messages.error(request, problem)
        return _detail_redirect(logic_model, f"column-{component}")
    context = {
        "logic_model": logic_model,
        "column": column_items(logic_model, component),
        "item_form": LogicItemForm(),
        **extra,
    }
    return render(request, f"{DETAIL}#column", context)


def _detail_redirect(logic_model: LogicModel, anchor: str):
    url = reverse("evaluation:logic_model_detail", args=[logic_model.uuid])
    return redirect(f"{url}#{anchor}")


def _component(component: str) -> str:
    if component not in LogicModelItem.Component.values:
        raise Http404(_("A logic model has no column “%(component)s”.") % {"component": component})
    return component


@evaluator_required
@require_POST
def logic_item_add(request, model_uuid, component):
    logic_model = _model(model_uuid)
    component = _component(component)
    form = LogicItemForm(request.POST)
    if form.is_valid():
        try:
            logic_services.logic_item_create(
                logic_model=logic_model, component=component, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _column_response(request, logic_model, component, adding=True)
    return _column_response(request, logic_model, component, item_form=form)


def _item_response(request, item: LogicModelItem):
    if not request.htmx:
        return _detail_redirect(item.logic_model, f"item-{item.pk}")
    return render(request, f"{DETAIL}#item", {"logic_model": item.logic_model, "item": item})


@evaluator_required
@require_GET
def logic_item_row(request, model_uuid, item_id):
    """One item as the column shows it: where "Cancel" of an in-place edit goes back to."""
    return _item_response(request, _item(_model(model_uuid), item_id))


def _item_form(item: LogicModelItem, *args, **kwargs) -> LogicItemEditForm:
    # Ids of its own: several items can be open for editing at once.
    return LogicItemEditForm(*args, auto_id=f"item-{item.pk}-%s", **kwargs)


@evaluator_required
@require_http_methods(["GET", "POST"])
def logic_item_edit(request, model_uuid, item_id):
    logic_model = _model(model_uuid)
    item = _item(logic_model, item_id)
    template = EDIT + ("#item_form" if request.htmx else "")
    context = {"kind": "item", "logic_model": logic_model, "item": item}
    if request.method == "GET":
        initial = {"text": item.text, "component": item.component, "original_text": item.text}
        return render(request, template, {**context, "form": _item_form(item, initial=initial)})

    form = _item_form(item, request.POST)
    conflict = None
    if form.is_valid():
        component = form.cleaned_data["component"]
        try:
            updated = logic_services.logic_item_update(
                item=item,
                text=form.cleaned_data["text"],
                component=component,
                expected_text=form.cleaned_data["original_text"],
            )
        except StaleEdit as stale:
            conflict = stale.current
            data = request.POST.copy()
            data["original_text"] = stale.current.text
            form = _item_form(item, data)
            form.is_valid()
        except ValidationError as error:
            add_service_errors(form, error)
        except Conflict as gone:
            return _column_response(request, logic_model, item.component, problems=[str(gone)])
        else:
            if updated.component != item.component:
                # Moved to another column: both columns change, so the whole page is reloaded.
                if request.htmx:
                    return HttpResponseClientRefresh()
                return _detail_redirect(logic_model, f"item-{updated.pk}")
            updated.logic_model = logic_model
            return _item_response(request, updated)
    return render(
        request,
        template,
        {**context, "form": form, "conflict": conflict},
        status=409 if conflict else 200,
    )


@evaluator_required
@require_POST
def logic_item_delete(request, model_uuid, item_id):
    logic_model = _model(model_uuid)
    item = _item(logic_model, item_id)
    logic_services.logic_item_delete(item=item)
    return _column_response(request, logic_model, item.component)


@evaluator_required
@require_POST
def logic_item_move(request, model_uuid, item_id, direction):
    offset = _offset(direction)
    logic_model = _model(model_uuid)
    item = _item(logic_model, item_id)
    problems = []
    try:
        logic_services.logic_item_move(item=item, offset=offset)
    except Conflict as gone:
        problems.append(str(gone))
    return _column_response(request, logic_model, item.component, problems=problems)


# Mechanisms


def _mechanisms_response(request, logic_model: LogicModel, **extra):
    if not request.htmx:
        for problem in extra.get("problems", ()):
            messages.error(request, problem)
        form = extra.get("mechanism_form")
        if form is not None:
            for field_errors in form.errors.values():
                for problem in field_errors:
                    messages.error(request, problem)
        return _detail_redirect(logic_model, "mechanisms")
    context = {
        "logic_model": logic_model,
        "mechanisms": mechanisms_with_verdicts(logic_model),
        "mechanism_form": MechanismForm(prefix=NEW_MECHANISM_PREFIX),
        **extra,
    }
    return render(request, f"{DETAIL}#mechanisms", context)


@evaluator_required
@require_POST
def mechanism_add(request, model_uuid):
    logic_model = _model(model_uuid)
    form = MechanismForm(request.POST, prefix=NEW_MECHANISM_PREFIX)
    if form.is_valid():
        try:
            logic_services.mechanism_create(logic_model=logic_model, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _mechanisms_response(request, logic_model)
    return _mechanisms_response(request, logic_model, mechanism_form=form)


def _card_response(request, mechanism: Mechanism):
    if not request.htmx:
        return _detail_redirect(mechanism.logic_model, f"mechanism-{mechanism.uuid}")
    card = next(
        item for item in mechanisms_with_verdicts(mechanism.logic_model) if item.pk == mechanism.pk
    )
    return render(
        request, f"{DETAIL}#mechanism", {"logic_model": mechanism.logic_model, "mechanism": card}
    )


@evaluator_required
@require_GET
def mechanism_card(request, mechanism_uuid):
    return _card_response(request, _mechanism(mechanism_uuid))


def _mechanism_form(mechanism: Mechanism, *args, **kwargs) -> MechanismEditForm:
    return MechanismEditForm(*args, auto_id=f"mechanism-{mechanism.uuid}-%s", **kwargs)


@evaluator_required
@require_http_methods(["GET", "POST"])
def mechanism_edit(request, mechanism_uuid):
    mechanism = _mechanism(mechanism_uuid)
    template = EDIT + ("#mechanism_form" if request.htmx else "")
    context = {"kind": "mechanism", "logic_model": mechanism.logic_model, "mechanism": mechanism}
    if request.method == "GET":
        initial = {
            "name": mechanism.name,
            "assumption": mechanism.assumption,
            "reflection": mechanism.reflection,
            "revision": mechanism.revision,
        }
        form = _mechanism_form(mechanism, initial=initial)
        return render(request, template, {**context, "form": form})

    form = _mechanism_form(mechanism, request.POST)
    conflict = None
    if form.is_valid():
        changes = dict(form.cleaned_data)
        revision = changes.pop("revision")
        try:
            mechanism = logic_services.mechanism_update(
                mechanism=mechanism, expected_revision=revision, **changes
            )
        except StaleEdit as stale:
            conflict = stale.current
            form = _form_against(
                MechanismEditForm, request, stale, auto_id=f"mechanism-{mechanism.uuid}-%s"
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _card_response(request, mechanism)
    return render(
        request,
        template,
        {**context, "form": form, "conflict": conflict},
        status=409 if conflict else 200,
    )


@evaluator_required
@require_POST
def mechanism_delete(request, mechanism_uuid):
    mechanism = _mechanism(mechanism_uuid)
    form = RevisionForm(request.POST)
    problems = []
    try:
        logic_services.mechanism_delete(
            mechanism=mechanism,
            expected_revision=form.cleaned_data["revision"] if form.is_valid() else None,
        )
    except StaleEdit as stale:
        problems.append(
            _(
                "Someone else changed “%(name)s” while you were looking at it; it was not "
                "deleted. Read it again before deleting it."
            )
            % {"name": stale.current.name}
        )
    except Conflict as refused:
        problems.append(str(refused))
    return _mechanisms_response(request, mechanism.logic_model, problems=problems)


@evaluator_required
@require_POST
def mechanism_move(request, mechanism_uuid, direction):
    offset = _offset(direction)
    mechanism = _mechanism(mechanism_uuid)
    problems = []
    try:
        logic_services.mechanism_move(mechanism=mechanism, offset=offset)
    except Conflict as gone:
        problems.append(str(gone))
    return _mechanisms_response(request, mechanism.logic_model, problems=problems)
