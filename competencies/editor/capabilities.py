"""Editor pages for domains, capabilities and their links."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from competencies import history, selectors
from competencies.editor.common import (
    STRUCTURE_OPERATIONS,
    add_service_errors,
    designer_required,
    domains_response,
    editor_or_domains,
)
from competencies.forms import (
    AssociationForm,
    CapabilityEditForm,
    CapabilityForm,
    DomainForm,
    NewCapabilityForm,
    RevisionForm,
)
from competencies.models import (
    Capability,
    CapabilityAssociation,
    Domain,
    Framework,
)
from competencies.services import editing, structure
from eisen.errors import StaleEdit

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
    return editor_or_domains(request, framework, errors)


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
            structure.domain_move(
                domain=domain, index=domain.position + (-1 if operation == "up" else 1)
            )
    except ValidationError as error:
        errors = error.messages
    return editor_or_domains(request, domain.framework, errors)


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
            add_service_errors(form, error)
        else:
            return reswap(
                retarget(domains_response(request, domain.framework), "#domains"), "outerHTML"
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
    return editor_or_domains(request, domain.framework, errors)


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
            add_service_errors(form, error)
        else:
            # The form asked to replace itself; after a save the whole tree is shown again.
            return reswap(retarget(domains_response(request, framework), "#domains"), "outerHTML")
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
    return editor_or_domains(request, capability.framework, errors)


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
    structure.capability_move(capability=capability, parent=parent, domain=domain, index=index)


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
