"""The exports page, its downloads and the export API: evaluators and administrators only."""

import csv
import io
import zipfile

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.evaluation.factories import (
    CodeFactory,
    CodingFactory,
    ExcerptFactory,
    FocusGroupFactory,
    ParticipantFactory,
    TranscriptFactory,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGES = [
    reverse("evaluation:exports"),
    reverse("evaluation:export_quote_bank", args=["csv"]),
    reverse("evaluation:export_quote_bank", args=["xlsx"]),
    reverse("evaluation:export_codebook"),
    reverse("evaluation:export_project"),
]
API = [
    "/api/v1/evaluation/exports/quote-bank.csv/",
    "/api/v1/evaluation/exports/quote-bank.xlsx/",
    "/api/v1/evaluation/exports/codebook.qdc/",
    "/api/v1/evaluation/exports/project.qdpx/",
]
OUTSIDERS = ["designer", "course_lead", "plain_user"]


@pytest.fixture
def coded(evaluator):
    group = FocusGroupFactory(title="Cohort 1")
    participant = ParticipantFactory(course=group.course, pseudonym="S01")
    transcript = TranscriptFactory(
        focus_group=group, turns=[(participant, "The breakout rooms worked well.")]
    )
    excerpt = ExcerptFactory(transcript=transcript, coder=evaluator)
    CodingFactory(excerpt=excerpt, code=CodeFactory(name="Collaboration"))
    return group


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("role_client", OUTSIDERS, indirect=True)
@pytest.mark.parametrize("url", PAGES)
def test_outsiders_get_403_on_the_exports_page_and_downloads(role_client, url, coded):
    response = role_client.get(url)

    assert response.status_code == 403
    assert b"breakout" not in response.content


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_users_are_sent_to_sign_in(anonymous_client, url):
    response = anonymous_client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", OUTSIDERS)
@pytest.mark.parametrize("url", API)
def test_outsiders_get_403_from_the_export_api(request, persona, url, coded):
    response = _api(request.getfixturevalue(persona)).get(url)

    assert response.status_code == 403
    assert "only evaluators and administrators" in response.json()["detail"]


@pytest.mark.parametrize("url", API)
def test_anonymous_api_calls_are_refused(url, coded):
    assert APIClient().get(url).status_code in (401, 403)


@pytest.mark.parametrize("persona", ["evaluator", "administrator"])
def test_evaluators_and_administrators_see_the_three_exports(request, persona, coded):
    client = request.getfixturevalue(f"{persona}_client")

    response = client.get(reverse("evaluation:exports"))

    assert response.status_code == 200
    page = response.content.decode()
    for heading in ("Quote bank", "Codebook (REFI-QDA .qdc)", "Project (REFI-QDA .qdpx)"):
        assert heading in page
    assert f'formaction="{reverse("evaluation:export_quote_bank", args=["xlsx"])}"' in page
    assert "Cohort 1" in page
    assert '<label for="project-as_code_branch"' in page


def test_a_download_with_a_bad_selection_shows_the_page_with_the_error_at_the_field(
    evaluator_client, coded
):
    response = evaluator_client.get(
        reverse("evaluation:export_quote_bank", args=["csv"]), {"phase": "midterm"}
    )

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "The phase is formative or summative, not midterm." in page
    assert 'aria-invalid="true"' in page


def test_unknown_quote_bank_format_is_404(evaluator_client):
    response = evaluator_client.get(reverse("evaluation:export_quote_bank", args=["pdf"]))

    assert response.status_code == 404


def test_page_download_is_an_attachment_not_kept_in_caches(evaluator_client, coded):
    response = evaluator_client.get(reverse("evaluation:export_quote_bank", args=["csv"]))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="eisen-quote-bank-')
    assert response["Content-Disposition"].endswith('.csv"')
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_api_quote_bank_csv_applies_the_query_filters(evaluator, coded):
    other = FocusGroupFactory(title="Other course group")
    transcript = TranscriptFactory(focus_group=other, turns=[("S09", "Not this one.")])
    CodingFactory(excerpt=ExcerptFactory(transcript=transcript, coder=evaluator))

    response = _api(evaluator).get(
        API[0], {"course": str(coded.course.uuid)}, HTTP_ACCEPT="text/csv"
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f"-{coded.course.code.lower()}-" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(row["Session"], row["Quote"]) for row in rows] == [
        ("Cohort 1", "The breakout rooms worked well.")
    ]


def test_api_quote_bank_xlsx_is_an_excel_attachment(administrator, coded):
    response = _api(administrator).get(API[1])

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].endswith('.xlsx"')
    assert response.content.startswith(b"PK")


def test_api_refuses_a_bad_selection_with_the_parameter_and_why(evaluator, coded):
    response = _api(evaluator).get(API[0], {"mechanism": "42"}, HTTP_ACCEPT="text/csv")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"mechanism": ["“42” is not a mechanism identifier."]}


def test_api_codebook_is_xml_and_409_when_there_is_no_code(evaluator, db):
    client = _api(evaluator)
    empty = client.get(API[2])
    CodeFactory(name="Collaboration")
    codebook = client.get(API[2], {"as_code_branch": "true"})

    assert empty.status_code == 409
    assert "The codebook has no codes yet" in empty.json()["detail"]
    assert codebook.status_code == 200
    assert codebook["Content-Type"] == "application/xml"
    assert codebook["Content-Disposition"].endswith('.qdc"')
    assert b'name="Collaboration"' in codebook.content


def test_api_project_is_a_qdpx_of_the_chosen_focus_groups(evaluator, coded):
    response = _api(evaluator).get(API[3], {"focus_groups": [str(coded.uuid)]})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="eisen-evaluation-cohort-1-'
    )
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert "project.qde" in names
    assert len(names) == 2


def test_api_project_refuses_an_unknown_focus_group(evaluator, coded):
    response = _api(evaluator).get(
        API[3], {"focus_groups": ["3ad2bcae-e11a-4699-8e79-6c55c20e2378"]}
    )

    assert response.status_code == 400
    assert list(response.json()) == ["focus_groups"]
