"""Data protection in the API: erasures and subject access exports, evaluators only."""

import pytest
from rest_framework.test import APIClient

from evaluation.models import ErasureRecord, Participant
from tests.evaluation.factories import ParticipantFactory, TranscriptFactory

pytestmark = pytest.mark.django_db

ERASURES = "/api/v1/evaluation/erasures/"


def _api(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def participant():
    participant = ParticipantFactory(pseudonym="S21")
    TranscriptFactory(turns=[(participant, "Words of theirs.")])
    return participant


@pytest.mark.parametrize("persona", ["course_lead", "designer", "plain_user"])
def test_only_evaluators_and_administrators_use_the_endpoints(request, persona, participant):
    api = _api(request.getfixturevalue(persona))

    assert api.get(ERASURES).status_code == 403
    response = api.post(ERASURES, {"participant": participant.uuid, "confirm": "S21"})
    assert response.status_code == 403
    export = api.get(f"/api/v1/evaluation/participant-exports/{participant.uuid}/")
    assert export.status_code == 403
    assert Participant.objects.filter(pk=participant.pk).exists()


def test_anonymous_requests_are_refused(participant):
    response = APIClient().get(f"/api/v1/evaluation/participant-exports/{participant.uuid}/")

    assert response.status_code == 403


@pytest.mark.parametrize("persona", ["evaluator", "administrator"])
def test_an_erasure_answers_the_record_of_counts(request, persona, participant):
    user = request.getfixturevalue(persona)

    response = _api(user).post(
        ERASURES, {"participant": participant.uuid, "confirm": "S21"}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert body["erased_by"] == user.username
    assert body["course"] == str(participant.course.uuid)
    assert (body["utterances_redacted"], body["excerpts_removed"], body["consents_deleted"]) == (
        1,
        0,
        1,
    )
    assert not Participant.objects.filter(pk=participant.pk).exists()
    assert "S21" not in response.content.decode()


def test_an_erasure_without_the_right_confirmation_is_refused(evaluator, participant):
    response = _api(evaluator).post(
        ERASURES, {"participant": participant.uuid, "confirm": "S22"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "confirm": ["Type the pseudonym S21 exactly as shown to confirm the erasure."]
    }
    assert Participant.objects.filter(pk=participant.pk).exists()


def test_erasing_an_unknown_participant_names_the_identifier(evaluator):
    unknown = "00000000-0000-0000-0000-000000000000"

    response = _api(evaluator).post(
        ERASURES, {"participant": unknown, "confirm": "S21"}, format="json"
    )

    assert response.status_code == 400
    assert unknown in response.json()["participant"][0]


def test_a_malformed_identifier_is_refused(evaluator):
    response = _api(evaluator).post(
        ERASURES, {"participant": "S21", "confirm": "S21"}, format="json"
    )

    assert response.status_code == 400
    assert "participant" in response.json()


def test_the_erasure_log_lists_records_newest_first(evaluator, participant):
    api = _api(evaluator)
    first = api.post(ERASURES, {"participant": participant.uuid, "confirm": "S21"}).json()
    second_participant = ParticipantFactory(pseudonym="S22")
    second = api.post(ERASURES, {"participant": second_participant.uuid, "confirm": "S22"}).json()

    response = api.get(ERASURES)

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [second["id"], first["id"]]
    assert ErasureRecord.objects.count() == 2


def test_the_export_of_an_unknown_participant_names_the_identifier(evaluator):
    unknown = "00000000-0000-0000-0000-000000000000"

    response = _api(evaluator).get(f"/api/v1/evaluation/participant-exports/{unknown}/")

    assert response.status_code == 404
    assert unknown in response.json()["detail"]
