"""Coding services: excerpts of the current transcript, refused when the range, the consent or
a capability's framework is wrong, blind on independently coded transcripts."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from competencies.services.versions import framework_new_version, framework_publish
from courses.services.rollover import course_remap
from eisen.errors import Conflict, StaleEdit
from evaluation.models import (
    Coding,
    CodingComparison,
    ConsentScope,
    Excerpt,
    ExcerptCapability,
    ExcerptMechanism,
    MechanismAssessment,
    Phase,
    Verdict,
)
from evaluation.selectors.coding import excerpts_visible_to
from evaluation.services.coding import (
    capability_excerpt_usages,
    excerpt_create,
    excerpt_delete,
    excerpt_update,
)
from tests.evaluation.factories import (
    CodeFactory,
    ConsentFactory,
    ExcerptFactory,
    FocusGroupFactory,
    MechanismFactory,
    ParticipantFactory,
    TranscriptFactory,
)
from tests.factories import CapabilityFactory, CourseFactory, FrameworkFactory, UserFactory

pytestmark = pytest.mark.django_db

WELCOME = "Welcome, everyone."
ROOMS = "The breakout rooms made it easy to talk."
PLATFORM = "The platform was confusing at first."


@pytest.fixture
def course():
    framework = FrameworkFactory(title="EISEN Competency Framework", version_label="1.0")
    return CourseFactory(code="IMP101", framework=framework)


@pytest.fixture
def speakers(course):
    return (
        ParticipantFactory(course=course, pseudonym="S01"),
        ParticipantFactory(course=course, pseudonym="S02"),
    )


@pytest.fixture
def transcript(course, speakers):
    focus_group = FocusGroupFactory(course=course, title="Session 2")
    return TranscriptFactory(
        focus_group=focus_group,
        turns=[("Facilitator", WELCOME), (speakers[0], ROOMS), (speakers[1], PLATFORM)],
    )


@pytest.fixture
def coder():
    return UserFactory(username="ingrid")


def _span_of(transcript, words):
    start = transcript.text.index(words)
    return start, start + len(words)


def test_an_excerpt_keeps_its_quote_speaker_codes_and_links(transcript, speakers, course, coder):
    code = CodeFactory(name="Networking")
    mechanism = MechanismFactory(name="International mix")
    capability = CapabilityFactory(code="K1", domain__framework=course.framework)
    start, end = _span_of(transcript, "breakout rooms")
    excerpt = excerpt_create(
        transcript=transcript,
        start=start,
        end=end,
        coder=coder,
        codes=[code],
        mechanisms={mechanism: "supports"},
        capabilities={capability: "mixed"},
        valence="positive",
        is_exemplar=True,
        memo=" Shows the mix at work. ",
    )
    excerpt.refresh_from_db()
    assert (excerpt.quote, excerpt.participant, excerpt.coder) == (
        "breakout rooms",
        speakers[0],
        coder,
    )
    assert (excerpt.valence, excerpt.is_exemplar, excerpt.memo) == (
        "positive",
        True,
        "Shows the mix at work.",
    )
    assert (excerpt.in_analysis, excerpt.is_agreed) == (True, False)
    assert list(excerpt.codes.all()) == [code]
    assert list(excerpt.mechanism_links.values_list("mechanism", "stance")) == [
        (mechanism.pk, "supports")
    ]
    assert list(excerpt.capability_links.values_list("capability", "stance")) == [
        (capability.pk, "mixed")
    ]


def test_whitespace_around_a_selection_is_left_out_of_the_range(transcript, coder):
    start, end = _span_of(transcript, ROOMS)
    assert transcript.text[start - 1] == " "
    assert transcript.text[end] == "\n"
    excerpt = excerpt_create(transcript=transcript, start=start - 1, end=end + 1, coder=coder)
    assert (excerpt.start, excerpt.end, excerpt.quote) == (start, end, ROOMS)


def test_a_facilitator_turn_has_no_participant(transcript, coder):
    start, end = _span_of(transcript, WELCOME)
    excerpt = excerpt_create(transcript=transcript, start=start, end=end, coder=coder)
    assert excerpt.participant is None


def test_a_selection_starting_on_a_speaker_label_belongs_to_that_turn(transcript, speakers, coder):
    start = transcript.text.index("S02: ")
    excerpt = excerpt_create(transcript=transcript, start=start, end=start + 12, coder=coder)
    assert excerpt.participant == speakers[1]


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [(40, 4000, "end"), (4000, 4010, "start")],
)
def test_a_range_outside_the_transcript_is_refused_naming_range_and_length(
    transcript, coder, start, end, field
):
    length = len(transcript.text)
    with pytest.raises(ValidationError) as refusal:
        excerpt_create(transcript=transcript, start=start, end=end, coder=coder)
    assert refusal.value.message_dict == {
        field: [
            (
                f"The excerpt from {start} to {end} falls outside the transcript, which has "
                f"{length} characters: start and end must lie between 0 and {length}."
            )
        ]
    }
    assert not Excerpt.objects.exists()


def test_a_reversed_or_empty_range_is_refused(transcript, coder):
    with pytest.raises(ValidationError) as refusal:
        excerpt_create(transcript=transcript, start=20, end=20, coder=coder)
    assert refusal.value.message_dict == {
        "end": [
            "The excerpt from 20 to 20 is empty or reversed: its end must come after its start."
        ]
    }


def test_a_range_of_only_whitespace_is_refused(transcript, coder):
    newline = transcript.text.index("\n")
    with pytest.raises(ValidationError) as refusal:
        excerpt_create(transcript=transcript, start=newline, end=newline + 1, coder=coder)
    assert refusal.value.messages == [
        (
            f"The excerpt from {newline} to {newline + 1} holds only spaces and line breaks; "
            "select some words."
        )
    ]


def test_coding_is_refused_listing_every_speaker_without_consent(course, coder):
    consenting = ParticipantFactory(course=course, pseudonym="S01")
    never_asked = ParticipantFactory(course=course, pseudonym="S03", consented=False)
    withdrew = ParticipantFactory(course=course, pseudonym="S02", consented=False)
    ConsentFactory(
        participant=withdrew,
        withdrawn_on=datetime.date(2026, 6, 2),
        withdrawn_scopes=[ConsentScope.TRANSCRIPTION],
    )
    transcript = TranscriptFactory(
        focus_group=FocusGroupFactory(course=course, title="Session 3"),
        turns=[(consenting, ROOMS), (never_asked, PLATFORM), (withdrew, WELCOME)],
    )
    code = CodeFactory()
    with pytest.raises(ValidationError) as refusal:
        excerpt_create(transcript=transcript, start=4, end=20, coder=coder, codes=[code])
    assert refusal.value.messages == [
        (
            "The transcript of “Session 3” cannot be coded until everyone who speaks in it has "
            "consented to take part and to transcription; record their consent first."
        ),
        "S02 has not consented to: Transcription.",
        "S03 has not consented to: Take part, Transcription.",
    ]
    assert not Excerpt.objects.exists()
    assert not Coding.objects.exists()


def test_a_capability_of_another_framework_is_refused_and_nothing_is_saved(
    transcript, course, coder
):
    other = FrameworkFactory(title="Another framework", version_label="2.0")
    capability = CapabilityFactory(code="Z9", domain__framework=other)
    mechanism = MechanismFactory()
    with pytest.raises(ValidationError) as refusal:
        excerpt_create(
            transcript=transcript,
            start=0,
            end=10,
            coder=coder,
            codes=[CodeFactory()],
            mechanisms={mechanism: "supports"},
            capabilities={capability: "supports"},
        )
    assert refusal.value.message_dict == {
        "capabilities": [
            (
                "Z9 belongs to “Another framework 2.0”; IMP101 maps to "
                "“EISEN Competency Framework 1.0” only."
            )
        ]
    }
    assert not Excerpt.objects.exists()
    assert not ExcerptMechanism.objects.exists()


def test_an_unknown_stance_or_valence_is_refused(transcript, coder):
    mechanism = MechanismFactory(name="International mix")
    with pytest.raises(ValidationError) as refusal:
        excerpt_create(
            transcript=transcript, start=0, end=10, coder=coder, mechanisms={mechanism: "likes"}
        )
    assert refusal.value.message_dict == {
        "mechanisms": [
            (
                "Say whether the excerpt supports, challenges or is mixed about "
                "“International mix” (not “likes”)."
            )
        ]
    }
    with pytest.raises(ValidationError) as refusal:
        excerpt_create(transcript=transcript, start=0, end=10, coder=coder, valence="happy")
    assert refusal.value.message_dict == {
        "valence": ["Valence is positive, negative, mixed or neutral, not “happy”."]
    }
    assert not Excerpt.objects.exists()


def test_only_the_current_version_is_coded(transcript, coder):
    transcript.is_current = False
    transcript.save()
    with pytest.raises(Conflict) as refusal:
        excerpt_create(transcript=transcript, start=0, end=10, coder=coder)
    assert str(refusal.value) == (
        "Version 1 of the transcript of “Session 2” has been replaced by a newer version; "
        "code the current version."
    )


def test_blind_coders_excerpts_stay_out_of_reports(transcript, coder):
    transcript.independent_coding = True
    transcript.save()
    excerpt = excerpt_create(transcript=transcript, start=0, end=10, coder=coder)
    assert excerpt.in_analysis is False


def test_an_update_replaces_codes_and_links_and_takes_a_new_range_afresh(
    transcript, speakers, coder
):
    old_code, new_code = CodeFactory(), CodeFactory()
    mechanism = MechanismFactory()
    start, end = _span_of(transcript, WELCOME)
    excerpt = excerpt_create(
        transcript=transcript,
        start=start,
        end=end,
        coder=coder,
        codes=[old_code],
        mechanisms={mechanism: "supports"},
    )
    start, end = _span_of(transcript, PLATFORM)
    excerpt = excerpt_update(
        excerpt=excerpt,
        editor=coder,
        expected_revision=1,
        start=start,
        end=end,
        codes=[new_code],
        mechanisms={},
        valence="negative",
    )
    excerpt.refresh_from_db()
    assert (excerpt.quote, excerpt.participant, excerpt.valence, excerpt.revision) == (
        PLATFORM,
        speakers[1],
        "negative",
        2,
    )
    assert list(excerpt.codes.all()) == [new_code]
    assert not excerpt.mechanism_links.exists()


def test_an_update_leaves_out_what_it_is_not_given(transcript, coder):
    code = CodeFactory()
    excerpt = excerpt_create(transcript=transcript, start=0, end=10, coder=coder, codes=[code])
    excerpt_update(excerpt=excerpt, editor=coder, expected_revision=1, memo="Later thought.")
    excerpt.refresh_from_db()
    assert (excerpt.memo, list(excerpt.codes.all())) == ("Later thought.", [code])


def test_a_stale_update_is_refused_and_changes_nothing(transcript, coder):
    excerpt = excerpt_create(transcript=transcript, start=0, end=10, coder=coder)
    excerpt_update(excerpt=excerpt, editor=coder, expected_revision=1, memo="First.")
    with pytest.raises(StaleEdit) as stale:
        excerpt_update(excerpt=excerpt, editor=coder, expected_revision=1, memo="Second.")
    assert stale.value.current.memo == "First."
    excerpt.refresh_from_db()
    assert excerpt.memo == "First."


def test_a_bad_range_in_an_update_saves_nothing(transcript, coder):
    code = CodeFactory()
    excerpt = excerpt_create(transcript=transcript, start=0, end=10, coder=coder)
    with pytest.raises(ValidationError):
        excerpt_update(excerpt=excerpt, editor=coder, expected_revision=1, end=9999, codes=[code])
    excerpt.refresh_from_db()
    assert (excerpt.end, excerpt.revision, excerpt.codings.count()) == (10, 1, 0)


def remapped_to_version_2(course):
    """The course moved to version 2.0 of its framework, as its lead does after a new release."""
    version_2 = framework_publish(
        framework=framework_new_version(framework=course.framework, version_label="2.0")
    )
    course_remap(course=course, framework=version_2, expected_revision=None)
    return version_2


def test_after_a_remap_an_excerpt_keeps_its_link_to_the_old_version_and_refuses_new_ones(
    transcript, course, coder
):
    old_k1 = CapabilityFactory(code="K1", domain__framework=course.framework)
    other = CapabilityFactory(
        code="Z9",
        domain__framework=FrameworkFactory(title="Another framework", version_label="2.0"),
    )
    excerpt = excerpt_create(
        transcript=transcript, start=0, end=10, coder=coder, capabilities={old_k1: "supports"}
    )
    remapped_to_version_2(course)

    excerpt = excerpt_update(
        excerpt=excerpt,
        editor=coder,
        expected_revision=1,
        capabilities={old_k1: "mixed"},
        memo="Still about K1.",
    )
    assert list(excerpt.capability_links.values_list("capability", "stance")) == [
        (old_k1.pk, "mixed")
    ]
    with pytest.raises(ValidationError) as refusal:
        excerpt_update(
            excerpt=excerpt,
            editor=coder,
            expected_revision=2,
            capabilities={old_k1: "mixed", other: "supports"},
        )
    assert refusal.value.message_dict == {
        "capabilities": [
            (
                "Z9 belongs to “Another framework 2.0”; IMP101 maps to "
                "“EISEN Competency Framework 2.0” only."
            )
        ]
    }
    with pytest.raises(ValidationError) as refusal:
        excerpt_create(
            transcript=transcript, start=12, end=20, coder=coder, capabilities={old_k1: "mixed"}
        )
    assert refusal.value.message_dict == {
        "capabilities": [
            (
                "K1 belongs to “EISEN Competency Framework 1.0”; IMP101 maps to "
                "“EISEN Competency Framework 2.0” only."
            )
        ]
    }
    excerpt.refresh_from_db()
    assert excerpt.revision == 2
    assert list(excerpt.capability_links.values_list("capability", "stance")) == [
        (old_k1.pk, "mixed")
    ]


def test_any_evaluator_changes_excerpts_of_an_ordinary_transcript(transcript, coder):
    excerpt = excerpt_create(transcript=transcript, start=0, end=10, coder=coder)
    colleague = UserFactory()
    excerpt_update(excerpt=excerpt, editor=colleague, expected_revision=1, memo="Agree.")
    excerpt_delete(excerpt=excerpt, editor=colleague, expected_revision=2)
    assert not Excerpt.objects.exists()


def test_on_a_blind_transcript_nobody_changes_or_deletes_anothers_excerpt(transcript, coder):
    transcript.independent_coding = True
    transcript.save()
    excerpt = excerpt_create(transcript=transcript, start=0, end=10, coder=coder)
    colleague = UserFactory()
    message = (
        "The transcript of “Session 2” is coded independently: only ingrid changes this "
        "excerpt. Compare the codings to record the agreed coding."
    )
    with pytest.raises(PermissionDenied) as refusal:
        excerpt_update(excerpt=excerpt, editor=colleague, expected_revision=1, memo="Mine.")
    assert str(refusal.value) == message
    with pytest.raises(PermissionDenied) as refusal:
        excerpt_delete(excerpt=excerpt, editor=colleague, expected_revision=1)
    assert str(refusal.value) == message
    excerpt_update(excerpt=excerpt, editor=coder, expected_revision=1, memo="Mine.")
    assert Excerpt.objects.get().memo == "Mine."


def test_the_agreed_coding_is_changed_by_evaluators_who_have_compared(transcript, coder):
    transcript.independent_coding = True
    transcript.save()
    agreed = ExcerptFactory(transcript=transcript, coder=coder, is_agreed=True, in_analysis=True)
    colleague = UserFactory()
    with pytest.raises(PermissionDenied):
        excerpt_update(excerpt=agreed, editor=colleague, expected_revision=1, memo="Hmm.")
    CodingComparison.objects.create(transcript=transcript, coder=colleague)
    excerpt = excerpt_update(excerpt=agreed, editor=colleague, expected_revision=1, memo="Hmm.")
    assert (excerpt.memo, excerpt.in_analysis) == ("Hmm.", True)


def test_an_excerpt_cited_as_evidence_is_not_deleted(transcript, coder):
    excerpt = excerpt_create(transcript=transcript, start=0, end=10, coder=coder)
    mechanism = MechanismFactory(name="International mix")
    assessment = MechanismAssessment.objects.create(
        mechanism=mechanism, phase=Phase.SUMMATIVE, verdict=Verdict.HELD
    )
    assessment.evidence.add(excerpt)
    with pytest.raises(Conflict) as refusal:
        excerpt_delete(excerpt=excerpt, editor=coder, expected_revision=1)
    assert str(refusal.value) == (
        "This excerpt is cited as evidence in the summative assessment of “International mix”; "
        "take it out there first."
    )
    assert Excerpt.objects.exists()


def test_deleting_an_excerpt_takes_its_codings_and_links(transcript, course, coder):
    capability = CapabilityFactory(domain__framework=course.framework)
    excerpt = excerpt_create(
        transcript=transcript,
        start=0,
        end=10,
        coder=coder,
        codes=[CodeFactory()],
        capabilities={capability: "supports"},
    )
    excerpt_delete(excerpt=excerpt, editor=coder, expected_revision=1)
    assert not Coding.objects.exists()
    assert not ExcerptCapability.objects.exists()


def test_blind_coders_see_their_own_excerpts_until_they_compare(transcript, coder):
    transcript.independent_coding = True
    transcript.save()
    colleague = UserFactory()
    mine = ExcerptFactory(transcript=transcript, coder=coder, in_analysis=False)
    theirs = ExcerptFactory(transcript=transcript, coder=colleague, in_analysis=False)
    agreed = ExcerptFactory(transcript=transcript, coder=colleague, is_agreed=True)
    assert set(excerpts_visible_to(transcript, coder)) == {mine}
    CodingComparison.objects.create(transcript=transcript, coder=coder)
    assert set(excerpts_visible_to(transcript, coder)) == {mine, theirs, agreed}
    assert set(excerpts_visible_to(transcript, colleague)) == {theirs, agreed}


def test_on_ordinary_transcripts_every_evaluator_sees_every_excerpt(transcript, coder):
    ours = {
        ExcerptFactory(transcript=transcript, coder=coder),
        ExcerptFactory(transcript=transcript),
    }
    assert set(excerpts_visible_to(transcript, UserFactory())) == ours


def test_capability_usages_name_the_excerpts_and_codes_citing_it(
    transcript, speakers, course, coder, django_assert_num_queries
):
    capability = CapabilityFactory(code="K1", domain__framework=course.framework)
    unused = CapabilityFactory(domain__framework=course.framework)
    rooms_start, rooms_end = _span_of(transcript, ROOMS)
    for end in (rooms_end, rooms_end - 5):
        excerpt_create(
            transcript=transcript,
            start=rooms_start,
            end=end,
            coder=coder,
            capabilities={capability: "supports"},
        )
    excerpt_create(
        transcript=transcript, start=0, end=10, coder=coder, capabilities={capability: "mixed"}
    )
    parent = CodeFactory(name="Online")
    code = CodeFactory(name="Networking", parent=parent)
    code.capabilities.add(capability)
    with django_assert_num_queries(3):
        usages = capability_excerpt_usages([capability, unused])
    assert usages == {
        capability.pk: [
            "excerpt in “Session 2” (IMP101)",
            "2 excerpts of S01 in “Session 2” (IMP101)",
            "code “Online › Networking”",
        ]
    }
