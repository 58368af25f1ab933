"""The file formats a framework travels in: which reader takes an upload, which writer a download.

Uploads are recognised by their content, not only their name: a workbook is a ZIP archive, a
CASE package is a JSON object, anything else is read as a Moodle CSV (which refuses what is not).
"""

import json
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from competencies.interchange.case_export import CaseUris, framework_case_package
from competencies.interchange.case_import import case_package_read
from competencies.interchange.imported import ImportedFramework, ImportProblem, ImportRefused
from competencies.interchange.moodle import moodle_framework_csv, moodle_framework_read
from competencies.interchange.workbook import framework_workbook
from competencies.interchange.workbook_reading import workbook_framework_read
from competencies.models import Framework, FrameworkImport
from eisen.uploads import ZIP_MAGIC

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

READERS: dict[str, Callable[..., ImportedFramework]] = {
    FrameworkImport.Format.CASE: case_package_read,
    FrameworkImport.Format.MOODLE: moodle_framework_read,
    FrameworkImport.Format.WORKBOOK: workbook_framework_read,
}


def upload_limit_text() -> str:
    return _("%(size)s MB") % {"size": settings.IMPORT_MAX_BYTES // (1024 * 1024)}


def check_upload_size(size: int) -> None:
    if size > settings.IMPORT_MAX_BYTES:
        raise ImportRefused(
            ImportProblem(
                "",
                _("The file is %(size).1f MB; the limit is %(limit)s.")
                % {"size": size / (1024 * 1024), "limit": upload_limit_text()},
            )
        )


def detect_format(data: bytes) -> str:
    if data.startswith(ZIP_MAGIC):
        return FrameworkImport.Format.WORKBOOK
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"{", b"[")):
        return FrameworkImport.Format.CASE
    return FrameworkImport.Format.MOODLE


def read_framework_file(
    data: bytes, *, source_name: str, file_format: str = ""
) -> tuple[ImportedFramework, str]:
    """The file read and settled, with the format it was read as; ImportRefused if it cannot be."""
    check_upload_size(len(data))
    if not data.strip():
        raise ImportRefused(ImportProblem("", _("The file is empty.")))
    detected = not file_format
    file_format = file_format or detect_format(data)
    if file_format not in READERS:
        raise ImportRefused(ImportProblem("", _("Unknown format %s.") % file_format))
    try:
        return READERS[file_format](data, source_name=source_name), file_format
    except ImportRefused as refused:
        if detected and file_format == FrameworkImport.Format.MOODLE:
            guess = _(
                "The file is neither CASE JSON nor a workbook (XLSX), so it was read as a "
                "Moodle competency CSV:"
            )
            refused.problems.insert(0, ImportProblem("", guess))
        raise


@dataclass(frozen=True)
class ExportKind:
    label: str
    extension: str
    content_type: str


EXPORT_KINDS = {
    "case-1.0": ExportKind(gettext_lazy("CASE 1.0 JSON"), "json", "application/json"),
    "case-1.1": ExportKind(gettext_lazy("CASE 1.1 JSON"), "json", "application/json"),
    "moodle": ExportKind(gettext_lazy("Moodle competency CSV"), "csv", "text/csv; charset=utf-8"),
    "workbook": ExportKind(gettext_lazy("Workbook (XLSX)"), "xlsx", XLSX_TYPE),
}


def export_framework_file(framework: Framework, kind: str, *, uris: CaseUris) -> bytes:
    """The framework as the bytes of a file of `kind` (a key of EXPORT_KINDS)."""
    if kind.startswith("case-"):
        package = framework_case_package(framework, case_version=kind[5:], uris=uris)
        return json.dumps(package, ensure_ascii=False, indent=2).encode()
    if kind == "moodle":
        return moodle_framework_csv(framework).encode()
    if kind == "workbook":
        return framework_workbook(framework)
    raise ValueError(f"Unknown export kind {kind!r}")


def export_file_name(framework: Framework, kind: str) -> str:
    return f"{framework.slug}-{framework.version_label}-{kind}.{EXPORT_KINDS[kind].extension}"
