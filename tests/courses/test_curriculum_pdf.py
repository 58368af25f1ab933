"""The curriculum PDF, read back with pypdf and pdftotext.

The curriculum: the EISEN framework (A1's title holds å ø æ ä ö ł ő, K1 has EQF 7 and 8
descriptors) and three courses of "MSc Implementation Science", one per semester:
  IMP101 (sem. 1, led by Ingrid Løvås): LO1 → K1 I, S1 I; LO2 → K2 R, S2 I; LO3 maps to nothing
  IMP102 (sem. 2): LO1 → K1 R, S1 M
  IMP103 (sem. 3): LO1 → K1 M, A1 M  (A1 Mastered with nothing earlier: a progression problem)
OTH100 of the same programme maps to another framework and is left out.
"""

import io
import json
import re
import subprocess
import threading
from dataclasses import dataclass
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from competencies.models import Capability, Domain, LevelDescriptor
from competencies.services.loading import eisen_framework_load
from courses.coverage import Coverage, DomainBlock
from courses.coverage_build import CapabilityRef, CapabilityRow, Cell, DomainRef
from courses.curriculum_pdf.document import build, filename
from courses.curriculum_pdf.form import CurriculumExportForm
from courses.curriculum_pdf.matrix import MAX_COURSES_PER_TABLE, column_groups, matrix_tables
from courses.models import Course, Emphasis
from eisen.export_kinds import ExportFailed
from eisen.pdf import render_pdf
from tests.factories import (
    CourseFactory,
    FrameworkFactory,
    LearningOutcomeFactory,
    OutcomeMappingFactory,
    ProgrammeFactory,
    UserFactory,
)

LETTERS = "å ø æ ä ö ł ő"
EISEN_CODES = [f"K{n}" for n in range(1, 7)] + [f"S{n}" for n in range(1, 6)]
EISEN_CODES += [f"A{n}" for n in range(1, 5)]
TITLE = "Curriculum: EISEN Competency Framework 1.0"
PROGRESSION = (
    "A1 is Mastered in IMP103 (semester 3) but no earlier course of the programme Introduces or "
    "Reinforces it."
)


# --- the curriculum and reading the PDF back -------------------------------------------------


def _outcome(course, code, position, maps=(), text=None):
    outcome = LearningOutcomeFactory(
        course=course, code=code, position=position, text=text or f"{course.code} outcome {code}"
    )
    for capability, emphasis in maps:
        OutcomeMappingFactory(outcome=outcome, capability=capability, emphasis=emphasis)
    return outcome


def make_curriculum(framework) -> dict:
    """The curriculum of the module docstring; returns the courses by code."""
    capabilities = {c.code: c for c in Capability.objects.filter(framework=framework)}
    Capability.objects.filter(pk=capabilities["A1"].pk).update(title=f"Values-driven {LETTERS}")
    LevelDescriptor.objects.create(
        capability=capabilities["K1"], eqf_level=7, text="Compares paradigms for a given problem."
    )
    LevelDescriptor.objects.create(
        capability=capabilities["K1"], eqf_level=8, text="Builds a new interdisciplinary frame."
    )
    programme = ProgrammeFactory(name="MSc Implementation Science")
    lead = UserFactory(username="ingrid", first_name="Ingrid", last_name="Løvås")

    def course(code, semester, **extra):
        return CourseFactory(
            code=code,
            title=f"Course {code}",
            institution=programme.institution,
            programme=programme,
            semester=semester,
            **{"framework": framework, **extra},
        )

    courses = {
        "IMP101": course("IMP101", 1, leads=[lead]),
        "IMP102": course("IMP102", 2),
        "IMP103": course("IMP103", 3),
        "OTH100": course("OTH100", 1, framework=FrameworkFactory(title="Other framework")),
    }
    k1, k2, s1, s2, a1 = (capabilities[code] for code in ("K1", "K2", "S1", "S2", "A1"))
    i, r, m = Emphasis.INTRODUCED, Emphasis.REINFORCED, Emphasis.MASTERED
    _outcome(courses["IMP101"], "LO1", 1, [(k1, i), (s1, i)])
    _outcome(courses["IMP101"], "LO2", 2, [(k2, r), (s2, i)])
    _outcome(courses["IMP101"], "LO3", 3, text="Write a reflective log no capability covers.")
    _outcome(courses["IMP102"], "LO1", 1, [(k1, r), (s1, m)])
    _outcome(courses["IMP103"], "LO1", 1, [(k1, m), (a1, m)])
    return courses


def export_parameters(data: dict) -> dict:
    form = CurriculumExportForm(data)
    assert form.is_valid(), form.errors
    return form.export_parameters()


def pdf_text(
    pdf: bytes, *, first: int | None = None, last: int | None = None, layout: bool = False
) -> str:
    """The text of the PDF (of pages `first` to `last`), in reading order or as laid out."""
    pages = ["-layout"] if layout else []
    if first:
        pages += ["-f", str(first)]
    if last:
        pages += ["-l", str(last)]
    result = subprocess.run(
        ["/usr/bin/pdftotext", "-enc", "UTF-8", *pages, "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    )
    return result.stdout.decode("utf-8")


def squeezed(text: str) -> str:
    """`text` without white space: table cells wrap their lines anywhere."""
    return "".join(text.split())


def shows(text: str, *phrases: str) -> bool:
    return all(squeezed(phrase) in squeezed(text) for phrase in phrases)


def outline(reader: PdfReader) -> list[tuple[int, str, int]]:
    """(depth, title, 1-based page) of every bookmark, in order."""
    entries = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                entries.append((depth, item.title, reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 0)
    return entries


def bookmark_page(reader: PdfReader, title: str) -> int:
    return next(page for _depth, found, page in outline(reader) if found == title)


def embedded_fonts(reader: PdfReader) -> dict[str, set[str]]:
    """Font name → the kinds of font file embedded for it, over every page."""
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            owner = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = owner["/FontDescriptor"].get_object()
            fonts[str(font["/BaseFont"])] = {
                key for key in ("/FontFile", "/FontFile2", "/FontFile3") if key in descriptor
            }
    return fonts


class _MatrixReader(HTMLParser):
    """Each matrix row's cells by capability code, colspans expanded into empty cells."""

    def __init__(self):
        super().__init__()
        self.rows: dict[str, list[str]] = {}
        self.in_matrix = False
        self.row: list | None = None
        self.cell: list | None = None
        self.span = 1

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.in_matrix = attrs.get("class") == "matrix__table"
        elif self.in_matrix and tag == "tr":
            self.row = []
        elif self.in_matrix and tag in ("th", "td") and self.row is not None:
            self.cell, self.span = [], int(attrs.get("colspan", 1))

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self.cell is not None:
            self.row.extend(["".join(self.cell).strip()] * self.span)
            self.cell = None
        elif tag == "tr" and self.row:
            self.rows.setdefault(self.row[0].split(" ")[0], []).append(self.row[1:])
            self.row = None


def matrix_rows(html: str) -> dict[str, list[list[str]]]:
    reader = _MatrixReader()
    reader.feed(html)
    return reader.rows


@dataclass(frozen=True)
class Rendered:
    title: str
    filename: str
    html: str
    pdf: bytes
    reader: PdfReader
    text: str


@pytest.fixture(scope="module")
def rendered(django_db_setup, django_db_blocker) -> Rendered:
    """The whole curriculum rendered once for the module; its data rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        make_curriculum(eisen_framework_load())
        document = build(export_parameters({}))
        transaction.set_rollback(True)
    pdf = render_pdf(document.html, title=document.title, language=document.language)
    return Rendered(
        document.title,
        document.filename,
        document.html,
        pdf,
        PdfReader(io.BytesIO(pdf)),
        pdf_text(pdf),
    )


# --- the document as a whole -------------------------------------------------------------------


def test_title_and_language_are_in_the_metadata_and_catalog(rendered):
    assert rendered.title == TITLE
    assert rendered.reader.metadata.title == TITLE
    assert rendered.reader.trailer["/Root"]["/Lang"] == "en"
    assert '<html lang="en">' in rendered.html


def test_filename_is_the_framework_slug_and_version(rendered):
    assert rendered.filename == "curriculum-eisen-competency-framework-1-0.pdf"
    framework = FrameworkFactory.build(slug="Pilot Framework", version_label="2.1 beta")
    assert filename(framework) == "curriculum-pilot-framework-2-1-beta.pdf"


def test_pdf_is_tagged(rendered):
    catalog = rendered.reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog
    assert bool(catalog["/MarkInfo"]["/Marked"])


def test_fonts_are_embedded_and_european_letters_come_back_out(rendered):
    fonts = embedded_fonts(rendered.reader)
    assert any(name.endswith("+EISEN-Sans") for name in fonts), fonts
    assert all("/FontFile2" in kinds for kinds in fonts.values()), fonts
    assert shows(rendered.text, f"A1 Values-driven {LETTERS}")
    for letter in LETTERS.split():
        assert letter in rendered.text


def test_page_count_is_plausible(rendered):
    # Cover, contents, about three pages of framework, one or two of courses, the matrix, gaps.
    assert 7 <= len(rendered.reader.pages) <= 16


def test_every_section_and_part_has_a_bookmark(rendered):
    entries = outline(rendered.reader)
    top = [title for depth, title, _page in entries if depth == 0]
    assert top == [
        "EISEN Competency Framework",
        "Contents",
        "The framework",
        "Course specifications",
        "Coverage matrix",
        "Gaps",
    ]
    titles = [title for _depth, title, _page in entries]
    for part in (
        "Themes",
        "1. IMP101 Course IMP101",
        "2. IMP102 Course IMP102",
        "3. IMP103 Course IMP103",
        "The courses by column",
        "1 progression problem",
    ):
        assert part in titles
    # Knowledge, Skills and Attitudes: once in the framework, once in the matrix.
    assert titles.count("Knowledge (K)") == 2
    assert titles.count("Attitudes (A)") == 2


def test_bookmarks_point_at_their_pages_in_order(rendered):
    pages = [page for depth, _title, page in outline(rendered.reader) if depth == 0]
    assert pages == sorted(pages)
    assert pages[:3] == [1, 2, 3]


def test_contents_give_the_page_of_each_section(rendered):
    contents = pdf_text(rendered.pdf, first=2, last=2, layout=True)
    for section in ("The framework", "Course specifications", "Coverage matrix", "Gaps"):
        match = re.search(rf"^\s*{section}[ .]*(\d+)\s*$", contents, re.MULTILINE)
        assert match, (section, contents)
        assert int(match.group(1)) == bookmark_page(rendered.reader, section)


def test_matrix_pages_are_landscape_and_the_others_portrait(rendered):
    reader = rendered.reader
    first = bookmark_page(reader, "Coverage matrix")
    after = bookmark_page(reader, "Gaps")
    assert after > first
    for number, page in enumerate(reader.pages, start=1):
        box = page.mediabox
        if first <= number < after:
            assert box.width > box.height, number
        else:
            assert box.height > box.width, number


def test_cover_has_no_running_header_or_page_number_and_the_others_do(rendered):
    pages = len(rendered.reader.pages)
    cover = pdf_text(rendered.pdf, first=1, last=1)
    assert "Prepared by EISEN Curriculum" in cover
    assert "page 1 of" not in cover
    assert TITLE not in cover
    for number in (2, pages):
        text = pdf_text(rendered.pdf, first=number, last=number)
        assert f"page {number} of {pages}" in text
        assert TITLE in text
    framework_page = bookmark_page(rendered.reader, "The framework")
    # The running header names the section the page is in.
    header = pdf_text(rendered.pdf, first=framework_page + 1, layout=True).splitlines()[0]
    assert re.fullmatch(rf"\s*{TITLE}\s+The framework\s*", header), header


def test_cover_names_the_framework_selection_licence_and_left_out_courses(rendered):
    assert shows(
        pdf_text(rendered.pdf, first=1, last=1),
        "EISEN Competency Framework",
        "Version 1.0",
        "Courses all 3 courses",
        "Licence Erasmus+ project output",
        "Left out 1 chosen course maps to Other framework 1.0: OTH100",
        "Language English",
    )


# --- the sections ----------------------------------------------------------------------------


def test_every_capability_code_is_in_the_framework_tables_and_the_matrix(rendered):
    reader = rendered.reader
    framework = pdf_text(
        rendered.pdf,
        first=bookmark_page(reader, "The framework"),
        last=bookmark_page(reader, "Course specifications") - 1,
    )
    matrix = pdf_text(
        rendered.pdf,
        first=bookmark_page(reader, "Coverage matrix"),
        last=bookmark_page(reader, "Gaps") - 1,
    )
    for code in EISEN_CODES:
        assert re.search(rf"\b{code}\b", framework), code
        assert re.search(rf"\b{code}\b", matrix), code


def test_framework_tables_hold_description_relevance_descriptors_and_themes(rendered):
    assert shows(
        rendered.text,
        # pdftotext joins "co-" at the end of a line to the next: "research co-production".
        "Capability Description Relevance to research",
        "K1 Interdisciplinary knowledge An appreciation of the research paradigms",
        "EQF 7 (master's): Compares paradigms for a given problem.",
        "EQF 8 (doctoral): Builds a new interdisciplinary frame.",
        "Themes: Research competence",
    )


def test_course_specifications_give_facts_leads_outcomes_and_emphasis(rendered):
    reader = rendered.reader
    courses = pdf_text(
        rendered.pdf,
        first=bookmark_page(reader, "Course specifications"),
        last=bookmark_page(reader, "Coverage matrix") - 1,
    )
    assert shows(
        courses,
        "Course leads Ingrid Løvås",
        "Programme MSc Implementation Science",
        "EQF level EQF 7 (master's)",
        "ECTS 10",
        "Delivery mode Blended",
        "Academic year 2026/27, semester 3",
        "Framework version EISEN Competency Framework 1.0",
        "K1 Interdisciplinary knowledge (Introduced)",
        "S1 Working with multiple communities (Mastered)",
        "Analyse",
        "Not mapped",
    )
    assert "OTH100" not in courses


def test_matrix_cells_hold_each_course_s_highest_emphasis(rendered):
    rows = matrix_rows(rendered.html)
    assert rows["Capability"][0] == ["1", "2", "3"]
    assert rows["K1"] == [["I", "R", "M"]]
    assert rows["S1"] == [["I", "M", ""]]
    assert rows["K2"] == [["R", "", ""]]
    assert rows["A1"] == [["", "", "M"]]
    assert rows["K3"] == [["", "", ""]]


def test_matrix_has_a_legend_of_emphases_and_course_columns(rendered):
    matrix = pdf_text(rendered.pdf, first=bookmark_page(rendered.reader, "Coverage matrix"))
    assert shows(
        matrix,
        "I Introduced R Reinforced M Mastered Not mapped",
        "1 IMP101 Course IMP101",
        "3 IMP103 Course IMP103",
        "Capabilities covered",
    )


def test_gap_lists_and_progression_problems(rendered):
    gaps = pdf_text(rendered.pdf, first=bookmark_page(rendered.reader, "Gaps"))
    assert shows(
        gaps,
        "10 capabilities no outcome maps to • K3 Systems knowledge (Knowledge)",
        "1 capability only ever Introduced • S2 Leadership and Political skills (Skills)",
        "1 learning outcome mapped to nothing • IMP101 LO3 Write a reflective log",
        "1 progression problem Within each programme",
        f"{PROGRESSION} Outcomes: LO1",
    )
    assert "K1 Interdisciplinary" not in gaps


@pytest.mark.django_db
def test_a_long_matrix_repeats_its_header_row_on_every_page(eisen_framework):
    make_curriculum(eisen_framework)
    knowledge = Domain.objects.get(framework=eisen_framework, code="K")
    Capability.objects.bulk_create(
        Capability(
            framework=eisen_framework,
            domain=knowledge,
            code=f"K{number}",
            title=f"Generated capability {number}",
            position=number,
        )
        for number in range(7, 160)
    )
    document = build(export_parameters({"sections": ["matrix"]}))
    pdf = render_pdf(document.html, title=document.title, language=document.language)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    # Cover and contents, then at least three pages of matrix.
    assert pages >= 5
    for number in range(3, pages + 1):
        text = pdf_text(pdf, first=number, last=number, layout=True)
        assert re.search(r"^\s*Capability\s+1\s+2\s+3\s*$", text, re.MULTILINE), number


@pytest.mark.django_db
def test_the_document_is_written_in_the_export_s_language(eisen_framework, settings):
    settings.LANGUAGES = [("en", "English"), ("nb", "Norsk bokmål")]
    make_curriculum(eisen_framework)
    document = build(export_parameters({"language": "nb", "sections": ["gaps"]}))
    assert document.language == "nb"
    assert '<html lang="nb">' in document.html
    assert "<td>Norsk bokmål</td>" in document.html


@pytest.mark.django_db
def test_only_the_chosen_sections_are_built(eisen_framework):
    make_curriculum(eisen_framework)
    document = build(export_parameters({"sections": ["matrix"]}))
    pdf = render_pdf(document.html, title=document.title, language=document.language)
    reader = PdfReader(io.BytesIO(pdf))
    top = [title for depth, title, _page in outline(reader) if depth == 0]
    assert top == ["EISEN Competency Framework", "Contents", "Coverage matrix"]
    # Cover and contents portrait, the matrix landscape.
    assert [page.mediabox.width > page.mediabox.height for page in reader.pages] == [
        False,
        False,
        *[True] * (len(reader.pages) - 2),
    ]


# --- the matrix layout -------------------------------------------------------------------------


def test_up_to_thirty_courses_share_one_table_and_more_are_split_evenly():
    assert [len(group.columns) for group in column_groups(MAX_COURSES_PER_TABLE)] == [30]
    assert [len(group.columns) for group in column_groups(31)] == [16, 15]
    groups = column_groups(200)
    assert [len(group.columns) for group in groups] == [29] * 6 + [26]
    assert [(group.first, group.last) for group in groups[:2]] == [(1, 29), (30, 58)]
    assert column_groups(0) == []


def test_course_columns_and_stripes_share_the_same_edges():
    group = column_groups(4)[0]
    # Four courses at the widest column: the table is 28 + 4 × 5 = 48 % of the page.
    assert group.table_style.startswith("width: 48%;")
    assert group.capability_width == "58.3333%"
    assert group.course_width == "10.4167%"
    # Stripes behind columns 1 and 3: from 58.33 % to 68.75 % and from 79.17 % to 89.58 %.
    assert "#ebebeb 58.3333%, #ebebeb 68.75%, transparent 68.75%" in group.table_style
    assert "#ebebeb 79.1667%, #ebebeb 89.5833%, transparent 89.5833%" in group.table_style


def _coverage(course_count: int, cells_by_code: dict[str, dict[int, str]]) -> Coverage:
    domain = DomainRef("K", "Knowledge")
    rows = [
        CapabilityRow(
            CapabilityRef(pk, None, code, f"Capability {code} " * 8, "", None, domain),
            0,
            {index: Cell(emphasis, [], False) for index, emphasis in cells.items()},
            max(cells.values(), default=""),
        )
        for pk, (code, cells) in enumerate(cells_by_code.items())
    ]
    block = DomainBlock("Knowledge", "K", rows, [0] * course_count)
    return Coverage(None, [object()] * course_count, [], [block], [], [])


def test_runs_of_unmapped_courses_become_one_cell_each():
    result = _coverage(40, {"K1": {0: "I", 1: "R", 19: "M"}, "K2": {}, "K3": {25: "M"}})
    first, second = matrix_tables(result)
    assert (first.split, second.split) == (True, True)
    assert (first.group.first, first.group.last, second.group.first) == (1, 20, 21)
    runs = {row.code: [tuple(run) for run in row.runs] for row in first.rows}
    assert runs["K1"] == [("I", 1), ("R", 1), ("", 17), ("M", 1)]
    assert runs["K2"] == [("", 20)]
    assert runs["K3"] == [("", 20)]
    runs = {row.code: [tuple(run) for run in row.runs] for row in second.rows}
    assert runs["K3"] == [("", 5), ("M", 1), ("", 14)]
    assert first.rows[0].title.endswith("…")


@pytest.mark.django_db
def test_more_than_thirty_courses_give_a_table_per_column_group(eisen_framework):
    programme = ProgrammeFactory()
    k1 = Capability.objects.get(framework=eisen_framework, code="K1")
    for number in range(31):
        course = CourseFactory(
            code=f"C{number:02d}",
            institution=programme.institution,
            programme=programme,
            framework=eisen_framework,
        )
        _outcome(course, "LO1", 1, [(k1, Emphasis.REINFORCED)])
    html = build(export_parameters({"sections": ["matrix"]})).html
    assert "Knowledge (K), courses 1\N{EN DASH}16" in html
    assert "Knowledge (K), courses 17\N{EN DASH}31" in html
    assert matrix_rows(html)["K1"] == [["R"] * 16, ["R"] * 15]


# --- bad input ---------------------------------------------------------------------------------


@pytest.fixture
def local_server():
    """A tiny http server on loopback that records every request it receives."""
    requests = []

    class Recorder(BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"body { color: red }")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@pytest.mark.django_db
def test_markup_in_user_text_is_printed_as_text_and_nothing_is_fetched(
    eisen_framework, tmp_path, local_server, caplog
):
    base, requests = local_server
    sentinel = tmp_path / "sentinel.png"
    sentinel.write_bytes(PNG)
    markup = (
        f'See <img src="file://{sentinel}"> and <link rel="stylesheet" href="{base}/x.css"> '
        "and <script>alert(1)</script> here"
    )
    courses = make_curriculum(eisen_framework)
    Capability.objects.filter(framework=eisen_framework, code="K1").update(description=markup)
    Course.objects.filter(pk=courses["IMP101"].pk).update(title="<script>alert(2)</script>")
    document = build(export_parameters({}))
    caplog.set_level("DEBUG", logger="eisen.pdf")
    pdf = render_pdf(document.html, title=document.title, language=document.language)

    # Long lines break after a slash: compare without white space.
    text = "".join(pdf_text(pdf).split())
    for shown in (markup, "<script>alert(2)</script>"):
        assert "".join(shown.split()) in text
    assert requests == []
    logged = " ".join(r.getMessage() for r in caplog.records if r.name == "eisen.pdf")
    assert "sentinel" not in logged
    assert "127.0.0.1" not in logged
    # Only the print CSS and the fonts were served.
    assert "static/css/print/curriculum.css" in logged
    reader = PdfReader(io.BytesIO(pdf))
    for page in reader.pages:
        objects = page["/Resources"].get("/XObject", {})
        assert all(o.get_object().get("/Subtype") != "/Image" for o in objects.values())


# --- reading the database ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_deleted_course_or_framework_fails_the_export_with_a_message(eisen_framework):
    courses = make_curriculum(eisen_framework)
    parameters = export_parameters({})
    Course.objects.filter(pk=courses["IMP102"].pk).delete()
    with pytest.raises(ExportFailed, match="1 course of this export no longer exists"):
        build(parameters)
    gone = {**parameters, "framework": "8c1f7b0e-0000-4000-8000-000000000000"}
    with pytest.raises(ExportFailed, match="framework version of this export no longer exists"):
        build(gone)


@pytest.mark.django_db
def test_parameters_survive_json_and_build_the_same_document(eisen_framework):
    make_curriculum(eisen_framework)
    parameters = export_parameters({})
    assert build(json.loads(json.dumps(parameters))).html == build(parameters).html


def _bigger_curriculum(framework):
    """Five more courses with outcomes, mappings and leads, and more level descriptors."""
    programme = ProgrammeFactory(name="MSc Co-production")
    capabilities = list(Capability.objects.filter(framework=framework))
    for capability in capabilities[2:]:
        LevelDescriptor.objects.create(capability=capability, eqf_level=7, text="At level 7.")
    for number in range(5):
        course = CourseFactory(
            institution=programme.institution,
            programme=programme,
            semester=number + 1,
            framework=framework,
            leads=[UserFactory(), UserFactory()],
        )
        for position in range(4):
            _outcome(
                course,
                f"LO{position}",
                position,
                [
                    (capabilities[(number + position + k) % 15], Emphasis.REINFORCED)
                    for k in range(3)
                ],
            )


@pytest.mark.django_db
def test_the_document_is_read_in_the_same_number_of_queries_at_any_size(
    eisen_framework, django_assert_max_num_queries
):
    make_curriculum(eisen_framework)
    counts = []
    for grow in (None, _bigger_curriculum):
        if grow:
            grow(eisen_framework)
        parameters = export_parameters({})
        with django_assert_max_num_queries(12), CaptureQueriesContext(connection) as queries:
            document = build(parameters)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert "8. " in document.html
