"""Learning outcomes through the API: Bloom suggestions, stale edits, deleting and reordering."""

import pytest
from rest_framework.test import APIClient

from courses.models import LearningOutcome
from tests.factories import CourseFactory, LearningOutcomeFactory, OutcomeMappingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(designer):
    client = APIClient()
    client.force_authenticate(designer)
    return client


@pytest.fixture
def course():
    return CourseFactory()


def _url(outcome) -> str:
    return f"/api/v1/outcomes/{outcome.uuid}/"


def test_new_outcome_gets_the_next_code_and_the_level_of_its_verb(api, course):
    response = api.post(
        "/api/v1/outcomes/",
        {
            "course": str(course.uuid),
            "text": "Students will be able to critically appraise evidence on implementation.",
        },
    )
    assert response.status_code == 201, response.json()
    assert response["ETag"] == '"1"'
    body = response.json()
    assert {key: body[key] for key in ("course", "code", "position", "revision")} == {
        "course": str(course.uuid),
        "code": "LO1",
        "position": 0,
        "revision": 1,
    }
    assert (body["bloom_level"], body["bloom_level_chosen"]) == ("analyse", False)
    assert (body["suggested_level"], body["verb"], body["warning"]) == ("analyse", "appraise", "")


def test_outcome_without_an_observable_verb_is_saved_with_a_warning(api, course):
    response = api.post(
        "/api/v1/outcomes/", {"course": str(course.uuid), "text": "Understand co-production."}
    )
    assert response.status_code == 201
    assert response.json()["verb"] == "understand"
    assert response.json()["warning"].startswith("“understand” cannot be observed or assessed")


def test_lead_overrides_the_level_and_hands_it_back_to_the_verb(api, course):
    outcome = LearningOutcomeFactory(course=course, text="Explain implementation frameworks.")
    chosen = api.patch(_url(outcome), {"bloom_level": "evaluate"}, HTTP_IF_MATCH='"1"')
    assert chosen.status_code == 200, chosen.json()
    assert chosen["ETag"] == '"2"'
    assert (chosen.json()["bloom_level"], chosen.json()["bloom_level_chosen"]) == (
        "evaluate",
        True,
    )
    assert chosen.json()["suggested_level"] == "understand"

    reworded = api.patch(_url(outcome), {"text": "Design a study."}, HTTP_IF_MATCH='"2"')
    assert reworded.json()["bloom_level"] == "evaluate"
    assert reworded.json()["suggested_level"] == "create"

    handed_back = api.patch(_url(outcome), {"bloom_level": ""}, HTTP_IF_MATCH='"3"')
    assert (handed_back.json()["bloom_level"], handed_back.json()["bloom_level_chosen"]) == (
        "create",
        False,
    )


def test_stale_outcome_edit_is_refused_with_the_current_outcome(api, course):
    outcome = LearningOutcomeFactory(course=course, text="Explain the logic model.")
    etag = api.get(_url(outcome))["ETag"]
    missing = api.patch(_url(outcome), {"text": "Without a precondition."})
    assert missing.status_code == 428
    assert "If-Match" in missing.json()["detail"]

    first = api.patch(
        _url(outcome), {"text": "Explain the logic model in depth."}, HTTP_IF_MATCH=etag
    )
    assert first.status_code == 200
    stale = api.patch(_url(outcome), {"text": "Apply the logic model."}, HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert (
        stale.json()["detail"]
        == "Someone else saved this learning outcome while you were editing it."
    )
    assert stale.json()["current"]["text"] == "Explain the logic model in depth."
    assert stale.json()["current"]["revision"] == 2
    assert stale["ETag"] == '"2"'
    outcome.refresh_from_db()
    assert (outcome.text, outcome.revision) == ("Explain the logic model in depth.", 2)


def test_bad_outcomes_are_refused_and_nothing_is_saved(api, course):
    LearningOutcomeFactory(course=course, code="LO1")
    url = "/api/v1/outcomes/"
    blank = api.post(url, {"course": str(course.uuid), "text": ""})
    assert blank.json() == {"text": ["This field may not be blank."]}
    duplicate = api.post(url, {"course": str(course.uuid), "code": "LO1", "text": "Explain it."})
    assert duplicate.json() == {"code": ["This course already has an outcome LO1."]}
    level = api.post(url, {"course": str(course.uuid), "text": "Explain.", "bloom_level": "know"})
    assert level.json() == {"bloom_level": ['"know" is not a valid choice.']}
    assert LearningOutcome.objects.count() == 1


def test_an_outcome_stays_in_its_course(api, course):
    outcome = LearningOutcomeFactory(course=course)
    response = api.patch(_url(outcome), {"course": str(CourseFactory().uuid)}, HTTP_IF_MATCH='"1"')
    assert response.json() == {"course": ["An outcome stays in the course it was written for."]}
    outcome.refresh_from_db()
    assert (outcome.course, outcome.revision) == (course, 1)


def test_deleting_an_outcome_removes_its_mappings_and_closes_the_gap(api, course):
    first, second, third = (LearningOutcomeFactory(course=course, position=n) for n in range(3))
    OutcomeMappingFactory(outcome=second)
    assert api.delete(_url(second)).status_code == 428
    assert api.delete(_url(second), HTTP_IF_MATCH='"5"').status_code == 412
    assert api.delete(_url(second), HTTP_IF_MATCH='"1"').status_code == 204
    remaining = api.get("/api/v1/outcomes/", {"course": str(course.uuid)}).json()["results"]
    assert [(item["id"], item["position"]) for item in remaining] == [
        (str(first.uuid), 0),
        (str(third.uuid), 1),
    ]
    assert not second.mappings.exists()


def test_outcomes_are_reordered_with_the_whole_list(api, course):
    first, second, third = (
        LearningOutcomeFactory(course=course, code=f"LO{n}", position=n) for n in (1, 2, 3)
    )
    url = f"/api/v1/courses/{course.uuid}/outcomes/reorder/"
    reordered = api.post(
        url, {"order": [str(third.uuid), str(first.uuid), str(second.uuid)]}, format="json"
    )
    assert reordered.status_code == 200, reordered.json()
    assert [(item["code"], item["position"]) for item in reordered.json()] == [
        ("LO3", 0),
        ("LO1", 1),
        ("LO2", 2),
    ]
    incomplete = api.post(url, {"order": [str(first.uuid), str(second.uuid)]}, format="json")
    assert incomplete.status_code == 400
    assert incomplete.json()["order"][0].startswith(
        "The order must list each of the course's 3 outcomes once"
    )
    listed = api.get("/api/v1/outcomes/", {"course": str(course.uuid)}).json()["results"]
    assert [item["code"] for item in listed] == ["LO3", "LO1", "LO2"]


def test_outcome_list_filters_by_course(api, course):
    LearningOutcomeFactory(course=course, code="LO1")
    LearningOutcomeFactory(code="LO1")
    listed = api.get("/api/v1/outcomes/", {"course": str(course.uuid)}).json()
    assert [item["course"] for item in listed["results"]] == [str(course.uuid)]
    assert api.get("/api/v1/outcomes/").json()["count"] == 2
    bad = api.get("/api/v1/outcomes/", {"course": "LO1"})
    assert bad.status_code == 400
    assert list(bad.json()) == ["course"]


@pytest.mark.parametrize("outcome_count", [2, 40])
def test_outcome_list_costs_the_same_queries_at_any_size(
    api, course, django_assert_max_num_queries, outcome_count
):
    for position in range(outcome_count):
        LearningOutcomeFactory(course=CourseFactory() if position % 2 else course)
    # The page of outcomes with their courses, and their count.
    with django_assert_max_num_queries(2):
        response = api.get("/api/v1/outcomes/")
    assert response.json()["count"] == outcome_count
