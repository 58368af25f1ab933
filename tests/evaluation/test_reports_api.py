"""The reports API: the same read models as JSON, for evaluators only, with quotes gated by
consent and the same queries at any data size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from evaluation.models import ExcerptMechanism
from tests.evaluation.factories import (
    ExcerptFactory,
    FocusGroupFactory,
    ParticipantFactory,
    TranscriptFactory,
)
from tests.evaluation.test_reports_pages import (
    NEVER_CONSENTED,
    QUOTABLE,
    WITHDRAWN,
    build_world,
    grow,
)
from tests.factories import CourseFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/evaluation/reports"


@pytest.fixture
def world():
    return build_world()


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def urls(world):
    return [
        f"{BASE}/mechanisms/",
        f"{BASE}/capabilities/",
        f"{BASE}/courses/",
        f"{BASE}/courses/{world['course'].uuid}/",
    ]


@pytest.mark.parametrize("persona", ["course_lead", "designer", "plain_user"])
def test_report_endpoints_refuse_everyone_but_evaluators(request, persona, world):
    client = api_as(request.getfixturevalue(persona))

    for url in urls(world):
        assert client.get(url).status_code == 403, url


def test_anonymous_clients_get_no_report(world):
    for url in urls(world):
        assert APIClient().get(url).status_code in (401, 403), url


@pytest.mark.parametrize("persona", ["evaluator", "administrator"])
def test_evaluators_and_administrators_read_every_report(request, persona, world):
    client = api_as(request.getfixturevalue(persona))

    for url in urls(world):
        assert client.get(url).status_code == 200, url


def test_mechanism_report_as_json(evaluator, world):
    data = api_as(evaluator).get(f"{BASE}/mechanisms/").json()

    assert data["logic_model"]["title"] == "EISEN logic model"
    [mechanism] = data["mechanisms"]
    assert mechanism["name"] == "International mix"
    assert [(v["phase"], v["verdict"]) for v in mechanism["verdicts"]] == [
        ("formative", "partly_held"),
        ("summative", "held"),
    ]
    formative, summative = mechanism["phases"]
    assert formative == {
        "phase": "formative",
        "valence": {"positive": 0, "negative": 0, "mixed": 0, "neutral": 3},
        "total": 3,
    }
    assert summative["total"] == 0
    assert mechanism["stances"] == {"supports": 3, "challenges": 0, "mixed": 0}
    assert mechanism["total"] == 3
    quotes = {quote["pseudonym"]: quote for quote in mechanism["quotes"]}
    assert quotes["S01"]["quote"] == QUOTABLE
    assert quotes["S01"]["quote_withheld"] is False
    assert (quotes["S01"]["course_code"], quotes["S01"]["session"]) == ("IMP101", "Week 6")
    for withheld in ("S02", "S03"):
        assert quotes[withheld]["quote"] is None
        assert quotes[withheld]["quote_withheld"] is True


def test_quote_words_without_consent_are_nowhere_in_the_json(evaluator, world):
    client = api_as(evaluator)

    for url in urls(world):
        body = client.get(url).content.decode()
        assert NEVER_CONSENTED not in body, url
        assert WITHDRAWN not in body, url
    assert QUOTABLE in client.get(f"{BASE}/courses/{world['course'].uuid}/").content.decode()


def test_mechanism_report_filters_by_course_and_audience(evaluator, world):
    other = CourseFactory()
    staff = TranscriptFactory(
        focus_group=FocusGroupFactory(course=other, audience="staff"),
        turns=[(ParticipantFactory(course=other, pseudonym="T01"), "Staff view.")],
    )
    ExcerptMechanism.objects.create(
        excerpt=ExcerptFactory(transcript=staff), mechanism=world["mechanism"], stance="mixed"
    )
    client = api_as(evaluator)

    def total(**params):
        return client.get(f"{BASE}/mechanisms/", params).json()["mechanisms"][0]["total"]

    assert total() == 4
    assert total(course=str(world["course"].uuid)) == 3
    assert total(course=[str(world["course"].uuid), str(other.uuid)]) == 4
    assert total(audience="staff") == 1


def test_bad_parameters_are_refused_naming_the_parameter(evaluator, world):
    client = api_as(evaluator)

    response = client.get(f"{BASE}/mechanisms/", {"audience": "aliens"})
    assert response.status_code == 400
    assert response.json() == {
        "audience": ["The audience must be students, staff or mixed, not aliens."]
    }
    response = client.get(f"{BASE}/capabilities/", {"framework": "not-a-uuid"})
    assert response.status_code == 400
    assert list(response.json()) == ["framework"]
    response = client.get(f"{BASE}/mechanisms/", {"course": str(CourseFactory().uuid)})
    assert response.status_code == 400
    assert list(response.json()) == ["course"]


def test_an_unknown_course_is_not_found_by_name(evaluator):
    response = api_as(evaluator).get(f"{BASE}/courses/6f1c1f8e-0000-4000-8000-000000000000/")

    assert response.status_code == 404
    assert "6f1c1f8e-0000-4000-8000-000000000000" in response.json()["detail"]


def test_capability_report_as_json(evaluator, world):
    data = api_as(evaluator).get(f"{BASE}/capabilities/").json()

    assert data["framework"]["id"] == str(world["course"].framework.uuid)
    assert data["courses"] == 1
    [row] = [row for domain in data["domains"] for row in domain["rows"]]
    assert row["code"] == "K1"
    assert (row["courses"], row["outcomes"], row["highest"]) == (1, 1, "I")
    assert row["evidence"]["total"] == 3
    assert row["evidence"]["stances"] == {"supports": 0, "challenges": 0, "mixed": 3}
    assert (row["taught_not_discussed"], row["discussed_not_taught"]) == (False, False)


def test_course_list_and_course_report_as_json(evaluator, world):
    client = api_as(evaluator)
    course = world["course"]

    [listed] = client.get(f"{BASE}/courses/").json()
    assert (listed["id"], listed["focus_groups"], listed["excerpts"]) == (str(course.uuid), 1, 3)

    data = client.get(f"{BASE}/courses/{course.uuid}/").json()
    assert data["course"]["code"] == "IMP101"
    assert [(g["title"], g["phase"]) for g in data["focus_groups"]] == [("Week 6", "formative")]
    assert data["mechanisms"][0]["total"] == 3
    assert [q["quote_withheld"] for q in data["quotes"]] == [False, True, True]
    assert data["actions"] == [
        {
            "finding": "Breakout rooms were too large.",
            "mechanism": str(world["mechanism"].uuid),
            "change_made": "",
            "changed_on": None,
            "recheck": "",
            "rechecked_on": None,
            "status": "open",
        }
    ]
    assert [(c["code"], c["evidence"]["total"]) for c in data["capabilities"]] == [("K1", 3)]


@pytest.mark.parametrize("endpoint", range(4))
def test_each_endpoint_costs_the_same_queries_with_five_or_a_hundred_excerpts(
    evaluator, world, endpoint, django_assert_max_num_queries
):
    client = api_as(evaluator)
    grow(world, excerpts=6)
    url = urls(world)[endpoint]
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200

    grow(world, excerpts=100)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200
