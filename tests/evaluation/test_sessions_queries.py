"""Focus group, participant and transcript reads cost the same queries at any size."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from evaluation.models import Transcript
from evaluation.selectors.sessions import transcripts_with_counts
from tests.evaluation.factories import (
    ConsentFactory,
    ExcerptFactory,
    FocusGroupFactory,
    ParticipantFactory,
    TranscriptFactory,
)
from tests.factories import CourseFactory

pytestmark = pytest.mark.django_db

SIZES = [1, 7]


def session_with(size: int):
    """A focus group with `size` participants (two consents each), `size` versions of its
    transcript with `size` turns each, and excerpts left on the version before the current."""
    course = CourseFactory()
    focus_group = FocusGroupFactory(course=course)
    participants = []
    for number in range(size):
        participant = ParticipantFactory(course=course, pseudonym=f"S{number + 1:02d}")
        ConsentFactory(participant=participant, given_on="2026-05-25", withdrawn_on="2026-06-01")
        participant.focus_groups.add(focus_group)
        participants.append(participant)
    previous = None
    for version in range(1, size + 1):
        previous = TranscriptFactory(
            focus_group=focus_group,
            version=version,
            previous=previous,
            is_current=False,
            turns=[(participants[turn % size], f"Turn {turn}.") for turn in range(size)],
        )
        ExcerptFactory(transcript=previous)
    Transcript.objects.filter(pk=previous.pk).update(is_current=True)
    previous.is_current = True
    return focus_group, previous


@pytest.mark.parametrize("size", SIZES)
def test_focus_group_list(evaluator_client, size, django_assert_max_num_queries):
    for _ in range(size):
        session_with(2)
    with django_assert_max_num_queries(6):
        response = evaluator_client.get(reverse("evaluation:focus_group_list"))
    assert len(response.context["page"].object_list) == size


@pytest.mark.parametrize("size", SIZES)
def test_focus_group_page(evaluator_client, size, django_assert_max_num_queries):
    focus_group, _current = session_with(size)
    with django_assert_max_num_queries(7):
        response = evaluator_client.get(
            reverse("evaluation:focus_group_detail", args=[focus_group.uuid])
        )
    assert len(response.context["page"].participants) == size
    assert len(response.context["page"].transcripts) == size


@pytest.mark.parametrize("size", SIZES)
def test_transcript_page(evaluator_client, size, django_assert_max_num_queries):
    _focus_group, current = session_with(size)
    with django_assert_max_num_queries(7):
        response = evaluator_client.get(
            reverse("evaluation:transcript_detail", args=[current.uuid])
        )
    assert len(response.context["page"].turns) == size
    assert len(response.context["page"].versions) == size


@pytest.mark.parametrize("size", SIZES)
def test_participant_pages(evaluator_client, size, django_assert_max_num_queries):
    focus_group, _current = session_with(size)
    participant = focus_group.participants.first()
    for _ in range(size):
        ConsentFactory(participant=participant)
        participant.focus_groups.add(FocusGroupFactory(course=focus_group.course))
    with django_assert_max_num_queries(8):
        listed = evaluator_client.get(reverse("evaluation:participant_list"))
    assert len(listed.context["page"].object_list) == size
    with django_assert_max_num_queries(8):
        page = evaluator_client.get(
            reverse("evaluation:participant_detail", args=[participant.uuid])
        )
    assert len(page.context["page"].consents) == size + 2  # the factory's and session_with's


@pytest.mark.parametrize("size", SIZES)
def test_api_lists(evaluator, size, django_assert_max_num_queries):
    for _ in range(size):
        session_with(2)
    api = APIClient()
    api.force_authenticate(evaluator)
    for endpoint, rows in [("focus-groups", size), ("participants", 2 * size)]:
        with django_assert_max_num_queries(4):
            response = api.get(f"/api/v1/evaluation/{endpoint}/")
        assert response.data["count"] == rows
    with django_assert_max_num_queries(4):
        response = api.get("/api/v1/evaluation/transcripts/")
    assert response.data["count"] == 2 * size


@pytest.mark.parametrize("size", SIZES)
def test_api_transcript_with_its_turns(evaluator, size, django_assert_max_num_queries):
    _focus_group, current = session_with(size)
    api = APIClient()
    api.force_authenticate(evaluator)
    with django_assert_max_num_queries(3):
        response = api.get(f"/api/v1/evaluation/transcripts/{current.uuid}/")
    assert len(response.data["utterances"]) == size


def test_transcript_counts_do_not_join_excerpts_with_turns():
    """Joining both would read excerpts × turns rows per transcript and group by its text."""
    sql = str(transcripts_with_counts().query).upper()
    assert "GROUP BY" not in sql
    assert "COUNT(DISTINCT" not in sql


@pytest.mark.parametrize("size", SIZES)
def test_transcript_counts_are_right_at_any_size(size):
    focus_group = FocusGroupFactory()
    coded = TranscriptFactory(
        focus_group=focus_group, turns=[("Facilitator", f"Turn {turn}.") for turn in range(size)]
    )
    for _ in range(size + 1):
        ExcerptFactory(transcript=coded)
    uncoded = TranscriptFactory(turns=[("Facilitator", "Only turn.")])

    counts = {
        transcript.pk: (transcript.utterance_count, transcript.excerpt_count, transcript.is_coded)
        for transcript in transcripts_with_counts()
    }

    assert counts == {coded.pk: (size, size + 1, True), uncoded.pk: (1, 0, False)}
