"""Transcripts in the API: multipart upload, JSON paste, turns, revising with carry-over."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.functional import Promise
from rest_framework.test import APIClient

from evaluation.api.transcripts import TranscriptFilter
from evaluation.models import CodingComparison, Excerpt, Transcript
from tests.evaluation.factories import (
    ExcerptFactory,
    FocusGroupFactory,
    ParticipantFactory,
    TranscriptFactory,
)
from tests.factories import CourseFactory, UserFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/evaluation/transcripts"
DATA = Path(__file__).parent / "data"


@pytest.fixture
def api(evaluator):
    client = APIClient()
    client.force_authenticate(evaluator)
    return client


@pytest.fixture
def focus_group():
    course = CourseFactory(code="IMP101")
    for code in ("S01", "S02", "S03", "T01"):
        ParticipantFactory(course=course, pseudonym=code)
    return FocusGroupFactory(course=course)


def test_a_vtt_upload_replaces_names_and_answers_with_the_turns(api, focus_group):
    upload = SimpleUploadedFile("Lars Holm session.vtt", (DATA / "sessions_teams.vtt").read_bytes())
    response = api.post(
        f"{BASE}/",
        {
            "focus_group": str(focus_group.uuid),
            "file": upload,
            "names_to_replace": "Lars Holm = S03\nIngrid Solberg = T01",
        },
        format="multipart",
    )

    assert response.status_code == 201, response.data
    body = response.json()
    assert body["source_format"] == "vtt"
    assert body["source_name"] == "S03 session.vtt"
    assert [turn["speaker"] for turn in body["utterances"]] == ["Moderator", "S03", "T01"]
    s03 = body["utterances"][1]
    assert (
        s03["words"] == "It worked well on my phone, but the videos did not load at the hospital."
    )
    assert s03["spoken_at"] == "00:00:08"
    assert s03["participant"] == str(focus_group.course.participants.get(pseudonym="S03").uuid)
    assert "Lars" not in str(body)


def test_json_text_is_read_as_plain_text_or_as_webvtt(api, focus_group):
    pasted = api.post(
        f"{BASE}/",
        {"focus_group": str(focus_group.uuid), "text": "Facilitator: Hi.\n[S01] Hello."},
        format="json",
    )
    assert pasted.status_code == 201, pasted.data
    assert pasted.data["text"] == "Facilitator: Hi.\nS01: Hello.\n"

    other = FocusGroupFactory(course=focus_group.course)
    as_vtt = api.post(
        f"{BASE}/",
        {
            "focus_group": str(other.uuid),
            "text": "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v S02>From a cue.",
            "read_as": "vtt",
        },
        format="json",
    )
    assert as_vtt.status_code == 201, as_vtt.data
    assert as_vtt.data["source_format"] == "vtt"
    assert as_vtt.data["text"] == "S02: From a cue.\n"


def test_refusals_are_400_with_the_lines_and_nothing_is_saved(api, focus_group):
    unknown = api.post(
        f"{BASE}/",
        {"focus_group": str(focus_group.uuid), "text": "S01: Hi.\nAnna: Hello."},
        format="json",
    )
    assert unknown.status_code == 400
    assert unknown.data["content"][0].startswith("Line 2: speaker “Anna”")

    broken = api.post(
        f"{BASE}/",
        {
            "focus_group": str(focus_group.uuid),
            "file": SimpleUploadedFile(
                "broken.vtt", (DATA / "sessions_missing_blank_line.vtt").read_bytes()
            ),
        },
        format="multipart",
    )
    assert broken.status_code == 400
    assert broken.data["content"][0].startswith("Line 3: the cue")

    neither = api.post(f"{BASE}/", {"focus_group": str(focus_group.uuid)}, format="json")
    assert neither.status_code == 400
    assert not Transcript.objects.exists()


def test_transcripts_are_listed_by_focus_group_and_current_version(api, focus_group):
    old = TranscriptFactory(focus_group=focus_group, version=1, is_current=False)
    TranscriptFactory(focus_group=focus_group, version=2, previous=old)
    TranscriptFactory()

    rows = api.get(f"{BASE}/", {"focus_group": focus_group.uuid}).data["results"]
    assert [row["version"] for row in rows] == [2, 1]
    current = api.get(f"{BASE}/", {"focus_group": focus_group.uuid, "current": "true"})
    assert [row["version"] for row in current.data["results"]] == [2]


def test_independent_coding_is_patched_only_before_coding(api, focus_group):
    transcript = TranscriptFactory(focus_group=focus_group)
    url = f"{BASE}/{transcript.uuid}/"
    response = api.patch(url, {"independent_coding": True}, format="json")
    assert (response.status_code, response.data["independent_coding"]) == (200, True)

    ExcerptFactory(transcript=transcript)
    assert api.patch(url, {"independent_coding": False}, format="json").status_code == 409


def test_revise_answers_with_what_was_carried_over_and_what_was_not(api, evaluator, focus_group):
    transcript = TranscriptFactory(
        focus_group=focus_group,
        turns=[("Facilitator", "What worked?"), ("S01", "The rooms. The platform was slow.")],
    )
    rooms = ExcerptFactory(
        transcript=transcript,
        start=transcript.text.index("The rooms"),
        end=transcript.text.index("The rooms") + 9,
        coder=evaluator,
    )
    slow = ExcerptFactory(
        transcript=transcript,
        start=transcript.text.index("platform was slow"),
        end=transcript.text.index("platform was slow") + 17,
        coder=evaluator,
    )

    response = api.post(
        f"{BASE}/{transcript.uuid}/revise/",
        {"text": transcript.text.replace("was slow", "was very slow")},
        format="json",
    )

    assert response.status_code == 201, response.data
    body = response.json()
    assert body["transcript"]["version"] == 2
    assert (body["carried_count"], body["not_carried_count"]) == (1, 1)
    assert body["carried"][0]["excerpt"] == str(rooms.uuid)
    assert body["not_carried"] == [
        {
            "excerpt": str(slow.uuid),
            "participant": None,
            "quote": "platform was slow",
            "reason": "text changed",
        }
    ]
    assert body["summary"] == (
        "1 excerpt carried over; 1 stayed on version 1 because its words changed."
    )
    again = api.post(f"{BASE}/{transcript.uuid}/revise/", {"text": "S01: x"}, format="json")
    assert again.status_code == 409


def test_a_blind_coder_is_told_only_about_their_own_excerpts(api, evaluator, focus_group):
    transcript = TranscriptFactory(
        focus_group=focus_group, independent_coding=True, text="S01: Mine. Theirs.\n"
    )
    ExcerptFactory(transcript=transcript, start=5, end=10, quote="Mine.", coder=evaluator)
    ExcerptFactory(transcript=transcript, start=11, end=18, quote="Theirs.", coder=UserFactory())

    body = api.post(
        f"{BASE}/{transcript.uuid}/revise/", {"text": "S01: Changed.\n"}, format="json"
    ).json()

    assert (body["carried_count"], body["not_carried_count"]) == (0, 1)
    assert [item["quote"] for item in body["not_carried"]] == ["Mine."]
    assert "Theirs" not in str(body)
    assert (
        body["summary"]
        == "0 excerpts carried over; 1 stayed on version 1 because its words changed."
    )
    assert not CodingComparison.objects.exists()
    assert Excerpt.objects.filter(transcript__version=1).count() == 2


def test_a_blind_coder_learns_no_other_coders_excerpt_count(api, evaluator, focus_group):
    transcript = TranscriptFactory(
        focus_group=focus_group, independent_coding=True, text="S01: Mine. Theirs.\n"
    )
    ExcerptFactory(transcript=transcript, coder=evaluator, in_analysis=False)
    for _ in range(3):
        ExcerptFactory(transcript=transcript, coder=UserFactory(), in_analysis=False)

    def counts():
        listed = api.get(f"{BASE}/", {"focus_group": str(focus_group.uuid)}).json()["results"]
        read = api.get(f"{BASE}/{transcript.uuid}/").json()
        return listed[0]["excerpt_count"], read["excerpt_count"], read["is_coded"]

    assert counts() == (0, 0, True)
    ExcerptFactory(transcript=transcript, coder=evaluator, is_agreed=True, in_analysis=True)
    assert counts() == (1, 1, True)


def test_filter_labels_are_translated_when_shown_not_when_imported():
    labels = [item.label for item in TranscriptFilter.declared_filters.values()]
    assert labels
    assert all(isinstance(label, Promise) for label in labels)
