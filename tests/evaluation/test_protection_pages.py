"""Data protection pages: the erase confirmation, the download, the erasure log; who gets in."""

import pytest
from django.urls import reverse

from evaluation.models import ErasureRecord, Participant
from evaluation.services.erasure import participant_erase
from tests.evaluation.factories import (
    ExcerptFactory,
    FocusGroupFactory,
    ParticipantFactory,
    TranscriptFactory,
)
from tests.factories import CourseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def participant():
    course = CourseFactory(code="IMP500")
    participant = ParticipantFactory(course=course, pseudonym="S09")
    other = ParticipantFactory(course=course, pseudonym="S10")
    transcript = TranscriptFactory(
        focus_group=FocusGroupFactory(course=course),
        turns=[(participant, "The quokka sessions were great."), (other, "Agreed.")],
    )
    ExcerptFactory(transcript=transcript)
    return participant


def _urls(participant):
    return {
        "erase": reverse("evaluation:participant_erase", args=[participant.uuid]),
        "export": reverse("evaluation:participant_export", args=[participant.uuid]),
        "log": reverse("evaluation:erasure_log"),
    }


@pytest.mark.parametrize("role_client", ["course_lead", "designer", "plain_user"], indirect=True)
@pytest.mark.parametrize("page", ["erase", "export", "log"])
def test_only_evaluators_and_administrators_get_in(role_client, participant, page):
    assert role_client.get(_urls(participant)[page]).status_code == 403


@pytest.mark.parametrize("role_client", ["course_lead", "designer", "plain_user"], indirect=True)
def test_others_cannot_erase(role_client, participant):
    response = role_client.post(_urls(participant)["erase"], {"confirm": "S09"})

    assert response.status_code == 403
    assert Participant.objects.filter(pk=participant.pk).exists()


@pytest.mark.parametrize("page", ["erase", "export", "log"])
def test_anonymous_visitors_are_sent_to_sign_in(anonymous_client, participant, page):
    response = anonymous_client.get(_urls(participant)[page])

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role_client", ["evaluator", "administrator"], indirect=True)
def test_the_confirmation_lists_what_will_go(role_client, participant):
    response = role_client.get(_urls(participant)["erase"])

    assert response.status_code == 200
    preview = response.content.decode()
    assert "Erase participant S09 of IMP500?" in preview
    assert "1 turn: its words replaced by “[erased]”" in preview
    assert "1 excerpt of only their words, with its codes and links" in preview
    assert "<dt>Consent records deleted</dt><dd>1</dd>" in preview
    assert '<label for="id_confirm">Pseudonym:</label>' in preview


def test_the_confirmation_costs_the_same_queries_however_much_they_said(
    evaluator_client, participant, django_assert_max_num_queries
):
    for number in range(6):
        transcript = TranscriptFactory(
            focus_group=FocusGroupFactory(course=participant.course),
            turns=[(participant, f"Point {n} of {number}.") for n in range(5)],
        )
        for utterance in transcript.utterances.all():
            ExcerptFactory(transcript=transcript, start=utterance.start, end=utterance.end)

    with django_assert_max_num_queries(11):
        response = evaluator_client.get(_urls(participant)["erase"])

    assert "31 turns: their words replaced" in response.content.decode()


def test_a_wrong_confirmation_is_refused_next_to_the_field(evaluator_client, participant):
    response = evaluator_client.post(_urls(participant)["erase"], {"confirm": "S10"})

    assert response.status_code == 200
    assert 'id="id_confirm_error"' in response.content.decode()
    assert "Type the pseudonym S09 exactly as shown" in response.content.decode()
    assert Participant.objects.filter(pk=participant.pk).exists()
    assert not ErasureRecord.objects.exists()


@pytest.mark.parametrize("role_client", ["evaluator", "administrator"], indirect=True)
def test_typing_the_pseudonym_erases_and_shows_the_log(role_client, participant):
    response = role_client.post(_urls(participant)["erase"], {"confirm": " S09 "}, follow=True)

    assert response.redirect_chain == [(reverse("evaluation:erasure_log"), 302)]
    assert not Participant.objects.filter(pk=participant.pk).exists()
    page = response.content.decode()
    assert "Participant erased. Turns redacted: 1; excerpts removed: 1;" in page
    assert "S09" not in page
    assert "IMP500" in page


def test_the_erasure_log_lists_records_in_a_fixed_number_of_queries(
    evaluator, evaluator_client, django_assert_max_num_queries
):
    for _ in range(5):
        participant_erase(participant=ParticipantFactory(), erased_by=evaluator)

    with django_assert_max_num_queries(8):
        response = evaluator_client.get(reverse("evaluation:erasure_log"))

    assert response.status_code == 200
    assert response.content.decode().count("<tr>") == 6


def test_the_download_of_an_unknown_participant_is_not_found(evaluator_client):
    response = evaluator_client.get(
        reverse("evaluation:participant_export", args=["00000000-0000-0000-0000-000000000000"])
    )

    assert response.status_code == 404
