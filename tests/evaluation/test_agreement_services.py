"""Comparing blind coding and recording the agreed coding: refusals, copies, duplicates."""

import pytest
from django.core.exceptions import ValidationError

from eisen.errors import Conflict
from evaluation.models import (
    CodingComparison,
    Excerpt,
    ExcerptCapability,
    ExcerptMechanism,
    MechanismAssessment,
    Phase,
    Stance,
    Valence,
    Verdict,
)
from evaluation.services.agreement import (
    agreed_excerpt_accept,
    agreed_excerpt_remove,
    agreed_units_accept_all,
    comparison_start,
)
from tests.evaluation.factories import CodeFactory, MechanismFactory, ParticipantFactory
from tests.evaluation.test_agreement_computation import code_turns, make_evaluator, transcript_of
from tests.factories import CapabilityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ann():
    return make_evaluator("ann")


@pytest.fixture
def bob():
    return make_evaluator("bob")


@pytest.fixture
def transcript():
    return transcript_of(6)


def compared(transcript, *coders):
    for coder in coders:
        comparison_start(transcript=transcript, coder=coder)


def agreed_codes(transcript):
    return sorted(
        (excerpt.start, excerpt.end, tuple(sorted(code.name for code in excerpt.codes.all())))
        for excerpt in Excerpt.objects.filter(transcript=transcript, is_agreed=True)
    )


def test_comparing_is_refused_to_an_evaluator_who_has_not_coded_the_transcript(transcript, ann):
    with pytest.raises(Conflict, match=r"Code .* yourself before comparing"):
        comparison_start(transcript=transcript, coder=ann)

    assert not CodingComparison.objects.exists()


def test_comparing_is_refused_on_a_transcript_not_coded_independently(ann):
    transcript = transcript_of(3, independent_coding=False)
    code_turns(transcript, ann, [CodeFactory()], [0])

    with pytest.raises(Conflict, match="not coded independently"):
        comparison_start(transcript=transcript, coder=ann)


def test_comparing_twice_keeps_one_comparison(transcript, ann):
    code_turns(transcript, ann, [CodeFactory()], [0])

    first = comparison_start(transcript=transcript, coder=ann)
    again = comparison_start(transcript=transcript, coder=ann)

    assert first == again
    assert CodingComparison.objects.filter(transcript=transcript, coder=ann).count() == 1


def test_accepting_before_comparing_is_refused(transcript, ann, bob):
    code_turns(transcript, ann, [CodeFactory()], [0])
    (theirs,) = code_turns(transcript, bob, [CodeFactory()], [0])

    with pytest.raises(Conflict, match="Compare your coding"):
        agreed_excerpt_accept(excerpt=theirs, by=ann)

    assert not Excerpt.objects.filter(is_agreed=True).exists()


def test_accepting_copies_the_excerpt_with_its_codes_links_and_notes(transcript, ann, bob):
    participant = ParticipantFactory(course=transcript.focus_group.course)
    code, other = CodeFactory(name="Peers"), CodeFactory(name="Platform")
    mechanism = MechanismFactory()
    capability = CapabilityFactory()
    code_turns(transcript, ann, [code], [0])
    (source,) = code_turns(
        transcript,
        bob,
        [code, other],
        [1, 2],
        participant=participant,
        valence=Valence.NEGATIVE,
        is_exemplar=True,
        memo="Both turns answer the same question.",
    )
    ExcerptMechanism.objects.create(excerpt=source, mechanism=mechanism, stance=Stance.CHALLENGES)
    ExcerptCapability.objects.create(excerpt=source, capability=capability, stance=Stance.MIXED)
    compared(transcript, ann)

    agreed = agreed_excerpt_accept(excerpt=source, by=ann)

    agreed.refresh_from_db()
    assert (agreed.start, agreed.end, agreed.quote) == (source.start, source.end, source.quote)
    assert agreed.participant == participant
    assert (agreed.coder, agreed.is_agreed, agreed.in_analysis) == (ann, True, True)
    assert (agreed.valence, agreed.is_exemplar, agreed.memo) == (
        Valence.NEGATIVE,
        True,
        "Both turns answer the same question.",
    )
    assert set(agreed.codes.all()) == {code, other}
    assert [(link.mechanism, link.stance) for link in agreed.mechanism_links.all()] == [
        (mechanism, Stance.CHALLENGES)
    ]
    assert [(link.capability, link.stance) for link in agreed.capability_links.all()] == [
        (capability, Stance.MIXED)
    ]
    source.refresh_from_db()
    assert (source.coder, source.is_agreed, source.in_analysis) == (bob, False, False)


def test_accepting_the_same_span_and_codes_twice_is_refused(transcript, ann, bob):
    code = CodeFactory()
    (mine,) = code_turns(transcript, ann, [code], [0])
    (theirs,) = code_turns(transcript, bob, [code], [0])
    compared(transcript, ann, bob)
    agreed_excerpt_accept(excerpt=mine, by=ann)

    with pytest.raises(ValidationError, match="already in the agreed coding"):
        agreed_excerpt_accept(excerpt=theirs, by=bob)

    assert Excerpt.objects.filter(is_agreed=True).count() == 1


def test_accepting_the_same_span_with_another_code_is_not_a_duplicate(transcript, ann, bob):
    (mine,) = code_turns(transcript, ann, [CodeFactory(name="A")], [0])
    (theirs,) = code_turns(transcript, bob, [CodeFactory(name="B")], [0])
    compared(transcript, ann)

    agreed_excerpt_accept(excerpt=mine, by=ann)
    agreed_excerpt_accept(excerpt=theirs, by=ann)

    assert [codes for _start, _end, codes in agreed_codes(transcript)] == [("A",), ("B",)]


def test_an_agreed_excerpt_cannot_itself_be_accepted(transcript, ann):
    (mine,) = code_turns(transcript, ann, [CodeFactory()], [0])
    compared(transcript, ann)
    agreed = agreed_excerpt_accept(excerpt=mine, by=ann)

    with pytest.raises(ValidationError, match="already part of the agreed coding"):
        agreed_excerpt_accept(excerpt=agreed, by=ann)


def test_agreed_coding_is_refused_on_a_transcript_not_coded_independently(ann):
    transcript = transcript_of(3, independent_coding=False)
    (mine,) = code_turns(transcript, ann, [CodeFactory()], [0])

    with pytest.raises(Conflict, match="not coded independently"):
        agreed_excerpt_accept(excerpt=mine, by=ann)


def test_accept_all_takes_the_first_coders_excerpts_with_only_the_codes_all_gave(
    transcript, ann, bob
):
    shared, disputed = CodeFactory(name="Shared"), CodeFactory(name="Disputed")
    (anns,) = code_turns(transcript, ann, [shared, disputed], [0, 1])
    code_turns(transcript, bob, [shared], [1])
    code_turns(transcript, bob, [disputed], [4])
    code_turns(transcript, ann, [disputed], [5])
    compared(transcript, bob)

    added = agreed_units_accept_all(transcript=transcript, by=bob)

    assert agreed_codes(transcript) == [(anns.start, anns.end, ("Shared",))]
    assert [excerpt.coder for excerpt in added] == [bob]


def test_accept_all_twice_adds_nothing_the_second_time(transcript, ann, bob):
    code = CodeFactory()
    code_turns(transcript, ann, [code], [0, 1])
    code_turns(transcript, ann, [code], [3])
    code_turns(transcript, bob, [code], [0, 1, 2, 3])
    compared(transcript, ann)

    first = agreed_units_accept_all(transcript=transcript, by=ann)
    second = agreed_units_accept_all(transcript=transcript, by=ann)

    assert len(first) == 2
    assert second == []
    assert Excerpt.objects.filter(is_agreed=True).count() == 2


def test_accept_all_needs_two_coders(transcript, ann):
    code_turns(transcript, ann, [CodeFactory()], [0])
    compared(transcript, ann)

    with pytest.raises(Conflict, match="Only one evaluator"):
        agreed_units_accept_all(transcript=transcript, by=ann)


def test_removing_takes_the_excerpt_out_of_the_agreed_coding_only(transcript, ann):
    (mine,) = code_turns(transcript, ann, [CodeFactory()], [0])
    compared(transcript, ann)
    agreed = agreed_excerpt_accept(excerpt=mine, by=ann)

    agreed_excerpt_remove(excerpt=agreed, by=ann)

    assert not Excerpt.objects.filter(pk=agreed.pk).exists()
    assert Excerpt.objects.filter(pk=mine.pk).exists()


def test_removing_a_coders_own_excerpt_is_refused(transcript, ann):
    (mine,) = code_turns(transcript, ann, [CodeFactory()], [0])
    compared(transcript, ann)

    with pytest.raises(ValidationError, match="Only an excerpt of the agreed coding"):
        agreed_excerpt_remove(excerpt=mine, by=ann)

    assert Excerpt.objects.filter(pk=mine.pk).exists()


def test_removing_an_agreed_excerpt_cited_as_evidence_is_refused(transcript, ann):
    (mine,) = code_turns(transcript, ann, [CodeFactory()], [0])
    compared(transcript, ann)
    agreed = agreed_excerpt_accept(excerpt=mine, by=ann)
    assessment = MechanismAssessment.objects.create(
        mechanism=MechanismFactory(name="International mix"),
        phase=Phase.SUMMATIVE,
        verdict=Verdict.HELD,
    )
    assessment.evidence.add(agreed)

    with pytest.raises(Conflict, match="International mix"):
        agreed_excerpt_remove(excerpt=agreed, by=ann)

    assert Excerpt.objects.filter(pk=agreed.pk).exists()


def test_removing_before_comparing_is_refused(transcript, ann, bob):
    (mine,) = code_turns(transcript, ann, [CodeFactory()], [0])
    code_turns(transcript, bob, [CodeFactory()], [0])
    compared(transcript, ann)
    agreed = agreed_excerpt_accept(excerpt=mine, by=ann)

    with pytest.raises(Conflict, match="Compare your coding"):
        agreed_excerpt_remove(excerpt=agreed, by=bob)


def replaced(transcript):
    """The transcript as it stands once a newer version has replaced it."""
    transcript.is_current = False
    transcript.save(update_fields=["is_current"])
    return transcript


def replaced_refusal(transcript):
    return (
        f"Version {transcript.version} of the transcript of “{transcript.focus_group.title}” "
        "has been replaced by a newer version; code the current version."
    )


def test_accepting_on_a_replaced_version_is_refused_as_coding_it_is(transcript, ann, bob):
    code_turns(transcript, ann, [CodeFactory()], [0])
    (theirs,) = code_turns(transcript, bob, [CodeFactory()], [0])
    compared(transcript, ann)
    replaced(transcript)

    with pytest.raises(Conflict) as refusal:
        agreed_excerpt_accept(excerpt=theirs, by=ann)

    assert str(refusal.value) == replaced_refusal(transcript)
    assert not Excerpt.objects.filter(is_agreed=True).exists()


def test_accept_all_on_a_replaced_version_is_refused(transcript, ann, bob):
    code = CodeFactory()
    code_turns(transcript, ann, [code], [0])
    code_turns(transcript, bob, [code], [0])
    compared(transcript, ann)
    replaced(transcript)

    with pytest.raises(Conflict) as refusal:
        agreed_units_accept_all(transcript=transcript, by=ann)

    assert str(refusal.value) == replaced_refusal(transcript)
    assert not Excerpt.objects.filter(is_agreed=True).exists()


def test_removing_agreed_coding_of_a_replaced_version_is_refused(transcript, ann):
    (mine,) = code_turns(transcript, ann, [CodeFactory()], [0])
    compared(transcript, ann)
    agreed = agreed_excerpt_accept(excerpt=mine, by=ann)
    replaced(transcript)

    with pytest.raises(Conflict) as refusal:
        agreed_excerpt_remove(excerpt=agreed, by=ann)

    assert str(refusal.value) == replaced_refusal(transcript)
    assert Excerpt.objects.filter(pk=agreed.pk).exists()
