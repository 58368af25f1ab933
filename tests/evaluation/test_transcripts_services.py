"""Importing transcripts (names replaced before storage, speakers tied) and revising them."""

import datetime
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection

from eisen.errors import Conflict
from evaluation.models import (
    CodingComparison,
    Excerpt,
    ExcerptMechanism,
    Participant,
    Stance,
    Transcript,
    Utterance,
)
from evaluation.services.transcripts import (
    transcript_import,
    transcript_revise,
    transcript_set_independent_coding,
)
from tests.evaluation.factories import (
    CodingFactory,
    ExcerptFactory,
    FocusGroupFactory,
    MechanismFactory,
    ParticipantFactory,
)
from tests.factories import CourseFactory, UserFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
NAMES = """Anna Berg = S01
Anna = S01
Kari Nordmann = S02
Kari = S02
Lars Holm = S03
Lars = S03
Ingrid Solberg = T01
Ingrid = T01
"""
REAL_NAMES = ["Anna", "Berg", "Kari", "Nordmann", "Lars", "Holm", "Ingrid", "Solberg"]


@pytest.fixture
def course():
    return CourseFactory(code="IMP101")


@pytest.fixture
def focus_group(course):
    return FocusGroupFactory(course=course, title="Cohort 1, week 6")


@pytest.fixture
def people(course):
    people = {code: ParticipantFactory(course=course, pseudonym=code) for code in ("S01", "S02")}
    people["S03"] = ParticipantFactory(course=course, pseudonym="S03", country="Sweden")
    people["T01"] = ParticipantFactory(
        course=course, pseudonym="T01", role=Participant.Role.TEACHER
    )
    return people


@pytest.fixture
def evaluator_user():
    return UserFactory()


def import_sample(focus_group, user, name, **kwargs):
    fmt = Transcript.SourceFormat.VTT if name.endswith(".vtt") else Transcript.SourceFormat.TEXT
    arguments = {
        "focus_group": focus_group,
        "content": (DATA / name).read_bytes(),
        "source_format": fmt,
        "source_name": name,
        "replacements": NAMES,
        "created_by": user,
        **kwargs,
    }
    return transcript_import(**arguments)


def every_value_in_evaluation_tables() -> str:
    """Every column of every row of the evaluation app's tables (M2M tables too), as text."""
    values = []
    with connection.cursor() as cursor:
        for model in apps.get_app_config("evaluation").get_models(include_auto_created=True):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(model._meta.db_table)}")
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        value = bytes(value).decode("utf-8", errors="replace")
                    values.append(str(value))
    return "\n".join(values)


def test_plain_text_import_ties_speakers_to_participants_and_adds_them_to_the_session(
    focus_group, people, evaluator_user
):
    transcript = import_sample(focus_group, evaluator_user, "sessions_plain.txt")

    assert transcript.version == 1
    assert transcript.is_current
    assert transcript.source_format == Transcript.SourceFormat.TEXT
    utterances = list(transcript.utterances.order_by("position"))
    assert [(u.speaker, u.participant) for u in utterances] == [
        ("Facilitator", None),
        ("S01", people["S01"]),
        ("Facilitator", None),
        ("S02", people["S02"]),
        ("S03", people["S03"]),
        ("T01", people["T01"]),
        ("Facilitator", None),
        ("S03", people["S03"]),
    ]
    assert utterances[3].spoken_at == datetime.timedelta(minutes=2, seconds=15)
    assert transcript.text[utterances[5].start : utterances[5].end] == (
        "As the teacher I noticed that too."
    )
    assert set(focus_group.participants.all()) == set(people.values())


def test_speaker_labels_match_pseudonyms_in_any_case(focus_group, people, evaluator_user):
    transcript = transcript_import(
        focus_group=focus_group,
        content="s01: lower case label.\nMODERATOR: And a shouting moderator.\nnote-taker: Hm.",
        source_format=Transcript.SourceFormat.PASTED,
        created_by=evaluator_user,
    )
    assert transcript.text == (
        "S01: lower case label.\nMODERATOR: And a shouting moderator.\nnote-taker: Hm.\n"
    )
    assert transcript.utterances.get(position=0).participant == people["S01"]


def test_vtt_import_keeps_cue_times_and_merges_a_speakers_cues(focus_group, people, evaluator_user):
    transcript = import_sample(focus_group, evaluator_user, "sessions_zoom.vtt")

    assert transcript.text == (
        "Moderator: Welcome to the summative focus group.\n"
        "S01: The module on stakeholder engagement was the one I used most. "
        "Especially the exercise with the hospital team.\n"
        "S02: I would have liked more time in the breakout rooms.\n"
    )
    assert list(transcript.utterances.values_list("speaker", "spoken_at")) == [
        ("Moderator", datetime.timedelta(seconds=1.2)),
        ("S01", datetime.timedelta(seconds=7.1)),
        ("S02", datetime.timedelta(seconds=16.3)),
    ]


def test_listed_names_appear_nowhere_in_the_database_after_import(
    focus_group, people, evaluator_user
):
    for name, session in [
        ("sessions_plain.txt", focus_group),
        ("sessions_zoom.vtt", FocusGroupFactory(course=focus_group.course)),
        ("sessions_teams.vtt", FocusGroupFactory(course=focus_group.course)),
    ]:
        import_sample(session, evaluator_user, name, source_name=f"Anna Berg and Lars {name}")

    stored = every_value_in_evaluation_tables()

    assert "S01 and S03 sessions_plain.txt" in stored
    assert "we need a map of the modules" in stored
    assert "the videos did not load at the hospital" in stored
    for name in REAL_NAMES:
        assert name.casefold() not in stored.casefold(), name


def test_unknown_speakers_are_refused_each_with_the_line_where_they_first_speak(
    focus_group, people, evaluator_user
):
    before = set(focus_group.participants.all())
    with pytest.raises(ValidationError) as error:
        import_sample(focus_group, evaluator_user, "sessions_plain.txt", replacements="")

    assert error.value.message_dict["content"] == [
        f"Line {line}: speaker “{name}” is neither a participant of IMP101 nor a facilitator; "
        "add the participant or list the name under names to replace."
        for line, name in [
            (2, "Anna Berg"),
            (6, "Kari Nordmann"),
            (7, "Lars"),
            (8, "Ingrid Solberg"),
        ]
    ]
    assert not Transcript.objects.exists()
    assert not Utterance.objects.exists()
    assert set(focus_group.participants.all()) == before


def test_a_participant_of_another_course_is_an_unknown_speaker(focus_group, evaluator_user):
    ParticipantFactory(course=CourseFactory(), pseudonym="S09")
    with pytest.raises(ValidationError, match="“S09” is neither a participant of IMP101"):
        transcript_import(
            focus_group=focus_group,
            content="S09: Hello.",
            source_format=Transcript.SourceFormat.PASTED,
            created_by=evaluator_user,
        )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("S01: Det var gøy.".encode("latin-1"), "offset 14 (0xF8)"),
        (b"S01: " + b"x" * (5 * 1024 * 1024), "the limit is 5 MB"),
    ],
)
def test_unreadable_or_oversized_uploads_save_nothing(
    focus_group, people, evaluator_user, content, expected
):
    with pytest.raises(ValidationError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        transcript_import(
            focus_group=focus_group,
            content=content,
            source_format=Transcript.SourceFormat.TEXT,
            created_by=evaluator_user,
        )
    assert not Transcript.objects.exists()


def test_broken_vtt_is_refused_and_nothing_is_saved(focus_group, people, evaluator_user):
    with pytest.raises(ValidationError, match="Line 7: the cue"):
        import_sample(focus_group, evaluator_user, "sessions_broken_timestamp.vtt")
    assert not Transcript.objects.exists()


def test_a_new_upload_on_an_uncoded_transcript_is_its_next_version(
    focus_group, people, evaluator_user
):
    first = import_sample(focus_group, evaluator_user, "sessions_plain.txt")
    second = import_sample(focus_group, evaluator_user, "sessions_zoom.vtt")

    first.refresh_from_db()
    assert (second.version, second.previous, second.is_current) == (2, first, True)
    assert not first.is_current


def test_a_new_upload_on_a_coded_transcript_is_refused_in_favour_of_revising(
    focus_group, people, evaluator_user
):
    first = import_sample(focus_group, evaluator_user, "sessions_plain.txt")
    ExcerptFactory(transcript=first)
    with pytest.raises(Conflict, match="Revise it instead"):
        import_sample(focus_group, evaluator_user, "sessions_zoom.vtt")
    assert Transcript.objects.get().pk == first.pk


# Revising


@pytest.fixture
def coded(focus_group, people, evaluator_user):
    """Version 1 with three excerpts, each coded and linked to a mechanism."""
    transcript = transcript_import(
        focus_group=focus_group,
        content=(
            "Facilitator (00:00:05): What worked?\n"
            "S01 (00:00:09): The breakout rooms worked well for me.\n"
            "S02 (00:00:20): The platform was slow at the hospital.\n"
            "S03 (00:00:31): I liked meeting people from other countries.\n"
        ),
        source_format=Transcript.SourceFormat.TEXT,
        created_by=evaluator_user,
    )
    mechanism = MechanismFactory()
    excerpts = {}
    for key, quote in [
        ("rooms", "The breakout rooms worked well"),
        ("platform", "The platform was slow"),
        ("countries", "meeting people from other countries"),
    ]:
        start = transcript.text.index(quote)
        excerpt = ExcerptFactory(
            transcript=transcript, start=start, end=start + len(quote), coder=evaluator_user
        )
        CodingFactory(excerpt=excerpt)
        ExcerptMechanism.objects.create(
            excerpt=excerpt, mechanism=mechanism, stance=Stance.SUPPORTS
        )
        excerpts[key] = excerpt
    return transcript, excerpts


def test_revising_makes_the_next_version_and_carries_unchanged_excerpts_over(coded, evaluator_user):
    old, excerpts = coded
    text = old.text.replace("Facilitator: What worked?", "Moderator: So, what worked for you?")
    text = text.replace("was slow", "was very slow")

    revision = transcript_revise(transcript=old, text=text, revised_by=evaluator_user)

    new = revision.transcript
    old.refresh_from_db()
    assert (new.version, new.previous, new.is_current, old.is_current) == (2, old, True, False)
    assert old.text.startswith("Facilitator: What worked?")
    assert {excerpt.pk for excerpt in revision.carried} == {
        excerpts["rooms"].pk,
        excerpts["countries"].pk,
    }
    assert [item.excerpt.pk for item in revision.not_carried] == [excerpts["platform"].pk]
    for key in ("rooms", "countries"):
        moved = Excerpt.objects.get(pk=excerpts[key].pk)
        assert moved.transcript == new
        assert new.text[moved.start : moved.end] == moved.quote == excerpts[key].quote
        assert moved.codings.count() == 1
        assert moved.mechanism_links.count() == 1
        assert moved.revision == excerpts[key].revision + 1
    assert Excerpt.objects.get(pk=excerpts["platform"].pk).transcript == old
    assert revision.summary() == (
        "2 excerpts carried over; 1 stayed on version 1 because its words changed."
    )


def test_a_revision_keeps_the_recording_times_of_turns_that_begin_unchanged(coded, evaluator_user):
    old, _excerpts = coded
    text = old.text.replace("What worked?", "What worked, and what did not?")

    new = transcript_revise(transcript=old, text=text, revised_by=evaluator_user).transcript

    assert list(new.utterances.order_by("position").values_list("speaker", "spoken_at")) == [
        ("Facilitator", datetime.timedelta(seconds=5)),
        ("S01", datetime.timedelta(seconds=9)),
        ("S02", datetime.timedelta(seconds=20)),
        ("S03", datetime.timedelta(seconds=31)),
    ]


def test_a_revision_keeps_the_evaluators_choices_to_compare(coded, evaluator_user):
    old, _excerpts = coded
    CodingComparison.objects.create(transcript=old, coder=evaluator_user)

    new = transcript_revise(
        transcript=old, text=old.text + "S01: One more thing.\n", revised_by=evaluator_user
    ).transcript

    assert list(new.comparisons.values_list("coder", flat=True)) == [evaluator_user.pk]


def test_only_the_current_version_is_revised(coded, evaluator_user):
    old, _excerpts = coded
    transcript_revise(transcript=old, text=old.text + "S01: More.\n", revised_by=evaluator_user)
    with pytest.raises(Conflict, match="someone saved version 2 meanwhile"):
        transcript_revise(transcript=old, text=old.text + "S01: Else.\n", revised_by=evaluator_user)


def test_an_unchanged_text_or_an_unknown_speaker_is_refused_on_the_text_field(
    coded, evaluator_user
):
    old, _excerpts = coded
    with pytest.raises(ValidationError) as unchanged:
        transcript_revise(transcript=old, text=old.text, revised_by=evaluator_user)
    assert "unchanged" in unchanged.value.message_dict["text"][0]

    with pytest.raises(ValidationError) as unknown:
        transcript_revise(
            transcript=old, text=old.text + "Anna: Hello again.\n", revised_by=evaluator_user
        )
    assert unknown.value.message_dict["text"][0].startswith("Line 5: speaker “Anna”")
    assert Transcript.objects.count() == 1


def test_independent_coding_changes_only_before_the_first_excerpt(coded, focus_group, people):
    old, _excerpts = coded
    with pytest.raises(Conflict, match="already coded"):
        transcript_set_independent_coding(transcript=old, independent_coding=True)

    fresh = FocusGroupFactory(course=focus_group.course)
    uncoded = transcript_import(
        focus_group=fresh,
        content="S01: Hello.",
        source_format=Transcript.SourceFormat.PASTED,
        created_by=UserFactory(),
    )
    transcript_set_independent_coding(transcript=uncoded, independent_coding=True)
    uncoded.refresh_from_db()
    assert uncoded.independent_coding
