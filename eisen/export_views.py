"""The export pages: ask for a PDF, watch it being built, download it, remove it.

Who may do what is each kind's to say (`may_start`, `may_download`); these views only ask.
Media files are never served by URL: a PDF leaves only through `export_download`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from eisen import export_kinds, exports
from eisen.models import ExportJob

HISTORY_PAGE_SIZE = 25
#: Seconds a client is asked to wait when the task queue does not answer.
QUEUE_RETRY_AFTER_SECONDS = 60


def _job_for(request, job_uuid) -> ExportJob:
    job = get_object_or_404(ExportJob.objects.select_related("requested_by"), uuid=job_uuid)
    if not exports.may_download(request.user, job):
        raise PermissionDenied(_("You may not see this export."))
    return job


def _job_context(user, job: ExportJob) -> dict:
    return {
        "job": job,
        "kind": exports.kind_or_none(job.kind),
        "may_delete": exports.may_delete(user, job),
    }


@login_required
@require_safe
def export_list(request):
    if not exports.may_see_exports(request.user):
        raise PermissionDenied(exports.WHO_SEES_EXPORTS)
    exports.fail_stalled_exports()
    page = Paginator(exports.visible_exports(request.user), HISTORY_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [_job_context(request.user, job) for job in page.object_list]
    return render(
        request,
        "eisen/exports/list.html",
        {"page": page, "rows": rows, "kinds": exports.kinds_startable_by(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def export_new(request, kind_name):
    try:
        kind = export_kinds.get(kind_name)
    except KeyError:
        raise Http404(_("There is no such kind of export.")) from None
    if not kind.may_start(request.user):
        raise PermissionDenied(_("You may not start this kind of export."))
    form = kind.form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                job = exports.queue_export(kind, form, request.user)
        except exports.ExportQueueUnavailable as refusal:
            # The form comes back as the user filled it in, with the reason above it.
            form.add_error(None, str(refusal))
            response = render(
                request, "eisen/exports/new.html", {"kind": kind, "form": form}, status=503
            )
            response["Retry-After"] = str(QUEUE_RETRY_AFTER_SECONDS)
            return response
        return redirect("exports:export_detail", job_uuid=job.uuid)
    return render(request, "eisen/exports/new.html", {"kind": kind, "form": form})


#: htmx stops polling when an answer has this status.
STOP_POLLING = 286


@login_required
@require_safe
def export_detail(request, job_uuid):
    if request.htmx and not ExportJob.objects.filter(uuid=job_uuid).exists():
        # Removed while someone watched it: say so, and stop the page asking every second.
        return render(
            request,
            "eisen/exports/_removed.html",
            {"as_row": request.GET.get("as") == "row"},
            status=STOP_POLLING,
        )
    job = _job_for(request, job_uuid)
    if not job.is_finished and exports.fail_stalled_exports():
        job.refresh_from_db()
    context = _job_context(request.user, job)
    if request.htmx:
        partial = "_row.html" if request.GET.get("as") == "row" else "_progress.html"
        return render(request, f"eisen/exports/{partial}", context)
    return render(request, "eisen/exports/detail.html", context)


@login_required
@require_safe
def export_download(request, job_uuid):
    job = _job_for(request, job_uuid)
    if job.status != ExportJob.Status.READY:
        raise Http404(_("This export has no file yet."))
    return pdf_response(job)


def pdf_response(job: ExportJob) -> FileResponse:
    """The ready export's PDF as a download (for the page and the API alike)."""
    try:
        file = job.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file of this export is missing on the server.")) from None
    response = FileResponse(
        file, as_attachment=True, filename=job.filename, content_type="application/pdf"
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def export_delete(request, job_uuid):
    job = _job_for(request, job_uuid)
    if not exports.may_delete(request.user, job):
        raise PermissionDenied(_("You may not remove this export."))
    if request.method == "POST":
        with transaction.atomic():
            exports.delete_export(job, request.user)
        messages.success(request, _("The export “%(title)s” was removed.") % {"title": job})
        return redirect("exports:export_list")
    return render(request, "eisen/exports/confirm_delete.html", {"job": job})
