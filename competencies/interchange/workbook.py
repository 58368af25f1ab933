"""A framework as an Excel workbook (.xlsx), and a workbook read back: the public functions.

The layout is in `workbook_layout`, reading in `workbook_reading`. Sheets: Framework (field |
value), Items (domains and capabilities in tree order, parents by code), Links, Themes and
References. Text written into a workbook is always written as text, never as a formula, whatever
it starts with.
"""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from competencies.interchange.content import FrameworkContent, framework_content
from competencies.interchange.workbook_layout import (
    CAPABILITY,
    DOMAIN,
    FRAMEWORK,
    FRAMEWORK_FIELDS,
    ITEMS,
    LINKS,
    LIST_SEPARATOR,
    MAX_ROWS,
    REFERENCES,
    SHEETS,
    THEMES,
    TYPE_CHOICES,
    Sheet,
)
from competencies.interchange.workbook_reading import workbook_framework_read
from competencies.models import Framework

__all__ = ["framework_workbook", "framework_workbook_template", "workbook_framework_read"]

HEADER_FONT = Font(bold=True)


def framework_workbook(framework: Framework) -> bytes:
    """The framework as an .xlsx workbook."""
    content = framework_content(framework)
    values = {
        "identifier": str(framework.uuid),
        "title": framework.title,
        "version": framework.version_label,
        "language": framework.language,
        "licence": framework.licence,
        "description": framework.description,
        "source": framework.source,
    }
    items = _item_rows(content)
    return _workbook(
        {
            FRAMEWORK: [[field, values[field]] for field in FRAMEWORK_FIELDS],
            ITEMS: [row for row, _depth in items],
            LINKS: _link_rows(content),
            THEMES: [[theme.code, theme.name, theme.description] for theme in content.themes],
            REFERENCES: [
                [reference.key, reference.citation, reference.year, reference.doi, reference.url]
                for reference in content.references
            ],
        },
        item_depths=[depth for _row, depth in items],
    )


def framework_workbook_template() -> bytes:
    """A blank workbook with every sheet and header, to fill in and upload."""
    return _workbook({FRAMEWORK: [[field, ""] for field in FRAMEWORK_FIELDS]})


def _item_rows(content: FrameworkContent) -> list[tuple[list, int | None]]:
    """Each row of the Items sheet, with the capability's depth (None for a domain)."""
    rows = []
    for domain in content.domains:
        rows.append(
            ([str(domain.uuid), DOMAIN, domain.code, "", domain.name, domain.description], None)
        )
        for capability in content.capabilities_of(domain):
            parent = capability.parent or capability.domain
            descriptors = capability.level_descriptors
            row = [
                str(capability.uuid),
                CAPABILITY,
                capability.code,
                parent.code,
                capability.title,
                capability.description,
                capability.relevance,
                descriptors.get(7, ""),
                descriptors.get(8, ""),
                LIST_SEPARATOR.join(theme.code for theme in capability.themes),
                LIST_SEPARATOR.join(sorted(reference.key for reference in capability.references)),
                capability.notes,
            ]
            rows.append((row, capability.depth))
    return rows


def _link_rows(content: FrameworkContent) -> list[list]:
    """Origin code, type, destination code, external identifier, URI and title, note."""
    rows = []
    for link in content.associations:
        origin, destination = link.origin, link.destination
        if destination.framework_id == content.framework.pk:
            ends = [origin.code, destination.code, "", ""]
        else:
            # A capability of another framework is, from this workbook, a node held elsewhere.
            ends = [
                origin.code,
                "",
                str(destination.uuid),
                f"{destination.code} {destination.title}",
            ]
        origin_code, destination_code, identifier, title = ends
        rows.append(
            [origin_code, link.association_type, destination_code, identifier, "", title, link.note]
        )
    for link in content.external_associations:
        code = link.capability.code
        origin_code, destination_code = (code, "") if link.capability_is_origin else ("", code)
        rows.append(
            [
                origin_code,
                link.association_type,
                destination_code,
                link.identifier,
                link.uri,
                link.title,
                link.note,
            ]
        )
    return rows


def _workbook(rows: dict[Sheet, list[list]], item_depths: list[int | None] = ()) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for sheet in SHEETS:
        _write_sheet(book.create_sheet(sheet.name), sheet, rows.get(sheet, []))
    items = book[ITEMS.name]
    title_column = 1 + [column.header for column in ITEMS.columns].index("title")
    for row_number, depth in enumerate(item_depths, start=2):
        if depth is None:
            for cell in items[row_number]:
                cell.font = HEADER_FONT
        else:
            cell = items.cell(row_number, title_column)
            cell.alignment = Alignment(wrap_text=True, vertical="top", indent=depth + 1)
    output = BytesIO()
    book.save(output)
    return output.getvalue()


def _write_sheet(worksheet, sheet: Sheet, rows: list[list]) -> None:
    for index, column in enumerate(sheet.columns, start=1):
        cell = worksheet.cell(1, index, column.header)
        cell.font = HEADER_FONT
        if column.help:
            cell.comment = Comment(column.help, "EISEN Curriculum")
        worksheet.column_dimensions[get_column_letter(index)].width = column.width
    worksheet.freeze_panes = "A2"
    top_aligned = Alignment(vertical="top")
    wrapped = Alignment(wrap_text=True, vertical="top")
    for row_number, values in enumerate(rows, start=2):
        for index, (column, value) in enumerate(zip(sheet.columns, values, strict=False), 1):
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
            cell = worksheet.cell(row_number, index, value)
            if isinstance(value, str):
                # openpyxl takes a string starting with "=" for a formula; user text never is one.
                cell.data_type = "s"
            cell.alignment = wrapped if column.wrap else top_aligned
    choices = TYPE_CHOICES.get(sheet.name)
    if choices:
        letter = get_column_letter(1 + [column.header for column in sheet.columns].index("type"))
        validation = DataValidation(
            type="list",
            formula1='"' + ",".join(choices) + '"',
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Type",
            error="Choose one of: " + ", ".join(choices),
        )
        validation.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
        worksheet.add_data_validation(validation)
    worksheet.auto_filter.ref = f"A1:{get_column_letter(len(sheet.columns))}{len(rows) + 1}"
