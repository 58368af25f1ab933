"""What every editor view shares: the access check, and the editor's page context."""

import uuid
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_htmx.http import reswap, retarget

from competencies import selectors
from competencies.forms import (
    DomainForm,
    NewCapabilityForm,
)
from competencies.models import (
    Framework,
)
from competencies.permissions import can_manage_frameworks
from competencies.services import structure, versions
from eisen.errors import Conflict

STRUCTURE_OPERATIONS = {
    "up": structure.capability_move_up,
    "down": structure.capability_move_down,
    "indent": structure.capability_indent,
    "outdent": structure.capability_outdent,
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
            if request.htmx:
                # In place of the part that asked, not a whole page inside it.
                response = render(
                    request,
                    "competencies/editor/refused.html#message",
                    {"message": refusal},
                    status=409,
                )
                return reswap(retarget(response, "#main"), "innerHTML")
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


def editor_context(framework: Framework, **extra) -> dict:
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


def domains_response(request, framework: Framework, errors=()):
    """The editor's domains section, re-rendered after a change of structure."""
    return render(
        request,
        "competencies/editor/editor.html#domains",
        editor_context(framework, errors=errors),
    )


def editor_or_domains(request, framework, errors=()):
    if request.htmx:
        return domains_response(request, framework, errors)
    for error in errors:
        messages.error(request, error)
    return redirect("competencies:framework_editor", framework.uuid)


def add_service_errors(form, error: ValidationError) -> None:
    """Put a service's refusal on the form: on the field it names, else on the whole form."""
    for field, field_messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, field_messages)
