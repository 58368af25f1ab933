"""The coverage matrix of the curriculum PDF: its header row repeated on every page, its courses
split into column groups of at most thirty, and runs of unmapped courses drawn as one cell.

The curriculum is the one of tests.courses.curriculum_pdf_support.
"""

import io
import re

import pytest
from pypdf import PdfReader

from competencies.models import Capability, Domain
from courses.coverage import Coverage, DomainBlock
from courses.coverage_build import CapabilityRef, CapabilityRow, Cell, DomainRef
from courses.curriculum_pdf.document import build
from courses.curriculum_pdf.matrix import MAX_COURSES_PER_TABLE, column_groups, matrix_tables
from courses.models import Emphasis
from eisen.pdf import render_pdf
from tests.courses.curriculum_pdf_support import (
    add_outcome,
    export_parameters,
    make_curriculum,
    matrix_rows,
)
from tests.factories import CourseFactory, ProgrammeFactory
from tests.pdf_reading import pdf_text


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
        add_outcome(course, "LO1", 1, [(k1, Emphasis.REINFORCED)])
    html = build(export_parameters({"sections": ["matrix"]})).html
    assert "Knowledge (K), courses 1\N{EN DASH}16" in html
    assert "Knowledge (K), courses 17\N{EN DASH}31" in html
    assert matrix_rows(html)["K1"] == [["R"] * 16, ["R"] * 15]
