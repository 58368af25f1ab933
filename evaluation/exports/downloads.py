"""The export files built from their valid selection forms, and served as downloads: the same
for the exports page and the API."""

from dataclasses import dataclass

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify

from courses.downloads import XLSX_TYPE
from evaluation.exports.forms import CodebookForm, ProjectForm, QuoteBankForm
from evaluation.exports.quote_bank import quote_bank_csv, quote_bank_table, quote_bank_xlsx
from evaluation.exports.refi_project import project_qdpx
from evaluation.exports.refi_qda import codebook_qdc

QUOTE_BANK_FORMATS = {
    "csv": (quote_bank_csv, "text/csv; charset=utf-8"),
    "xlsx": (quote_bank_xlsx, XLSX_TYPE),
}
CODEBOOK_TYPE = "application/xml"
PROJECT_TYPE = "application/zip"


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    content_type: str
    filename: str


def _filename(*parts: str, extension: str) -> str:
    """eisen-quote-bank-msc101-formative-2026-06-01.csv: what it holds and when it was made."""
    words = [slugify(part) for part in parts if part]
    return f"{'-'.join(word for word in words if word)}-{timezone.localdate():%Y-%m-%d}.{extension}"


def quote_bank_file(form: QuoteBankForm, *, user, file_format: str) -> ExportFile:
    write, content_type = QUOTE_BANK_FORMATS[file_format]
    data = form.cleaned_data
    table = quote_bank_table(user=user, tree=form.code_tree, **data)
    name = _filename(
        "eisen-quote-bank",
        data["course"].code if data["course"] else "",
        data["phase"],
        data["mechanism"].name if data["mechanism"] else "",
        data["logic_model"].title if data["logic_model"] and not data["mechanism"] else "",
        data["code"].name if data["code"] else "",
        "all-coders" if data["include_all_coders"] else "",
        extension=file_format,
    )
    return ExportFile(write(table), content_type, name)


def codebook_file(form: CodebookForm) -> ExportFile:
    """Raises eisen.errors.Conflict when the codebook has no code yet."""
    content = codebook_qdc(as_code_branch=form.cleaned_data["as_code_branch"])
    return ExportFile(content, CODEBOOK_TYPE, _filename("eisen-codebook", extension="qdc"))


def project_file(form: ProjectForm, *, user) -> ExportFile:
    data = form.cleaned_data
    groups = data["focus_groups"]
    content = project_qdpx(
        user=user,
        transcripts=form.transcripts(),
        include_all_coders=data["include_all_coders"],
        as_code_branch=data["as_code_branch"],
    )
    name = _filename(
        "eisen-evaluation",
        data["course"].code if data["course"] else "",
        groups[0].title if len(groups) == 1 else f"{len(groups)}-focus-groups" if groups else "",
        extension="qdpx",
    )
    return ExportFile(content, PROJECT_TYPE, name)


def file_response(export: ExportFile) -> HttpResponse:
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    # Students' words: no copy kept by a browser or a proxy on the way.
    response["Cache-Control"] = "private, no-store"
    return response
