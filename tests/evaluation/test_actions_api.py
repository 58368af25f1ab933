"""Mechanism assessments and the formative action log through the API."""

import pytest
from rest_framework.test import APIClient

from evaluation.models import (
    ExcerptMechanism,
    FormativeAction,
    MechanismAssessment,
    Phase,
    Stance,
    Verdict,
)
from evaluation.services.actions import formative_action_create, mechanism_assess
from tests.evaluation.factories import (
    ExcerptFactory,
    FocusGroupFactory,
    MechanismFactory,
    TranscriptFactory,
)
from tests.factories import CourseFactory

pytestmark = pytest.mark.django_db
BASE = "/api/v1/evaluation"
Status = FormativeAction.Status


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def api(evaluator):
    return _client(evaluator)


@pytest.fixture
def course():
    return CourseFactory(code="IMP101")


@pytest.fixture
def mechanism():
    return MechanismFactory(name="International")


def _excerpt(course):
    focus_group = FocusGroupFactory(course=course, phase=Phase.FORMATIVE)
    return ExcerptFactory(transcript=TranscriptFactory(focus_group=focus_group))


def _evidence(course, mechanism):
    excerpt = _excerpt(course)
    ExcerptMechanism.objects.create(excerpt=excerpt, mechanism=mechanism, stance=Stance.SUPPORTS)
    return excerpt


@pytest.mark.parametrize("persona", ["course_lead", "designer", "plain_user"])
def test_other_roles_get_403(request, persona, course, mechanism, evaluator):
    client = _client(request.getfixturevalue(persona))
    action = formative_action_create(
        course=course, finding="Too much reading.", created_by=evaluator
    )
    for url in (
        f"{BASE}/mechanism-assessments/",
        f"{BASE}/formative-actions/",
        f"{BASE}/formative-actions/{action.pk}/",
    ):
        assert client.get(url).status_code == 403, url
    created = client.post(
        f"{BASE}/mechanism-assessments/",
        {"mechanism": str(mechanism.uuid), "phase": Phase.FORMATIVE, "verdict": Verdict.HELD},
    )
    assert created.status_code == 403
    assert (
        client.delete(f"{BASE}/formative-actions/{action.pk}/", HTTP_IF_MATCH='"1"').status_code
        == 403
    )
    assert not MechanismAssessment.objects.exists()
    assert FormativeAction.objects.exists()


def test_an_assessment_is_created_once_then_changed_with_its_etag(api, course, mechanism):
    cited = _evidence(course, mechanism)
    created = api.post(
        f"{BASE}/mechanism-assessments/",
        {
            "mechanism": str(mechanism.uuid),
            "phase": Phase.FORMATIVE,
            "verdict": Verdict.PARTLY_HELD,
            "reflection": "Mixed.",
            "evidence": [str(cited.uuid)],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["verdict"], body["evidence"], body["assessed_by"]) == (
        Verdict.PARTLY_HELD,
        [str(cited.uuid)],
        "evaluator",
    )
    assert created["ETag"] == '"1"'

    again = api.post(
        f"{BASE}/mechanism-assessments/",
        {"mechanism": str(mechanism.uuid), "phase": Phase.FORMATIVE, "verdict": Verdict.HELD},
    )
    assert again.status_code == 409
    assert "already has a formative assessment" in again.json()["detail"]

    url = f"{BASE}/mechanism-assessments/{body['id']}/"
    changed = api.patch(url, {"verdict": Verdict.HELD}, HTTP_IF_MATCH='"1"', format="json")
    assert changed.status_code == 200, changed.json()
    assert (changed.json()["verdict"], changed.json()["evidence"], changed["ETag"]) == (
        Verdict.HELD,
        [str(cited.uuid)],
        '"2"',
    )
    stale = api.patch(url, {"verdict": Verdict.DID_NOT_HOLD}, HTTP_IF_MATCH='"1"', format="json")
    assert stale.status_code == 412
    assert stale.json()["current"]["verdict"] == Verdict.HELD
    assert api.patch(url, {"verdict": Verdict.DID_NOT_HOLD}, format="json").status_code == 428


def test_citing_an_excerpt_that_is_not_evidence_is_a_400_naming_it(api, course, mechanism):
    unrelated = _excerpt(course)
    response = api.post(
        f"{BASE}/mechanism-assessments/",
        {
            "mechanism": str(mechanism.uuid),
            "phase": Phase.SUMMATIVE,
            "verdict": Verdict.HELD,
            "evidence": [str(unrelated.uuid)],
        },
        format="json",
    )
    assert response.status_code == 400
    (message,) = response.json()["evidence"]
    assert f"excerpt {unrelated.uuid}" in message
    assert "is not evidence for “International”" in message
    assert not MechanismAssessment.objects.exists()


def test_assessments_are_filtered_by_mechanism_and_phase(api, mechanism, evaluator):
    other = MechanismFactory()
    for target in (mechanism, other):
        for phase in Phase.values:
            mechanism_assess(
                mechanism=target,
                phase=phase,
                verdict=Verdict.HELD,
                reflection="",
                evidence=[],
                assessed_by=evaluator,
                expected_revision=None,
            )
    rows = api.get(
        f"{BASE}/mechanism-assessments/",
        {"mechanism": str(mechanism.uuid), "phase": Phase.SUMMATIVE},
    ).json()["results"]
    assert [(row["mechanism"], row["phase"]) for row in rows] == [
        (str(mechanism.uuid), Phase.SUMMATIVE)
    ]


def test_a_formative_action_goes_from_finding_to_change_to_recheck(api, course, mechanism):
    source = _excerpt(course)
    created = api.post(
        f"{BASE}/formative-actions/",
        {
            "course": str(course.uuid),
            "mechanism": str(mechanism.uuid),
            "finding": "The reading load is too heavy.",
            "source_excerpts": [str(source.uuid)],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["status"], body["created_by"], body["source_excerpts"]) == (
        Status.OPEN,
        "evaluator",
        [str(source.uuid)],
    )
    url = f"{BASE}/formative-actions/{body['id']}/"

    refused = api.patch(url, {"status": Status.CHANGED}, HTTP_IF_MATCH='"1"', format="json")
    assert refused.status_code == 400
    assert set(refused.json()) == {"change_made", "changed_on"}

    changed = api.patch(
        url,
        {
            "status": Status.CHANGED,
            "change_made": "Three papers a week.",
            "changed_on": "2026-03-02",
        },
        HTTP_IF_MATCH='"1"',
        format="json",
    )
    assert changed.status_code == 200, changed.json()
    assert (changed.json()["status"], changed["ETag"]) == (Status.CHANGED, '"2"')

    rechecked = api.patch(
        url,
        {
            "status": Status.RECHECKED,
            "recheck": "The summative group found the load right.",
            "rechecked_on": "2026-06-10",
            "course": str(CourseFactory().uuid),
        },
        HTTP_IF_MATCH='"2"',
        format="json",
    )
    assert rechecked.status_code == 200, rechecked.json()
    assert (rechecked.json()["status"], rechecked.json()["course"]) == (
        Status.RECHECKED,
        str(course.uuid),
    )
    assert api.patch(url, {"finding": "x"}, HTTP_IF_MATCH='"2"', format="json").status_code == 412
    assert api.delete(url, HTTP_IF_MATCH='"3"').status_code == 204
    assert not FormativeAction.objects.exists()


def test_a_source_excerpt_of_another_course_is_refused(api, course):
    elsewhere = _excerpt(CourseFactory(code="PHD800"))
    response = api.post(
        f"{BASE}/formative-actions/",
        {"course": str(course.uuid), "finding": "x", "source_excerpts": [str(elsewhere.uuid)]},
        format="json",
    )
    assert response.status_code == 400
    assert "another course's focus group" in response.json()["source_excerpts"][0]


def test_the_log_is_filtered_by_course_and_status(api, course, evaluator):
    other = CourseFactory(code="PHD800")
    formative_action_create(course=course, finding="Open one", created_by=evaluator)
    formative_action_create(
        course=course,
        finding="Changed one",
        status=Status.CHANGED,
        change_made="Fewer papers.",
        changed_on="2026-03-02",
        created_by=evaluator,
    )
    formative_action_create(course=other, finding="Elsewhere", created_by=evaluator)
    rows = api.get(
        f"{BASE}/formative-actions/", {"course": str(course.uuid), "status": Status.OPEN}
    ).json()["results"]
    assert [row["finding"] for row in rows] == ["Open one"]
    assert len(api.get(f"{BASE}/formative-actions/").json()["results"]) == 3
