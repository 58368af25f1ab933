"""The framework editor: pages where curriculum designers change drafts in place (htmx).

Every view here needs a signed-in designer or administrator (others get 403, anonymous users a
sign-in redirect); the services refuse changes to anything but drafts.
"""

import uuid
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from competencies import history, selectors
from competencies.forms import (
    AssociationForm,
    CapabilityEditForm,
    CapabilityForm,
    DomainForm,
    FrameworkForm,
    NewCapabilityForm,
    NewFrameworkForm,
    NewVersionForm,
    ReferenceForm,
    RevisionForm,
    ThemeForm,
)
from competencies.models import (
    Capability,
    CapabilityAssociation,
    Domain,
    Framework,
    Reference,
    Theme,
)
from competencies.permissions import can_manage_frameworks
from competencies.services import editing, versions
from eisen.errors import Conflict, StaleEdit

STRUCTURE_OPERATIONS = {
    "up": editing.capability_move_up,
    "down": editing.capability_move_down,
    "indent": editing.capability_indent,
    "outdent": editing.capability_outdent,
}


def designer_required(view):
    """Signed in (else a sign-in redirect) as a curriculum designer or administrator (else 403)."""

    @login_required
    @wraps(view)
    def checked(request, *args, **kwargs):
        if not can_manage_frameworks(request.user):
            raise PermissionDenied(
                _("Only curriculum designers and administrators edit frameworks.")
            )
        try:
            return view(request, *args, **kwargs)
        except Conflict as refusal:
            return render(
                request, "competencies/editor/refused.html", {"message": refusal}, status=409
            )

    return checked


# Shown on every row of the editor: translated once per page, not once per capability.
ROW_LABELS = {
    "edit": gettext_lazy("Edit"),
    "links": gettext_lazy("Links of"),
    "delete": gettext_lazy("Delete"),
    "cannot_undo": gettext_lazy("This cannot be undone."),
    "drag": gettext_lazy("Drag to move"),
    "no_description": gettext_lazy("no description"),
}
STRUCTURE_BUTTONS = [
    ("up", gettext_lazy("Move up"), "↑"),
    ("down", gettext_lazy("Move down"), "↓"),
    ("indent", gettext_lazy("Indent under the capability above"), "→"),
    ("outdent", gettext_lazy("Outdent"), "←"),
]
URL_SAMPLE = uuid.UUID(int=0)


def _url_pattern(name: str, *args) -> str:
    """A URL with "{}" where a capability's identifier goes: one reverse() for all rows."""
    return reverse(name, args=[URL_SAMPLE, *args]).replace(str(URL_SAMPLE), "{}")


def _with_row_urls(tree: dict) -> None:
    patterns = {
        "detail": _url_pattern("competencies:capability_detail"),
        "edit": _url_pattern("competencies:capability_edit"),
        "links": _url_pattern("competencies:capability_links"),
        "drop": _url_pattern("competencies:capability_change", "drop"),
        # The prefix every row operation (up/, down/, indent/, outdent/, delete/) adds to.
        "change": _url_pattern("competencies:capability_change", "drop").removesuffix("drop/"),
    }
    for domain in tree["domains"]:
        for node in domain["capabilities"]:
            node["urls"] = {kind: pattern.format(node["id"]) for kind, pattern in patterns.items()}


def _editor_context(framework: Framework, **extra) -> dict:
    tree = selectors.framework_editor_tree(framework)
    _with_row_urls(tree)
    for domain in tree["domains"]:
        domain["new_capability_form"] = NewCapabilityForm(
            prefix=NewCapabilityForm.prefix_for(domain["id"])
        )
    return {
        "framework": framework,
        "tree": tree,
        "labels": ROW_LABELS,
        "structure_buttons": STRUCTURE_BUTTONS,
        "domain_form": DomainForm(prefix="new-domain"),
        "publish_problems": versions.framework_publish_problems(framework)
        if framework.is_editable
        else [],
        **extra,
    }


def _domains_response(request, framework: Framework, errors=()):
    """The editor's domains section, re-rendered after a change of structure."""
    return render(
        request,
        "competencies/editor/editor.html#domains",
        _editor_context(framework, errors=errors),
    )


def _editor_or_domains(request, framework, errors=()):
    if request.htmx:
        return _domains_response(request, framework, errors)
    for error in errors:
        messages.error(request, error)
    return redirect("competencies:framework_editor", framework.uuid)


# Frameworks


@designer_required
@require_http_methods(["GET", "POST"])
def framework_create(request):
    form = NewFrameworkForm(
        request.POST or None, frameworks=selectors.frameworks_visible_to(request.user)
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        source = data.pop("copy_of")
        try:
            if source:
                framework = versions.framework_copy(
                    source=source,
                    slug=data["slug"],
                    title=data["title"],
                    version_label=data["version_label"],
                )
                editing.framework_update(
                    framework=framework,
                    expected_revision=framework.revision,
                    language=data["language"],
                    licence=data["licence"],
                    description=data["description"],
                )
            else:
                framework = editing.framework_create(**data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Framework created. Add domains and capabilities."))
            return redirect("competencies:framework_editor", framework.uuid)
    return render(request, "competencies/editor/framework_new.html", {"form": form})


@designer_required
def framework_editor(request, framework_uuid):
    framework = get_object_or_404(Framework, uuid=framework_uuid)
    return render(request, "competencies/editor/editor.html", _editor_context(framework))


@designer_required
@require_http_methods(["GET", "POST"])
def framework_metadata(request, framework_uuid):
    framework = get_object_or_404(Framework, uuid=framework_uuid)
    template = "competencies/editor/editor.html#metadata"
    if request.method == "GET":
        if request.GET.get("view"):
            return render(request, template, {"framework": framework})
        form = FrameworkForm(instance=framework)
        revision = RevisionForm(initial={"revision": framework.revision})
        return render(
            request, template, {"framework": framework, "form": form, "revision": revision}
        )
    form = FrameworkForm(request.POST, instance=Framework.objects.get(pk=framework.pk))
    revision = RevisionForm(request.POST)
    conflict = None
    if form.is_valid() and revision.is_valid():
        try:
            framework = editing.framework_update(
                framework=framework,
                expected_revision=revision.cleaned_data["revision"],
                **form.cleaned_data,
            )
        except StaleEdit as stale:
            conflict = stale.current
            revision = RevisionForm(initial={"revision": stale.current.revision})
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return render(request, template, {"framework": framework})
    return render(
        request,
        template,
        {"framework": framework, "form": form, "revision": revision, "conflict": conflict},
    )


@designer_required
@require_POST
def framework_publish(request, framework_uuid):
    framework = get_object_or_404(Framework, uuid=framework_uuid)
    try:
        versions.framework_publish(framework=framework)
    except ValidationError as error:
        for problem in error.messages:
            messages.error(request, problem)
        return redirect("competencies:framework_editor", framework.uuid)
    messages.success(request, _("%(framework)s is published.") % {"framework": framework})
    return redirect(framework.get_absolute_url())


@designer_required
@require_POST
def framework_archive(request, framework_uuid):
    framework = get_object_or_404(Framework, uuid=framework_uuid)
    try:
        versions.framework_archive(framework=framework)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(framework.get_absolute_url())


@designer_required
@require_POST
def framework_new_version(request, framework_uuid):
    framework = get_object_or_404(Framework, uuid=framework_uuid)
    form = NewVersionForm(request.POST)
    if form.is_valid():
        try:
            draft = versions.framework_new_version(
                framework=framework, version_label=form.cleaned_data["version_label"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Version %(version)s started as a draft.") % {"version": draft.version_label},
            )
            return redirect("competencies:framework_editor", draft.uuid)
    else:
        messages.error(request, _("Give the new version a label, such as 2.0."))
    return redirect(framework.get_absolute_url())


@designer_required
@require_POST
def framework_renumber(request, framework_uuid):
    framework = get_object_or_404(Framework, uuid=framework_uuid)
    changed = editing.capabilities_renumber(framework=framework)
    messages.success(request, _("%(count)d codes renumbered.") % {"count": changed})
    return _editor_or_domains(request, framework)


# Domains


@designer_required
@require_POST
def domain_add(request, framework_uuid):
    framework = get_object_or_404(Framework, uuid=framework_uuid)
    form = DomainForm(request.POST, prefix="new-domain")
    errors = []
    if form.is_valid():
        try:
            editing.domain_create(framework=framework, **form.cleaned_data)
        except ValidationError as error:
            errors = error.messages
    else:
        errors = [f"{form[field].label}: {' '.join(e)}" for field, e in form.errors.items()]
    return _editor_or_domains(request, framework, errors)


@designer_required
@require_POST
def domain_change(request, domain_uuid, operation):
    if operation not in ("up", "down", "delete"):
        raise Http404(_("No such change of a domain."))
    domain = get_object_or_404(Domain.objects.select_related("framework"), uuid=domain_uuid)
    errors = []
    try:
        if operation == "delete":
            editing.domain_delete(domain=domain)
        else:
            editing.domain_move(
                domain=domain, index=domain.position + (-1 if operation == "up" else 1)
            )
    except ValidationError as error:
        errors = error.messages
    return _editor_or_domains(request, domain.framework, errors)


@designer_required
@require_http_methods(["GET", "POST"])
def domain_edit(request, domain_uuid):
    domain = get_object_or_404(Domain.objects.select_related("framework"), uuid=domain_uuid)
    template = "competencies/editor/editor.html#domain-form"
    if request.method == "GET":
        form = DomainForm(
            initial={"code": domain.code, "name": domain.name, "description": domain.description}
        )
        revision = RevisionForm(initial={"revision": domain.revision})
        return render(request, template, {"domain": domain, "form": form, "revision": revision})
    form, revision = DomainForm(request.POST), RevisionForm(request.POST)
    conflict = None
    if form.is_valid() and revision.is_valid():
        try:
            editing.domain_update(
                domain=domain,
                expected_revision=revision.cleaned_data["revision"],
                **form.cleaned_data,
            )
        except StaleEdit as stale:
            conflict = stale.current
            revision = RevisionForm(initial={"revision": stale.current.revision})
        except ValidationError as error:
            for field, field_messages in error.message_dict.items():
                form.add_error(field if field in form.fields else None, field_messages)
        else:
            return reswap(
                retarget(_domains_response(request, domain.framework), "#domains"), "outerHTML"
            )
    return render(
        request,
        template,
        {"domain": domain, "form": form, "revision": revision, "conflict": conflict},
        status=409 if conflict else 200,
    )


# Capabilities


@designer_required
@require_POST
def capability_add(request, domain_uuid):
    domain = get_object_or_404(Domain.objects.select_related("framework"), uuid=domain_uuid)
    form = NewCapabilityForm(request.POST, prefix=NewCapabilityForm.prefix_for(domain.uuid))
    errors = []
    if form.is_valid():
        try:
            editing.capability_create(domain=domain, **form.cleaned_data)
        except ValidationError as error:
            errors = error.messages
    else:
        errors = [f"{form.fields[field].label}: {' '.join(e)}" for field, e in form.errors.items()]
    return _editor_or_domains(request, domain.framework, errors)


def _capability(capability_uuid) -> Capability:
    return get_object_or_404(
        Capability.objects.select_related("framework", "domain").prefetch_related(
            "themes", "references", "level_descriptors"
        ),
        uuid=capability_uuid,
    )


@designer_required
@require_http_methods(["GET", "POST"])
def capability_edit(request, capability_uuid):
    capability = _capability(capability_uuid)
    framework = capability.framework
    template = "competencies/editor/editor.html#capability-form"
    if request.method == "GET":
        form = CapabilityEditForm(
            initial=CapabilityForm.initial_for(capability), framework=framework
        )
        return render(
            request,
            template,
            {"capability": capability, "form": form, "domains": framework.domains.all()},
        )

    form = CapabilityEditForm(request.POST, framework=framework)
    conflict = None
    if form.is_valid():
        try:
            editing.capability_update(
                capability=capability,
                expected_revision=form.cleaned_data["revision"],
                **form.service_arguments(),
            )
        except StaleEdit as stale:
            # Keep what this person typed; show what the other person saved; a second save
            # (now against the current revision) is a deliberate overwrite.
            conflict = CapabilityForm.initial_for(stale.current)
            data = request.POST.copy()
            data["revision"] = stale.current.revision
            form = CapabilityEditForm(data, framework=framework)
            form.is_valid()
        except ValidationError as error:
            for field, field_messages in error.message_dict.items():
                form.add_error(field if field in form.fields else None, field_messages)
        else:
            # The form asked to replace itself; after a save the whole tree is shown again.
            return reswap(retarget(_domains_response(request, framework), "#domains"), "outerHTML")
    return render(
        request,
        template,
        {
            "capability": capability,
            "form": form,
            "conflict": conflict,
            "domains": framework.domains.all(),
        },
        status=409 if conflict else 200,
    )


@designer_required
@require_POST
def capability_change(request, capability_uuid, operation):
    if operation not in (*STRUCTURE_OPERATIONS, "delete", "drop"):
        raise Http404(_("No such change of a capability."))
    capability = get_object_or_404(
        Capability.objects.select_related("framework"), uuid=capability_uuid
    )
    errors = []
    try:
        if operation == "delete":
            editing.capability_delete(capability=capability)
        elif operation == "drop":
            _drop(request, capability)
        else:
            STRUCTURE_OPERATIONS[operation](capability=capability)
    except ValidationError as error:
        errors = error.messages
    return _editor_or_domains(request, capability.framework, errors)


def _drop(request, capability: Capability) -> None:
    """Where drag and drop put the capability: a place under a parent or at a domain's top."""
    try:
        index = int(request.POST.get("index", ""))
    except ValueError:
        raise ValidationError(_("The drop gave no place to put the capability.")) from None
    parent = domain = None
    if request.POST.get("parent"):
        parent = get_object_or_404(
            Capability, uuid=request.POST["parent"], framework=capability.framework
        )
    else:
        domain = get_object_or_404(
            Domain, uuid=request.POST.get("domain"), framework=capability.framework
        )
    editing.capability_move(capability=capability, parent=parent, domain=domain, index=index)


# Links


@designer_required
@require_http_methods(["GET", "POST"])
def capability_links(request, capability_uuid):
    capability = get_object_or_404(
        Capability.objects.select_related("framework"), uuid=capability_uuid
    )
    frameworks = selectors.frameworks_visible_to(request.user)
    form = AssociationForm(
        request.POST or None,
        frameworks=frameworks,
        initial={"destination_framework": capability.framework.uuid},
    )
    if request.method == "POST" and form.is_valid():
        try:
            editing.association_create(
                origin=capability,
                destination=form.cleaned_data["destination"],
                association_type=form.cleaned_data["association_type"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            for field, field_messages in error.message_dict.items():
                form.add_error(
                    "destination_code" if field == "destination" else None, field_messages
                )
        else:
            form = AssociationForm(
                frameworks=frameworks, initial={"destination_framework": capability.framework.uuid}
            )
    return render(
        request,
        "competencies/editor/links.html",
        {
            "capability": selectors.capability_with_links(capability.uuid),
            "form": form,
        },
    )


@designer_required
@require_POST
def association_delete(request, association_uuid):
    association = get_object_or_404(
        CapabilityAssociation.objects.select_related("origin__framework"), uuid=association_uuid
    )
    editing.association_delete(association=association)
    return redirect("competencies:capability_links", association.origin.uuid)


@designer_required
@require_POST
def capability_restore(request, capability_uuid):
    """Put back an earlier value of one field, from the capability's history."""
    capability = get_object_or_404(
        Capability.objects.select_related("framework"), uuid=capability_uuid
    )
    try:
        value = history.history_value(
            capability, int(request.POST.get("history_id", "0")), request.POST.get("field", "")
        )
    except (KeyError, ValueError, capability.history.model.DoesNotExist):
        raise Http404(_("No such value in this capability's history.")) from None
    try:
        editing.capability_update(
            capability=capability,
            expected_revision=capability.revision,
            **{request.POST["field"]: value},
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The earlier value is back."))
    return redirect("competencies:capability_history", capability.uuid)


# Themes and references


@designer_required
@require_http_methods(["GET", "POST"])
def framework_vocabulary(request, framework_uuid):
    """The framework's themes and references: list, add, delete unused ones."""
    framework = get_object_or_404(Framework, uuid=framework_uuid)
    theme_form = ThemeForm(prefix="theme")
    reference_form = ReferenceForm(prefix="reference")
    if request.method == "POST":
        kind = request.POST.get("kind")
        try:
            if kind == "theme":
                theme_form = ThemeForm(request.POST, prefix="theme")
                if theme_form.is_valid():
                    editing.theme_create(framework=framework, **theme_form.cleaned_data)
                    return redirect("competencies:framework_vocabulary", framework.uuid)
            elif kind == "reference":
                reference_form = ReferenceForm(request.POST, prefix="reference")
                if reference_form.is_valid():
                    editing.reference_create(framework=framework, **reference_form.cleaned_data)
                    return redirect("competencies:framework_vocabulary", framework.uuid)
            elif kind in ("delete-theme", "delete-reference"):
                model = Theme if kind == "delete-theme" else Reference
                item = get_object_or_404(model, pk=request.POST.get("id"), framework=framework)
                editing.theme_or_reference_delete(item=item)
                return redirect("competencies:framework_vocabulary", framework.uuid)
        except ValidationError as error:
            form = theme_form if kind == "theme" else reference_form
            if hasattr(error, "error_dict"):
                for field, field_messages in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, field_messages)
            else:
                messages.error(request, " ".join(error.messages))
    return render(
        request,
        "competencies/editor/vocabulary.html",
        {
            "framework": framework,
            "themes": framework.themes.all(),
            "references": framework.references.all(),
            "theme_form": theme_form,
            "reference_form": reference_form,
        },
    )
