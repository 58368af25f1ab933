"""A framework as a file: CASE JSON, Moodle CSV or workbook; and the blank workbook template."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from competencies.case_provider import case_uris
from competencies.interchange.formats import (
    EXPORT_KINDS,
    XLSX_TYPE,
    export_file_name,
    export_framework_file,
)
from competencies.interchange.workbook import framework_workbook_template
from competencies.models import Framework
from competencies.views import check_can_view


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _check_kind(kind: str) -> None:
    if kind not in EXPORT_KINDS:
        raise Http404(_("There is no download of the kind %s.") % kind)


def framework_file_response(request, framework: Framework, kind: str) -> HttpResponse:
    """The framework as an attachment of an export kind; 404 for an unknown kind."""
    _check_kind(kind)
    return _attachment(
        export_framework_file(framework, kind, uris=case_uris(request)),
        EXPORT_KINDS[kind].content_type,
        export_file_name(framework, kind),
    )


@require_GET
def framework_download(request, framework_uuid, kind):
    """Anyone who may read the framework may download it, in any of the export kinds."""
    _check_kind(kind)  # before the framework, so an unknown kind is 404 for everyone
    framework = get_object_or_404(Framework, uuid=framework_uuid)
    check_can_view(request, framework)
    return framework_file_response(request, framework, kind)


@require_GET
def workbook_template(request):
    return _attachment(framework_workbook_template(), XLSX_TYPE, "framework-template.xlsx")
