"""Designer pages to import a framework file, and to update a draft from one after a preview."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from competencies.editor.common import designer_required
from competencies.forms import FrameworkFileForm
from competencies.interchange.formats import check_upload_size, upload_limit_text
from competencies.interchange.imported import ImportRefused
from competencies.models import Framework, FrameworkImport
from competencies.services import importing
from competencies.services.rules import require_editable
from eisen.errors import StaleEdit

SUMMARY_LABELS = {
    "domains": gettext_lazy("Domains"),
    "capabilities": gettext_lazy("Capabilities"),
    "depth": gettext_lazy("Levels deep"),
    "links": gettext_lazy("Links"),
    "external_links": gettext_lazy("Links to frameworks held elsewhere"),
    "themes": gettext_lazy("Themes"),
    "references": gettext_lazy("References"),
    "added": gettext_lazy("Added"),
    "changed": gettext_lazy("Changed"),
    "deleted": gettext_lazy("Deleted"),
}


def _handle_upload(request, form, operation):
    """Run `operation(data=…, source_name=…, file_format=…)` on a valid upload.

    Returns the record, or None with the refusal added to the form's errors.
    """
    upload = form.cleaned_data["file"]
    try:
        check_upload_size(upload.size)
        return operation(
            data=upload.read(),
            source_name=upload.name,
            file_format=form.cleaned_data["file_format"],
            user=request.user,
        )
    except ImportRefused as refused:
        for problem in refused.problems:
            form.add_error("file", str(problem))
    return None


@designer_required
@require_http_methods(["GET", "POST"])
def framework_import(request):
    form = FrameworkFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        record = _handle_upload(request, form, importing.framework_import_file)
        if record:
            return redirect("competencies:framework_import_report", record.uuid)
    return render(
        request,
        "competencies/interchange/import.html",
        {"form": form, "limit": upload_limit_text()},
        status=400 if form.errors else 200,
    )


@designer_required
@require_http_methods(["GET", "POST"])
def framework_update_upload(request, framework_uuid):
    framework = get_object_or_404(Framework, uuid=framework_uuid)
    require_editable(framework)
    form = FrameworkFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():

        def preview(**upload):
            return importing.framework_update_preview(framework=framework, **upload)

        record = _handle_upload(request, form, preview)
        if record:
            return redirect("competencies:framework_import_report", record.uuid)
    return render(
        request,
        "competencies/interchange/update.html",
        {"form": form, "framework": framework, "limit": upload_limit_text()},
        status=400 if form.errors else 200,
    )


@designer_required
@require_safe
def framework_import_report(request, import_uuid):
    record = get_object_or_404(
        FrameworkImport.objects.select_related("framework", "imported_by"), uuid=import_uuid
    )
    context = {
        "record": record,
        "framework": record.framework,
        "summary": [
            (name, SUMMARY_LABELS[name], count)
            for name, count in record.summary.items()
            if name in SUMMARY_LABELS
        ],
    }
    if record.status == FrameworkImport.Status.PREVIEWED:
        plan = importing.previewed_plan(record)
        context["plan"] = plan
        context["plan_sections"] = [
            (_("Added"), plan.added, "added"),
            (_("Changed"), plan.changed, "changed"),
            (_("Deleted"), plan.deleted, "deleted"),
        ]
        context["stale"] = record.framework.revision != record.base_revision
    return render(request, "competencies/interchange/report.html", context)


@designer_required
@require_POST
def framework_update_apply(request, import_uuid):
    record = get_object_or_404(FrameworkImport, uuid=import_uuid)
    try:
        importing.framework_update_confirm(record=record, user=request.user)
    except StaleEdit:
        messages.error(
            request,
            _(
                "The framework was changed after this preview. Upload the file again to see "
                "what it would change now."
            ),
        )
    except ImportRefused as refused:
        for problem in refused.problems:
            messages.error(request, str(problem))
    else:
        messages.success(request, _("The changes from %s were applied.") % record.source_name)
    return redirect("competencies:framework_import_report", record.uuid)
