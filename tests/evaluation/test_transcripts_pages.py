"""Uploading, pasting, reading and revising transcripts in the browser."""

import datetime
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evaluation.models import Excerpt, Transcript
from evaluation.services.transcripts import transcript_import
from tests.evaluation.factories import (
    ExcerptFactory,
    FocusGroupFactory,
    ParticipantFactory,
    TranscriptFactory,
)
from tests.factories import CourseFactory, UserFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
NAMES = "Anna Berg = S01\nAnna = S01\nKari Nordmann = S02\nKari = S02\nLars = S03\n"
NAMES += "Ingrid Solberg = T01\n"


@pytest.fixture
def focus_group():
    course = CourseFactory(code="IMP101")
    for code in ("S01", "S02", "S03", "T01"):
        ParticipantFactory(course=course, pseudonym=code)
    return FocusGroupFactory(course=course, title="Cohort 1, week 6")


def upload_url(focus_group):
    return reverse("evaluation:transcript_create", args=[focus_group.uuid])


def sample_file(name, file_name=None):
    return SimpleUploadedFile(file_name or name, (DATA / name).read_bytes())


def test_uploading_a_text_file_replaces_names_and_shows_the_turns(evaluator_client, focus_group):
    response = evaluator_client.post(
        upload_url(focus_group),
        {
            "file": sample_file("sessions_plain.txt", "Kari Nordmann notes.txt"),
            "replacements": NAMES,
        },
    )

    transcript = Transcript.objects.get()
    assert response["Location"] == reverse("evaluation:transcript_detail", args=[transcript.uuid])
    assert transcript.source_name == "S02 notes.txt"
    page = evaluator_client.get(response["Location"])
    html = page.content.decode()
    assert "Version 1 saved: 8 speaker turns." in [str(m) for m in get_messages(page.wsgi_request)]
    assert "As the teacher I noticed that too." in html
    assert "0:02:15" in html
    assert "Kari" not in html
    assert "Anna" not in html


def test_pasting_a_transcript(evaluator_client, focus_group):
    evaluator_client.post(
        upload_url(focus_group),
        {"text": "Moderator: Welcome.\nS01: Thank you.", "independent_coding": "on"},
    )
    transcript = Transcript.objects.get()
    assert transcript.source_format == Transcript.SourceFormat.PASTED
    assert transcript.independent_coding


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Upload a transcript file or paste its text."),
        ({"text": "S01: Hi."}, "Upload a file or paste the text, not both."),
    ],
)
def test_a_file_or_a_text_is_needed_not_both(evaluator_client, focus_group, data, message):
    if data:
        data["file"] = sample_file("sessions_zoom.vtt")
    response = evaluator_client.post(upload_url(focus_group), data)
    assert response.context["form"].non_field_errors() == [message]


def test_unknown_speakers_are_listed_on_the_file_field_and_nothing_is_saved(
    evaluator_client, focus_group
):
    response = evaluator_client.post(
        upload_url(focus_group),
        {"file": sample_file("sessions_zoom.vtt"), "replacements": "Kari Nordmann = S02"},
    )
    assert response.context["form"].errors["file"] == [
        (
            "Line 8: speaker “Anna Berg” is neither a participant of IMP101 nor a facilitator; "
            "add the participant or list the name under names to replace."
        )
    ]
    assert not Transcript.objects.exists()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("latin.txt", "S01: Det var gøy.".encode("latin-1")),
            "offset 14 (0xF8)",
        ),
        (
            SimpleUploadedFile("broken.vtt", (DATA / "sessions_broken_timestamp.vtt").read_bytes()),
            "Line 7: the cue",
        ),
        (SimpleUploadedFile("notes.docx", b"PK\x03\x04"), "notes.docx is not a .txt or .vtt file."),
    ],
)
def test_unreadable_files_are_refused_next_to_the_file_field(
    evaluator_client, focus_group, upload, message
):
    response = evaluator_client.post(upload_url(focus_group), {"file": upload})
    assert message in response.context["form"].errors["file"][0]
    assert not Transcript.objects.exists()


def test_a_bad_names_list_is_refused_next_to_it(evaluator_client, focus_group):
    response = evaluator_client.post(
        upload_url(focus_group), {"text": "S01: Hi.", "replacements": "Anna S01"}
    )
    assert response.context["form"].errors["replacements"][0].startswith("Line 1 (“Anna S01”)")


@pytest.fixture
def coded(focus_group, evaluator):
    transcript = transcript_import(
        focus_group=focus_group,
        content=(
            "Facilitator: What worked?\n"
            "S01: The breakout rooms worked well for me.\n"
            "S02: The platform was slow at the hospital.\n"
        ),
        source_format=Transcript.SourceFormat.TEXT,
        created_by=evaluator,
    )
    for quote in ("breakout rooms worked well", "platform was slow"):
        start = transcript.text.index(quote)
        ExcerptFactory(transcript=transcript, start=start, end=start + len(quote), coder=evaluator)
    return transcript


def test_revising_saves_a_new_version_and_lists_what_was_not_carried_over(evaluator_client, coded):
    url = reverse("evaluation:transcript_revise", args=[coded.uuid])
    assert evaluator_client.get(url).context["form"].initial["text"] == coded.text

    response = evaluator_client.post(
        url, {"text": coded.text.replace("was slow", "was very slow")}, follow=True
    )

    new = Transcript.objects.get(is_current=True)
    assert new.version == 2
    assert response.redirect_chain[-1][0] == reverse(
        "evaluation:transcript_detail", args=[new.uuid]
    )
    html = response.content.decode()
    assert (
        "Version 2 saved: 1 excerpt carried over; 1 stayed on version 1 because its words changed."
    ) in html
    not_carried = html.split('data-testid="not-carried"', 1)[1].split("</ul>", 1)[0]
    assert "S02 “platform was slow” (text changed)" in not_carried
    assert Excerpt.objects.filter(transcript=new).count() == 1


def test_an_old_version_cannot_be_revised(evaluator_client, coded):
    url = reverse("evaluation:transcript_revise", args=[coded.uuid])
    evaluator_client.post(url, {"text": coded.text + "S01: More.\n"})
    response = evaluator_client.post(url, {"text": coded.text + "S01: Other.\n"})
    assert response.status_code == 409
    assert "no longer the current one" in response.content.decode()
    page = evaluator_client.get(reverse("evaluation:transcript_detail", args=[coded.uuid]))
    assert url not in page.content.decode()


def test_a_revision_with_an_unknown_speaker_is_refused_next_to_the_text(evaluator_client, coded):
    response = evaluator_client.post(
        reverse("evaluation:transcript_revise", args=[coded.uuid]),
        {"text": coded.text + "Anna: Me again.\n"},
    )
    assert response.context["form"].errors["text"][0].startswith("Line 4: speaker “Anna”")


def test_a_blind_coder_sees_only_their_own_excerpts_that_were_not_carried(
    client, evaluator, focus_group
):
    other = UserFactory()
    transcript = TranscriptFactory(
        focus_group=focus_group, independent_coding=True, text="S01: Mine. Theirs.\n"
    )
    ExcerptFactory(transcript=transcript, start=5, end=10, quote="Mine.", coder=evaluator)
    ExcerptFactory(transcript=transcript, start=11, end=18, quote="Theirs.", coder=other)
    Transcript.objects.filter(pk=transcript.pk).update(is_current=False)
    new = TranscriptFactory(
        focus_group=focus_group, version=2, previous=transcript, text="S01: Changed.\n"
    )
    client.force_login(evaluator)

    html = client.get(reverse("evaluation:transcript_detail", args=[new.uuid])).content.decode()

    assert "“Mine.”" in html
    assert "Theirs" not in html


def test_a_blind_coder_learns_no_other_coders_excerpt_count_on_the_transcript_page(
    client, evaluator, focus_group
):
    transcript = TranscriptFactory(
        focus_group=focus_group, independent_coding=True, text="S01: Mine. Theirs.\n"
    )
    ExcerptFactory(transcript=transcript, coder=evaluator, in_analysis=False)
    for _ in range(3):
        ExcerptFactory(transcript=transcript, coder=UserFactory(), in_analysis=False)
    client.force_login(evaluator)
    url = reverse("evaluation:transcript_detail", args=[transcript.uuid])

    html = client.get(url).content.decode()
    assert "no agreed coding yet" in html
    assert "4 excerpts" not in html
    assert "3 excerpts" not in html

    ExcerptFactory(transcript=transcript, coder=evaluator, is_agreed=True, in_analysis=True)
    assert "agreed coding: 1 excerpt" in client.get(url).content.decode()


def test_a_blind_coder_revising_is_told_only_about_their_own_excerpts(
    client, evaluator, focus_group
):
    transcript = TranscriptFactory(
        focus_group=focus_group, independent_coding=True, text="S01: Mine. Theirs.\n"
    )
    ExcerptFactory(transcript=transcript, start=5, end=10, quote="Mine.", coder=evaluator)
    for _ in range(3):
        ExcerptFactory(transcript=transcript, start=11, end=18, coder=UserFactory())
    client.force_login(evaluator)

    response = client.post(
        reverse("evaluation:transcript_revise", args=[transcript.uuid]),
        {"text": "S01: Mine. Changed.\n"},
        follow=True,
    )

    html = response.content.decode()
    assert "Version 2 saved: 1 excerpt carried over." in html
    assert "stayed on version 1" not in html


def test_independent_coding_is_switched_on_the_transcript_page_until_coded(
    evaluator_client, focus_group, coded
):
    uncoded = TranscriptFactory(focus_group=FocusGroupFactory(course=focus_group.course))
    evaluator_client.post(
        reverse("evaluation:transcript_independent_coding", args=[uncoded.uuid]),
        {"independent_coding": "on"},
    )
    uncoded.refresh_from_db()
    assert uncoded.independent_coding

    response = evaluator_client.post(
        reverse("evaluation:transcript_independent_coding", args=[coded.uuid]),
        {"independent_coding": "on"},
        follow=True,
    )
    assert "already coded" in response.content.decode()
    coded.refresh_from_db()
    assert not coded.independent_coding


def test_transcript_page_shows_turns_times_and_every_version(evaluator_client, focus_group):
    first = TranscriptFactory(focus_group=focus_group, version=1, is_current=False)
    participant = focus_group.course.participants.get(pseudonym="S01")
    second = TranscriptFactory(
        focus_group=focus_group,
        version=2,
        previous=first,
        turns=[("Moderator", "Welcome back."), (participant, "Glad to be here.")],
    )
    second.utterances.filter(position=1).update(spoken_at=datetime.timedelta(seconds=3723))

    html = evaluator_client.get(
        reverse("evaluation:transcript_detail", args=[second.uuid])
    ).content.decode()

    assert "Glad to be here." in html
    assert "1:02:03" in html
    assert reverse("evaluation:participant_detail", args=[participant.uuid]) in html
    assert reverse("evaluation:transcript_detail", args=[first.uuid]) in html
    assert reverse("evaluation:coding", args=[second.uuid]) in html
