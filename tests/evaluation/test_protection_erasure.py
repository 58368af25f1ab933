"""Erasing a participant: their words and every link to them go, others' coding stays valid."""

import re

import pytest
from django.apps import apps
from django.db import connection, models
from django.test.utils import CaptureQueriesContext

from eisen.errors import Conflict
from evaluation.models import (
    Coding,
    Consent,
    ErasureRecord,
    Excerpt,
    ExcerptCapability,
    ExcerptMechanism,
    FormativeAction,
    MechanismAssessment,
    Participant,
    ParticipantIdentity,
    Phase,
    Stance,
    Transcript,
    Utterance,
    Verdict,
)
from evaluation.services.erasure import participant_erase, participant_erasure_preview
from tests.evaluation.factories import (
    CodingFactory,
    ConsentFactory,
    ExcerptFactory,
    FocusGroupFactory,
    MechanismFactory,
    ParticipantFactory,
    TranscriptFactory,
)
from tests.factories import CapabilityFactory, CourseFactory

pytestmark = pytest.mark.django_db

THEIR_WORDS = ["xylophone", "marmalade", "Zanzibar", "okapi"]
TURNS = [
    ("other", "I think the platform worked well for our group."),
    ("erased", "Honestly the xylophone marmalade workshop confused me."),
    ("other", "I agree with S07 about the workshop, it was long."),
    ("erased", "Zanzibar felt far away."),
    ("erased", "okapi"),
]


def _span(transcript, words):
    start = transcript.text.index(words)
    return start, start + len(words)


@pytest.fixture
def scene(evaluator):
    """S07 (to be erased) and S08 talk in two versions of a transcript, coded and cited."""
    course = CourseFactory()
    group = FocusGroupFactory(course=course)
    erased = ParticipantFactory(course=course, pseudonym="S07")
    other = ParticipantFactory(course=course, pseudonym="S08")
    erased.focus_groups.add(group)
    other.focus_groups.add(group)
    ConsentFactory(participant=erased, text_version="v2")
    ParticipantIdentity.objects.create(participant=erased, encrypted_name=b"token")
    speakers = {"erased": erased, "other": other}
    turns = [(speakers[who], words) for who, words in TURNS]
    first = TranscriptFactory(focus_group=group, turns=turns, version=1, is_current=False)
    current = TranscriptFactory(focus_group=group, turns=turns, version=2, previous=first)

    def excerpt(transcript, start, end, **fields):
        return ExcerptFactory(
            transcript=transcript, start=start, end=end, coder=evaluator, **fields
        )

    words = TURNS[1][1]
    mechanism = MechanismFactory()
    capability = CapabilityFactory()
    theirs = excerpt(current, *_span(current, words))
    CodingFactory(excerpt=theirs)
    ExcerptMechanism.objects.create(excerpt=theirs, mechanism=mechanism, stance=Stance.SUPPORTS)
    ExcerptCapability.objects.create(
        excerpt=theirs, capability=capability, stance=Stance.CHALLENGES
    )
    assessment = MechanismAssessment.objects.create(
        mechanism=mechanism, phase=Phase.FORMATIVE, verdict=Verdict.HELD
    )
    action = FormativeAction.objects.create(course=course, finding="The workshop was long.")
    label_start = current.text.index("S07: Honestly")
    with_label = excerpt(current, label_start, label_start + len("S07: Honestly the"))
    in_first_version = excerpt(first, *_span(first, "Zanzibar felt"))
    others_start = current.text.index(TURNS[0][1])
    spanning = excerpt(current, others_start, current.text.index(" workshop confused"))
    CodingFactory(excerpt=spanning)
    others = excerpt(current, *_span(current, TURNS[0][1]), memo="Said after S07 left.")
    mention = excerpt(current, *_span(current, "I agree with S07 about"))
    assessment.evidence.add(theirs, others)
    action.source_excerpts.add(theirs, spanning)
    return {
        "course": course,
        "erased": erased,
        "other": other,
        "first": first,
        "current": current,
        "theirs": theirs,
        "with_label": with_label,
        "in_first_version": in_first_version,
        "spanning": spanning,
        "others": others,
        "mention": mention,
        "assessment": assessment,
        "action": action,
    }


def _everything_stored_as_text() -> str:
    """Every text and JSON column of every evaluation table, the many-to-many ones included."""
    dump = []
    for model in apps.get_app_config("evaluation").get_models(include_auto_created=True):
        columns = [
            field.attname
            for field in model._meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField | models.JSONField)
        ]
        if columns:
            for row in model.objects.values_list(*columns):
                dump.extend(str(value) for value in row)
    return "\n".join(dump)


def test_erasure_leaves_no_trace_of_the_participants_words(scene, evaluator):
    before = _everything_stored_as_text()
    assert all(word in before for word in THEIR_WORDS)

    participant_erase(participant=scene["erased"], erased_by=evaluator)

    after = _everything_stored_as_text()
    for word in THEIR_WORDS:
        assert word not in after
    assert not re.search(r"(?<!\w)S07(?!\w)", after)
    speakers = set(Utterance.objects.values_list("speaker", flat=True))
    assert "S07" not in speakers
    for quote, memo in Excerpt.objects.values_list("quote", "memo"):
        assert "S07" not in quote
        assert "S07" not in memo


def test_erasure_masks_their_turns_in_every_version_keeping_the_lengths(scene, evaluator):
    originals = {t.pk: t.text for t in Transcript.objects.all()}

    participant_erase(participant=scene["erased"], erased_by=evaluator)

    for transcript in Transcript.objects.all():
        assert len(transcript.text) == len(originals[transcript.pk])
        assert transcript.version == {scene["first"].pk: 1, scene["current"].pk: 2}[transcript.pk]
        erased_turns = transcript.utterances.filter(speaker="erased").order_by("position")
        assert [u.position for u in erased_turns] == [1, 3, 4]
        assert all(u.participant_id is None for u in erased_turns)
        masks = [transcript.text[u.start : u.end] for u in erased_turns]
        assert masks[0] == "[erased]".ljust(len(TURNS[1][1]))
        assert masks[2] == "[eras"
        assert "XXX: [erased]" in transcript.text


def test_others_turns_and_excerpts_keep_their_offsets_and_valid_quotes(scene, evaluator):
    other = scene["other"]

    participant_erase(participant=scene["erased"], erased_by=evaluator)

    current = Transcript.objects.get(pk=scene["current"].pk)
    their_turns = current.utterances.filter(participant=other).order_by("position")
    assert [current.text[u.start : u.end] for u in their_turns] == [
        TURNS[0][1],
        "I agree with XXX about the workshop, it was long.",
    ]
    assert all(u.speaker == "S08" for u in their_turns)
    for excerpt in Excerpt.objects.select_related("transcript"):
        assert excerpt.quote == excerpt.transcript.text[excerpt.start : excerpt.end]
    others = Excerpt.objects.get(pk=scene["others"].pk)
    assert (others.quote, others.participant, others.revision) == (TURNS[0][1], other, 2)
    assert others.memo == "Said after XXX left."
    mention = Excerpt.objects.get(pk=scene["mention"].pk)
    assert (mention.quote, mention.participant) == ("I agree with XXX about", other)


def test_excerpts_of_only_their_words_go_with_their_codings_links_and_citations(scene, evaluator):
    removed = [scene["theirs"].pk, scene["with_label"].pk, scene["in_first_version"].pk]

    participant_erase(participant=scene["erased"], erased_by=evaluator)

    assert not Excerpt.objects.filter(pk__in=removed).exists()
    assert not Coding.objects.filter(excerpt_id__in=removed).exists()
    assert not ExcerptMechanism.objects.exists()
    assert not ExcerptCapability.objects.exists()
    assert list(scene["assessment"].evidence.all()) == [scene["others"]]
    assert list(scene["action"].source_excerpts.all()) == [scene["spanning"]]


def test_excerpts_spanning_their_words_and_others_are_anonymised(scene, evaluator):
    spanning = scene["spanning"]
    assert spanning.participant == scene["other"]

    participant_erase(participant=scene["erased"], erased_by=evaluator)

    spanning.refresh_from_db()
    assert spanning.participant is None
    assert spanning.quote.startswith(TURNS[0][1])
    assert spanning.quote.rstrip().endswith("XXX: [erased]")
    assert spanning.codings.count() == 1


def test_erasure_deletes_consents_identity_and_the_participant_but_not_others(scene, evaluator):
    erased, other = scene["erased"], scene["other"]

    participant_erase(participant=erased, erased_by=evaluator)

    assert not Participant.objects.filter(pk=erased.pk).exists()
    assert not Consent.objects.filter(participant_id=erased.pk).exists()
    assert not ParticipantIdentity.objects.exists()
    assert Consent.objects.filter(participant=other).count() == 1
    assert list(other.focus_groups.all()) == [scene["first"].focus_group]


def test_the_erasure_record_keeps_counts_and_nothing_personal(scene, evaluator):
    record = participant_erase(participant=scene["erased"], erased_by=evaluator)

    record = ErasureRecord.objects.get(pk=record.pk)
    assert (record.erased_by, record.course) == (evaluator, scene["course"])
    assert record.utterances_redacted == 6
    assert record.excerpts_removed == 3
    # The spanning excerpt, the one whose memo named them and the one quoting a mention of them.
    assert record.excerpts_anonymised == 3
    assert record.consents_deleted == 2
    text_columns = [
        field.name
        for field in ErasureRecord._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField | models.JSONField)
    ]
    assert text_columns == []


def test_the_preview_counts_what_the_erasure_then_does(scene, evaluator):
    plan = participant_erasure_preview(participant=scene["erased"])
    preview = (
        len(plan.utterance_ids),
        len(plan.removed_excerpt_ids),
        len(plan.anonymised_excerpts),
        plan.consents,
    )
    assert Excerpt.objects.get(pk=scene["spanning"].pk).participant == scene["other"]

    record = participant_erase(participant=scene["erased"], erased_by=evaluator)

    assert preview == (
        record.utterances_redacted,
        record.excerpts_removed,
        record.excerpts_anonymised,
        record.consents_deleted,
    )


def test_turns_with_their_label_but_tied_to_no_one_are_erased_too(evaluator):
    participant = ParticipantFactory(pseudonym="S11")
    group = FocusGroupFactory(course=participant.course)
    transcript = TranscriptFactory(
        focus_group=group, turns=[("S11", "The okapi example stayed with me."), ("T01", "Thanks.")]
    )

    record = participant_erase(participant=participant, erased_by=evaluator)

    transcript.refresh_from_db()
    assert record.utterances_redacted == 1
    assert transcript.text.startswith("XXX: [erased]")
    assert "okapi" not in transcript.text
    assert transcript.text.endswith("T01: Thanks.\n")


def test_the_same_label_in_another_course_is_left_alone(evaluator):
    participant = ParticipantFactory(pseudonym="S12")
    elsewhere = TranscriptFactory(turns=[("S12", "Someone else entirely.")])

    participant_erase(participant=participant, erased_by=evaluator)

    elsewhere.refresh_from_db()
    assert elsewhere.text == "S12: Someone else entirely.\n"


def test_erasing_someone_already_erased_is_refused(scene, evaluator):
    participant_erase(participant=scene["erased"], erased_by=evaluator)

    with pytest.raises(Conflict, match="already been erased"):
        participant_erase(participant=scene["erased"], erased_by=evaluator)
    assert ErasureRecord.objects.count() == 1


@pytest.mark.skipif(
    not connection.features.has_select_for_update, reason="the database has no row locks"
)
def test_erasure_locks_focus_groups_then_transcripts_before_reading_turns_or_excerpts(
    scene, evaluator
):
    with CaptureQueriesContext(connection) as queries:
        participant_erase(participant=scene["erased"], erased_by=evaluator)

    statements = [query["sql"] for query in queries.captured_queries]

    def first(pattern: str) -> int:
        return next(n for n, sql in enumerate(statements) if re.search(pattern, sql))

    groups_locked = first(r'FROM "evaluation_focusgroup".*FOR NO KEY UPDATE')
    transcripts_locked = first(r'FROM "evaluation_transcript".*FOR UPDATE')
    participant_locked = first(r'FROM "evaluation_participant".*FOR UPDATE')
    turns_read = first(r'^SELECT .* FROM "evaluation_utterance"')
    excerpts_read = first(r'^SELECT .* FROM "evaluation_excerpt"')
    assert groups_locked < transcripts_locked < participant_locked
    assert transcripts_locked < min(turns_read, excerpts_read)
