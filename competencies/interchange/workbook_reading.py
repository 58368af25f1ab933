"""A workbook in the layout of `workbook.framework_workbook`, read as an `ImportedFramework`.

Workbooks come from users: nothing in them is evaluated (formulas are read as the values last
calculated), and what the server unpacks and holds is bounded. A file that cannot be read is
refused with the sheet, row and column of every problem; what is read but not taken is reported.
"""

import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from io import BytesIO
from pathlib import PurePath
from uuid import UUID

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from competencies.interchange.imported import (
    ImportedFramework,
    ImportedLink,
    ImportedNode,
    ImportedReference,
    ImportedTheme,
    ImportProblem,
    ImportRefused,
)
from competencies.interchange.workbook_layout import (
    CAPABILITY,
    DOMAIN,
    FRAMEWORK,
    FRAMEWORK_FIELDS,
    ITEMS,
    LINKS,
    MAX_ROWS,
    REFERENCES,
    SHEETS,
    THEMES,
    Sheet,
)
from competencies.models import CapabilityAssociation

MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_COLUMNS = 40
FRAMEWORK_LIMITS = {"title": 200, "version_label": 40, "language": 12, "licence": 200}
CAPABILITY_ONLY = (
    "relevance",
    "EQF 7 descriptor",
    "EQF 8 descriptor",
    "themes",
    "references",
    "notes",
)
SLUG = re.compile(r"[-a-zA-Z0-9_]+")


@dataclass
class _Row:
    sheet: str
    number: int
    values: dict[str, str]  # by header, in lower case
    letters: dict[str, str]  # column letter by header, in lower case

    def __getitem__(self, header: str) -> str:
        return self.values.get(header.casefold(), "")

    def where(self, header: str | None = None) -> str:
        place = f"sheet {self.sheet}, row {self.number}"
        if header is None:
            return place
        letter = self.letters.get(header.casefold())
        return f"{place}, column {header}" + (f" ({letter})" if letter else "")


def workbook_framework_read(data: bytes, *, source_name: str) -> ImportedFramework:
    """Read a workbook in the layout `framework_workbook` writes, settled and ready to import.

    Raises ImportRefused, naming sheet, row and column, for a file that cannot be read as such.
    Item keys are identifiers when a row has one, else codes; parents and links name codes.
    """
    sheets = _sheets(data, source_name)
    if ITEMS.name.casefold() not in sheets:
        raise ImportRefused(
            ImportProblem(source_name, f"the workbook has no sheet {ITEMS.name}; see the template")
        )
    imported = ImportedFramework(title="")
    problems: list[ImportProblem] = []
    tables = {
        sheet.name: _table(sheets, sheet, imported, problems)
        for sheet in SHEETS
        if sheet is ITEMS or sheet.name.casefold() in sheets
    }
    if problems:
        raise ImportRefused(problems)
    _read_framework(tables.get(FRAMEWORK.name), imported, source_name, problems)
    key_of_code = _read_items(tables[ITEMS.name], imported, problems)
    _read_links(tables.get(LINKS.name, []), key_of_code, imported, problems)
    _read_themes(tables.get(THEMES.name, []), imported, problems)
    _read_references(tables.get(REFERENCES.name, []), imported, problems)
    if problems:
        raise ImportRefused(problems)
    for sheet in SHEETS:
        if sheet.name not in tables:
            imported.not_taken("", f"the workbook has no sheet {sheet.name}; read as empty")
    return imported.settle()


def _unreadable(source_name: str) -> ImportRefused:
    return ImportRefused(
        ImportProblem(
            source_name,
            "the file is not an Excel workbook (.xlsx) or is damaged; save it as .xlsx "
            "(not .xls, .ods or password-protected) and upload it again",
        )
    )


def _sheets(data: bytes, source_name: str) -> dict[str, tuple[str, list[tuple[int, tuple]]]]:
    """Every worksheet's name and non-blank rows (with their numbers), by name in lower case."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as error:
        raise _unreadable(source_name) from error
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportRefused(
            ImportProblem(source_name, "the workbook is too large to read (over 50 MB unpacked)")
        )
    try:
        book = load_workbook(BytesIO(data), read_only=True, data_only=True)
        try:
            return {
                worksheet.title.strip().casefold(): (worksheet.title, _sheet_rows(worksheet))
                for worksheet in book.worksheets
            }
        finally:
            book.close()
    except ImportRefused:
        raise
    # A damaged or foreign file can make the parser fail in many ways; all mean the same here.
    except Exception as error:
        raise _unreadable(source_name) from error


def _sheet_rows(worksheet) -> list[tuple[int, tuple]]:
    worksheet.reset_dimensions()  # some programs write wrong sizes; read what is there
    rows = []
    for number, values in enumerate(
        worksheet.iter_rows(min_row=1, min_col=1, max_col=MAX_COLUMNS, values_only=True), 1
    ):
        if any(_text(value) for value in values):
            rows.append((number, values))
            if len(rows) > MAX_ROWS:
                raise ImportRefused(
                    ImportProblem(f"sheet {worksheet.title}", f"more than {MAX_ROWS} rows")
                )
    return rows


def _text(value) -> str:
    """A cell's value as the text the user sees: codes typed as numbers stay codes."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.15g}"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def _table(sheets, sheet: Sheet, imported: ImportedFramework, problems) -> list[_Row]:
    """The sheet's rows below its header row, by the layout's column headers."""
    title, rows = sheets.get(sheet.name.casefold(), (sheet.name, []))
    header = rows[0][1] if rows and rows[0][0] == 1 else ()
    body = rows[1:] if header else rows
    known = {column.header.casefold(): column for column in sheet.columns}
    indexes: dict[str, int] = {}
    for index, value in enumerate(header):
        name = " ".join(_text(value).split()).casefold()
        where = f"sheet {title}, row 1, column {get_column_letter(index + 1)}"
        if name in indexes:
            problems.append(
                ImportProblem(
                    where,
                    f"the column {name} appears twice "
                    f"(also column {get_column_letter(indexes[name] + 1)})",
                )
            )
        elif name in known:
            indexes[name] = index
        elif name:
            imported.not_taken(where, f"the column {name} is not read")
    for name, column in known.items():
        if name in indexes:
            continue
        if column.required:
            problems.append(
                ImportProblem(f"sheet {title}, row 1", f"the column {column.header} is missing")
            )
        else:
            imported.not_taken(f"sheet {title}", f"no column {column.header}; read as empty")
    letters = {name: get_column_letter(index + 1) for name, index in indexes.items()}
    return [
        _Row(
            title, number, {name: _text(values[index]) for name, index in indexes.items()}, letters
        )
        for number, values in body
    ]


def _read_framework(rows, imported: ImportedFramework, source_name: str, problems) -> None:
    for row in rows or []:
        field = " ".join(row["Field"].split()).casefold().replace("license", "licence")
        attribute = FRAMEWORK_FIELDS.get(field)
        if attribute is None:
            imported.not_taken(row.where("Field"), f"{row['Field']} is not a framework field")
            continue
        value = row["Value"]
        if attribute == "uuid":
            imported.uuid = _uuid(value)
            if value and imported.uuid is None:
                imported.not_taken(row.where("Value"), f"{value} is not an identifier (a UUID)")
            continue
        limit = FRAMEWORK_LIMITS.get(attribute)
        if limit and len(value) > limit:
            problems.append(
                ImportProblem(row.where("Value"), f"the {field} is longer than {limit} characters")
            )
        setattr(imported, attribute, value)
    if not imported.title:
        imported.title = PurePath(source_name).stem[:200] or "Framework"
        imported.not_taken(
            f"sheet {FRAMEWORK.name}", f"no title; the file name {imported.title} was taken"
        )
    imported.version_label = imported.version_label or "1.0"
    imported.language = imported.language or "en"


def _uuid(value: str) -> UUID | None:
    try:
        return UUID(value) if value else None
    except ValueError:
        return None


def _listed(cell: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;,\n]", cell) if part.strip()]


def _read_items(rows: list[_Row], imported: ImportedFramework, problems) -> dict[str, str]:
    """Read the Items sheet into `imported.nodes`; returns the node key of each code."""
    if not rows:
        problems.append(
            ImportProblem(
                f"sheet {ITEMS.name}, row 2",
                "the sheet has no items; add a row for each domain and each capability",
            )
        )
    key_of_code: dict[str, str] = {}
    parents = []
    for row in rows:
        identifier = row["identifier"]
        uuid = _uuid(identifier)
        if identifier and uuid is None:
            imported.not_taken(
                row.where("identifier"), f"{identifier} is not a UUID; it is given a new one"
            )
        node = ImportedNode(
            key=str(uuid) if uuid else identifier or row["code"] or row.where(),
            code=row["code"],
            title=row["title"],
            where=row.where(),
            description=row["description"],
            uuid=uuid,
        )
        if node.code:
            key_of_code.setdefault(node.code, node.key)
        kind, parent_code = row["type"].casefold(), row["parent code"]
        if kind not in ("", DOMAIN.casefold(), CAPABILITY.casefold()):
            problems.append(
                ImportProblem(row.where("type"), f"{row['type']} is not {DOMAIN} or {CAPABILITY}")
            )
            continue
        is_domain = kind == DOMAIN.casefold() or (not kind and not parent_code)
        if is_domain and parent_code:
            problems.append(
                ImportProblem(row.where("parent code"), "a domain has no parent; leave it empty")
            )
        elif not is_domain and not parent_code:
            problems.append(
                ImportProblem(
                    row.where("parent code"),
                    "a capability needs its domain's code or its parent capability's code",
                )
            )
        if is_domain:
            for header in CAPABILITY_ONLY:
                if row[header]:
                    imported.not_taken(row.where(header), f"a domain has no {header}; not taken")
        else:
            node.relevance, node.notes = row["relevance"], row["notes"]
            node.level_descriptors = {
                level: text
                for level, text in ((7, row["EQF 7 descriptor"]), (8, row["EQF 8 descriptor"]))
                if text
            }
            node.themes, node.references = _listed(row["themes"]), _listed(row["references"])
            parents.append((node, row))
        imported.nodes.append(node)
    for node, row in parents:
        node.parent = key_of_code.get(row["parent code"])
        if node.parent is None and row["parent code"]:
            problems.append(
                ImportProblem(
                    row.where("parent code"),
                    f"{row['parent code']} is not the code of any row of this sheet",
                )
            )
    return key_of_code


def _read_links(rows, key_of_code: dict[str, str], imported: ImportedFramework, problems):
    types = {name.casefold(): name for name in CapabilityAssociation.Type.values}
    for row in rows:
        origin, destination = row["origin code"], row["destination code"]
        identifier = row["external identifier"]
        link = ImportedLink(
            origin=key_of_code.get(origin, origin),
            association_type=types.get(row["type"].casefold(), row["type"]),
            destination=key_of_code.get(destination, destination),
            where=row.where(),
            note=row["note"],
        )
        if origin and destination:
            if identifier:
                imported.not_taken(
                    row.where("external identifier"), "not taken: both ends of the link are codes"
                )
        elif (origin or destination) and identifier:
            if len(identifier) > 200:
                problems.append(
                    ImportProblem(row.where("external identifier"), "longer than 200 characters")
                )
            link.origin, link.destination = (
                link.origin or identifier,
                link.destination or identifier,
            )
            link.external = True
            link.external_uri = row["external URI"]
            link.external_title = row["external title"]
        else:
            imported.not_taken(
                row.where(),
                "a link needs an origin code and a destination code, "
                "or one of them and an external identifier; not taken",
            )
            continue
        imported.links.append(link)


def _checked_slug(row: _Row, header: str, limit: int, problems) -> str:
    value = row[header]
    if not SLUG.fullmatch(value) or len(value) > limit:
        problems.append(
            ImportProblem(
                row.where(header),
                f"{value or 'an empty cell'} is not a {header}: use up to {limit} letters, "
                "digits, hyphens or underscores",
            )
        )
    return value


def _read_themes(rows, imported: ImportedFramework, problems) -> None:
    seen = set()
    for row in rows:
        code = _checked_slug(row, "code", 60, problems)
        if len(row["name"]) > 120 or not row["name"]:
            problems.append(ImportProblem(row.where("name"), "give a name of 1 to 120 characters"))
        if code in seen:
            imported.not_taken(row.where("code"), f"the theme {code} is given twice; not taken")
            continue
        seen.add(code)
        imported.themes.append(ImportedTheme(code, row["name"], row["description"]))


def _read_references(rows, imported: ImportedFramework, problems) -> None:
    seen = set()
    for row in rows:
        key = _checked_slug(row, "key", 80, problems)
        if not row["citation"]:
            problems.append(ImportProblem(row.where("citation"), "the citation is empty"))
        year = row["year"]
        if year and not (year.isdecimal() and 1800 <= int(year) <= 2200):
            problems.append(ImportProblem(row.where("year"), f"{year} is not a year"))
        if len(row["DOI"]) > 200:
            problems.append(ImportProblem(row.where("DOI"), "longer than 200 characters"))
        url = row["URL"]
        if url:
            try:
                URLValidator()(url)
            except ValidationError:
                problems.append(ImportProblem(row.where("URL"), f"{url} is not a web address"))
            if len(url) > 500:
                problems.append(ImportProblem(row.where("URL"), "longer than 500 characters"))
        if key in seen:
            imported.not_taken(row.where("key"), f"the reference {key} is given twice; not taken")
            continue
        seen.add(key)
        imported.references.append(
            ImportedReference(
                key=key,
                citation=row["citation"],
                year=int(year) if year.isdecimal() else None,
                doi=row["DOI"],
                url=url,
            )
        )
