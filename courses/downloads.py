"""The coverage page's selection as files: the flat mapping table and the matrix, CSV or Excel.

CSV files are UTF-8 with a byte order mark, which is how Excel recognises UTF-8 (institution and
outcome texts have accents); a text that starts with = + - @ or a tab is written after an
apostrophe, so that a spreadsheet opening the file shows it rather than running it as a formula.
Excel files write every text as a text cell, whatever it starts with.
"""

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.http import Http404, HttpResponse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from courses.coverage import default_framework, split_by_framework
from courses.coverage_selection import CoverageSelectionForm
from courses.coverage_views import reader_required
from courses.models import Emphasis, OutcomeMapping, academic_year_label

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER_FONT = Font(bold=True)
# The heatmap's colours, lightest for Introduced; the letter is always in the cell as well.
EMPHASIS_FILLS = {
    Emphasis.INTRODUCED: PatternFill("solid", fgColor="DCEBF7"),
    Emphasis.REINFORCED: PatternFill("solid", fgColor="8DB9E2"),
    Emphasis.MASTERED: PatternFill("solid", fgColor="0B5394"),
}
MASTERED_FONT = Font(color="FFFFFF", bold=True)
CENTRED = Alignment(horizontal="center")


@dataclass
class Table:
    """Rows for a file: a header, the values, and how the Excel sheet presents them."""

    sheet_name: str
    headers: list[str]
    rows: list[list]
    widths: list[int]
    # Per row, the indentation of the capability title (the matrix shows the tree).
    indents: list[int] = field(default_factory=list)
    title_column: int = 0
    # Columns from this one on hold an emphasis letter (the matrix's course columns).
    first_emphasis_column: int | None = None


def mapping_table(form: CoverageSelectionForm) -> Table:
    """One row per mapping of the selected courses (those on the chosen framework)."""
    courses = list(form.selected_courses())
    framework = form.cleaned_data.get("framework") or default_framework(courses)
    included = split_by_framework(courses, framework)[0] if framework else []
    emphasis_labels = {value: str(label) for value, label in Emphasis.choices}
    mappings = (
        OutcomeMapping.objects.filter(outcome__course__in=[course.pk for course in included])
        .order_by(
            "outcome__course__semester",
            "outcome__course__code",
            "outcome__course__academic_year",
            "outcome__course_id",
            "outcome__position",
            "capability__domain__position",
            "capability__position",
        )
        .values_list(
            "outcome__course__code",
            "outcome__course__title",
            "outcome__course__academic_year",
            "outcome__code",
            "outcome__text",
            "capability__code",
            "capability__title",
            "capability__domain__name",
            "emphasis",
            "note",
        )
    )
    rows = [
        [
            course_code,
            course_title,
            academic_year_label(year),
            outcome_code,
            outcome_text,
            capability_code,
            capability_title,
            domain,
            emphasis_labels[emphasis],
            note,
        ]
        for (
            course_code,
            course_title,
            year,
            outcome_code,
            outcome_text,
            capability_code,
            capability_title,
            domain,
            emphasis,
            note,
        ) in mappings
    ]
    headers = [
        _("Course code"),
        _("Course title"),
        _("Academic year"),
        _("Outcome code"),
        _("Learning outcome"),
        _("Capability code"),
        _("Capability"),
        _("Domain"),
        _("Emphasis"),
        _("Note"),
    ]
    return Table(_("Mapping"), headers, rows, widths=[12, 30, 10, 10, 60, 10, 40, 14, 12, 30])


def matrix_table(form: CoverageSelectionForm) -> Table:
    """Capabilities by courses, with the highest emphasis, as on the coverage page."""
    result = form.coverage()
    course_count = len(result.courses)
    rows, indents = [], []
    for block in result.domains:
        for row in block.rows:
            letters = [""] * course_count
            for index, cell in row.cells.items():
                letters[index] = cell.emphasis
            rows.append([block.name, row.capability.code, row.capability.title, *letters])
            indents.append(row.depth)
    headers = [
        _("Domain"),
        _("Capability code"),
        _("Capability"),
        *(f"{course.code} ({course.academic_year_label})" for course in result.courses),
    ]
    return Table(
        _("Matrix"),
        headers,
        rows,
        widths=[14, 10, 50, *([14] * course_count)],
        indents=indents,
        title_column=2,
        first_emphasis_column=3,
    )


def csv_content(table: Table) -> bytes:
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(table.headers)
    writer.writerows(
        [
            f"'{value}"
            if isinstance(value, str) and value.startswith(CSV_FORMULA_STARTS)
            else value
            for value in row
        ]
        for row in table.rows
    )
    return ("\ufeff" + output.getvalue()).encode("utf-8")


def _text(sheet, value):
    """A value for a write-only sheet; a text is kept text even when it looks like a formula."""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith("=") or value in ERROR_CODES:
        cell = WriteOnlyCell(sheet, value)
        cell.data_type = "s"
        return cell
    return value


def _emphasis_cells(sheet, letters: Iterable[str]) -> list:
    cells = []
    for letter in letters:
        if not letter:
            cells.append(None)
            continue
        cell = WriteOnlyCell(sheet, letter)
        cell.fill = EMPHASIS_FILLS[letter]
        cell.alignment = CENTRED
        if letter == Emphasis.MASTERED:
            cell.font = MASTERED_FONT
        cells.append(cell)
    return cells


def xlsx_content(table: Table) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(table.sheet_name)
    for index, width in enumerate(table.widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "D2" if table.first_emphasis_column else "A2"
    header = []
    for text in table.headers:
        cell = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("", text))
        cell.data_type = "s"
        cell.font = HEADER_FONT
        header.append(cell)
    sheet.append(header)
    emphasis_from = table.first_emphasis_column
    for number, row in enumerate(table.rows):
        texts = row if emphasis_from is None else row[:emphasis_from]
        values = [_text(sheet, value) for value in texts]
        if table.indents and table.indents[number]:
            title = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("", texts[table.title_column]))
            title.data_type = "s"
            title.alignment = Alignment(indent=table.indents[number])
            values[table.title_column] = title
        if emphasis_from is not None:
            values.extend(_emphasis_cells(sheet, row[emphasis_from:]))
        sheet.append(values)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.headers))}{len(table.rows) + 1}"
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


TABLES: dict[str, Callable[[CoverageSelectionForm], Table]] = {
    "mapping": mapping_table,
    "matrix": matrix_table,
}
FORMATS: dict[str, tuple[Callable[[Table], bytes], str]] = {
    "csv": (csv_content, "text/csv; charset=utf-8"),
    "xlsx": (xlsx_content, XLSX_TYPE),
}


def file_name(form: CoverageSelectionForm, table: str, file_format: str) -> str:
    """Says what the file holds: eisen-mapping-2026-msc-implementation-science-eqf7.csv."""
    data = form.cleaned_data
    parts = ["eisen", table]
    if data.get("academic_year"):
        parts.append(str(data["academic_year"]))
    if data.get("programme"):
        parts.append(slugify(data["programme"].name))
    elif data.get("institution"):
        parts.append(slugify(data["institution"].name))
    courses = data.get("course") or []
    if len(courses) == 1:
        parts.append(slugify(courses[0].code))
    elif courses:
        parts.append(f"{len(courses)}-courses")
    if data.get("eqf_level"):
        parts.append(f"eqf{data['eqf_level']}")
    if len(parts) == 2:
        parts.append("all-courses")
    return f"{'-'.join(part for part in parts if part)}.{file_format}"


def _selection_refused(form: CoverageSelectionForm) -> HttpResponse:
    problems = [
        f"{form.fields[name].label if name in form.fields else _('Selection')}: {message}"
        for name, messages in form.errors.items()
        for message in messages
    ]
    text = _("The selection cannot be read:") + "\n" + "\n".join(problems) + "\n"
    return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")


@require_GET
@reader_required
def coverage_download(request, table: str, file_format: str):
    """The mapping table or the matrix of the page's selection (same query string), as a file."""
    if table not in TABLES or file_format not in FORMATS:
        raise Http404(
            _("There is no download %(table)s.%(format)s.")
            % {"table": table, "format": file_format}
        )
    form = CoverageSelectionForm(request.GET)
    if not form.is_valid():
        return _selection_refused(form)
    write, content_type = FORMATS[file_format]
    response = HttpResponse(write(TABLES[table](form)), content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="{file_name(form, table, file_format)}"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
