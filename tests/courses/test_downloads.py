"""The mapping table and the matrix as CSV and Excel files, read back cell by cell."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from tests.courses.test_coverage import grow_curriculum, hand_made_curriculum
from tests.factories import CapabilityFactory, CourseFactory, OutcomeMappingFactory

pytestmark = pytest.mark.django_db

MAPPING_HEADER = [
    "Course code",
    "Course title",
    "Academic year",
    "Outcome code",
    "Learning outcome",
    "Capability code",
    "Capability",
    "Domain",
    "Emphasis",
    "Note",
]
# Session, user, the programme, the selection's courses and the mappings (the matrix: the
# capabilities, the mappings and the outcomes mapped to nothing).
MAPPING_QUERIES = 5
MATRIX_QUERIES = 7
READERS = ["designer", "course_lead", "evaluator", "administrator", "plain_user"]


@pytest.fixture
def curriculum():
    return hand_made_curriculum()


def _download(client, table, file_format, query):
    response = client.get(reverse("coverage:download", args=[table, file_format]), query)
    assert response.status_code == 200, response.content[:500]
    return response


def _csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def _xlsx_rows(response) -> list[list]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _expected_mapping_rows(curriculum) -> list[list[str]]:
    msc101, msc150, msc201 = curriculum["courses"]

    def row(course, outcome, capability, domain, emphasis):
        return [
            course.code,
            course.title,
            "2026/27",
            outcome,
            f"{course.code} outcome {outcome}",
            capability,
            f"Capability {capability}",
            domain,
            emphasis,
            "",
        ]

    return [
        row(msc101, "LO1", "K1", "Knowledge", "Introduced"),
        row(msc101, "LO1", "S1", "Skills", "Mastered"),
        row(msc101, "LO2", "K1", "Knowledge", "Reinforced"),
        # MSC150 is on version 1.0: its mappings are listed as they are, K3 included.
        row(msc150, "LO1", "K2", "Knowledge", "Reinforced"),
        row(msc150, "LO1", "K3", "Knowledge", "Mastered"),
        row(msc150, "LO1", "S2", "Skills", "Introduced"),
        row(msc201, "LO1", "K1", "Knowledge", "Mastered"),
        row(msc201, "LO1", "S2", "Skills", "Mastered"),
        row(msc201, "LO2", "K1.1", "Knowledge", "Introduced"),
    ]


EXPECTED_MATRIX = [
    ["Domain", "Capability code", "Capability", "MSC101 (2026/27)", "MSC150 (2026/27)",
     "MSC201 (2026/27)"],
    ["Knowledge", "K1", "Capability K1", "R", "", "M"],
    ["Knowledge", "K1.1", "Capability K1.1", "", "", "I"],
    ["Knowledge", "K2", "Capability K2", "", "R", ""],
    ["Skills", "S1", "Capability S1", "M", "", ""],
    ["Skills", "S2", "Capability S2", "", "I", "M"],
    ["Skills", "S3", "Capability S3", "", "", ""],
]  # fmt: skip


def test_mapping_table_as_csv(plain_client, curriculum):
    response = _download(plain_client, "mapping", "csv", {"programme": curriculum["programme"].pk})

    assert _csv_rows(response) == [MAPPING_HEADER, *_expected_mapping_rows(curriculum)]


def test_mapping_table_as_xlsx(plain_client, curriculum):
    response = _download(plain_client, "mapping", "xlsx", {"programme": curriculum["programme"].pk})

    expected = [
        [value if value != "" else None for value in row]
        for row in [MAPPING_HEADER, *_expected_mapping_rows(curriculum)]
    ]
    assert _xlsx_rows(response) == expected


def test_matrix_as_csv(plain_client, curriculum):
    response = _download(plain_client, "matrix", "csv", {"programme": curriculum["programme"].pk})

    assert _csv_rows(response) == EXPECTED_MATRIX


def test_matrix_as_xlsx_shows_the_tree_and_colours_the_cells(plain_client, curriculum):
    response = _download(plain_client, "matrix", "xlsx", {"programme": curriculum["programme"].pk})

    assert _xlsx_rows(response) == [
        [value if value != "" else None for value in row] for row in EXPECTED_MATRIX
    ]
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet["C3"].value == "Capability K1.1"
    assert sheet["C3"].alignment.indent == 1
    assert sheet["D2"].value == "R"
    assert sheet["D2"].fill.fgColor.rgb.endswith("8DB9E2")
    assert sheet["F2"].fill.fgColor.rgb.endswith("0B5394")


def test_file_names_say_what_was_selected(plain_client, curriculum):
    programme = {"programme": curriculum["programme"].pk}
    msc101 = curriculum["courses"][0]

    def file_name(table, file_format, query):
        disposition = _download(plain_client, table, file_format, query)["Content-Disposition"]
        return disposition.removeprefix('attachment; filename="').removesuffix('"')

    assert (
        file_name("mapping", "csv", {**programme, "academic_year": 2026})
        == "eisen-mapping-2026-msc-implementation-science.csv"
    )
    assert file_name("matrix", "xlsx", {"course": msc101.uuid}) == "eisen-matrix-msc101.xlsx"
    assert file_name("mapping", "xlsx", {"eqf_level": 7}) == "eisen-mapping-eqf7.xlsx"
    assert file_name("mapping", "csv", {}) == "eisen-mapping-all-courses.csv"


def test_one_course_is_downloaded_by_its_identifier(plain_client, curriculum):
    msc201 = curriculum["courses"][2]

    rows = _csv_rows(_download(plain_client, "mapping", "csv", {"course": msc201.uuid}))

    assert [row[0] for row in rows[1:]] == ["MSC201"] * 3
    assert rows[1:] == _expected_mapping_rows(curriculum)[-3:]


def test_texts_that_look_like_formulas_stay_text(plain_client):
    course = CourseFactory(code="INJ1")
    capability = CapabilityFactory(
        domain__framework=course.framework, code="K1", title='=HYPERLINK("http://x.test","y")'
    )
    OutcomeMappingFactory(
        outcome__course=course,
        outcome__code="-1",
        outcome__text="+cmd|' /C calc'!A0",
        capability=capability,
        note="@SUM(A1:A2)",
    )
    CapabilityFactory(domain=capability.domain, code="K2", title="#N/A")
    tricky = {
        '=HYPERLINK("http://x.test","y")',
        "-1",
        "+cmd|' /C calc'!A0",
        "@SUM(A1:A2)",
        "#N/A",
    }
    for table in ("mapping", "matrix"):
        book = load_workbook(io.BytesIO(_download(plain_client, table, "xlsx", {}).content))
        cells = [cell for row in book.worksheets[0].iter_rows() for cell in row]
        found = [cell for cell in cells if cell.value in tricky]
        assert found, table
        assert all(cell.data_type == "s" for cell in found), table

    mapping = _csv_rows(_download(plain_client, "mapping", "csv", {}))[1]
    assert mapping[3:7] == ["'-1", "'+cmd|' /C calc'!A0", "K1", '\'=HYPERLINK("http://x.test","y")']
    assert mapping[9] == "'@SUM(A1:A2)"


@pytest.mark.parametrize("path", ["grid.csv", "mapping.pdf"])
def test_an_unknown_download_is_not_found(plain_client, path):
    response = plain_client.get(f"/coverage/download/{path}")

    assert response.status_code == 404


def test_a_bad_selection_is_refused_with_its_reason(plain_client):
    response = plain_client.get(
        reverse("coverage:download", args=["mapping", "csv"]), {"eqf_level": 6}
    )

    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "EQF level: The EQF level must be 7 (MSc) or 8 (PhD), not 6." in (
        response.content.decode()
    )


@pytest.mark.parametrize("table", ["mapping", "matrix"])
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_anonymous_users_are_sent_to_sign_in(anonymous_client, table, file_format):
    response = anonymous_client.get(reverse("coverage:download", args=[table, file_format]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role_client", READERS, indirect=True)
def test_every_signed_in_role_downloads(role_client, curriculum):
    for table in ("mapping", "matrix"):
        for file_format in ("csv", "xlsx"):
            _download(role_client, table, file_format, {"course": curriculum["courses"][0].uuid})


def _queries(client, table, file_format, query) -> int:
    with CaptureQueriesContext(connection) as queries:
        _download(client, table, file_format, query)
    return len(queries)


@pytest.mark.parametrize(
    ("table", "limit"), [("mapping", MAPPING_QUERIES), ("matrix", MATRIX_QUERIES)]
)
def test_downloads_cost_the_same_queries_at_any_size(
    plain_client, curriculum, django_assert_max_num_queries, table, limit
):
    query = {"programme": curriculum["programme"].pk}
    with django_assert_max_num_queries(limit):
        small_rows = _csv_rows(_download(plain_client, table, "csv", query))
    small = [_queries(plain_client, table, file_format, query) for file_format in ("csv", "xlsx")]

    grow_curriculum(curriculum, courses=6, outcomes_per_course=4)
    with django_assert_max_num_queries(limit):
        large_rows = _csv_rows(_download(plain_client, table, "csv", query))

    assert len(large_rows) > len(small_rows)
    assert len(large_rows[0]) >= len(small_rows[0])
    large = [_queries(plain_client, table, file_format, query) for file_format in ("csv", "xlsx")]
    assert large == small
