"""The curriculum PDF, read back with pypdf and pdftotext: the document as a whole, its sections,
bad input and reading the database. The matrix's layout is in test_curriculum_pdf_matrix.

The curriculum is the one of tests.courses.curriculum_pdf_support: IMP101, IMP102 and IMP103 of
"MSc Implementation Science" on the EISEN framework, and OTH100 of the same programme on another.
"""

import io
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from competencies.models import Capability, LevelDescriptor
from courses.curriculum_pdf.document import build, filename
from courses.models import Course, Emphasis
from eisen.export_kinds import ExportFailed
from eisen.pdf import render_pdf
from tests.courses import curriculum_pdf_support
from tests.courses.curriculum_pdf_support import (
    LETTERS,
    add_outcome,
    export_parameters,
    make_curriculum,
    matrix_rows,
)
from tests.factories import CourseFactory, FrameworkFactory, ProgrammeFactory, UserFactory
from tests.pdf_reading import bookmark_page, embedded_fonts, outline, pdf_text, shows

# A fixture is found by pytest under a name of the test module; `rendered` renders once here.
rendered = curriculum_pdf_support.rendered
local_server = curriculum_pdf_support.local_server

EISEN_CODES = [f"K{n}" for n in range(1, 7)] + [f"S{n}" for n in range(1, 6)]
EISEN_CODES += [f"A{n}" for n in range(1, 5)]
TITLE = "Curriculum: EISEN Competency Framework 1.0"
PROGRESSION = (
    "A1 is Mastered in IMP103 (semester 3) but no earlier course of the programme Introduces or "
    "Reinforces it."
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


# --- bad input ---------------------------------------------------------------------------------


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
            add_outcome(
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
