"""Verdicts on mechanisms with the excerpts they cite, and the steps of the formative action log."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from eisen.errors import StaleEdit
from evaluation.models import ExcerptMechanism, FormativeAction, Phase, Stance, Verdict
from evaluation.selectors.logic import mechanism_evidence
from evaluation.services.actions import (
    formative_action_create,
    formative_action_delete,
    formative_action_update,
    mechanism_assess,
)
from tests.evaluation.factories import (
    CodeFactory,
    CodingFactory,
    ExcerptFactory,
    FocusGroupFactory,
    MechanismFactory,
    ParticipantFactory,
    TranscriptFactory,
)
from tests.factories import CourseFactory

pytestmark = pytest.mark.django_db
Status = FormativeAction.Status


@pytest.fixture
def course():
    return CourseFactory(code="IMP101")


@pytest.fixture
def mechanism():
    return MechanismFactory(name="International")


def _excerpt(course, *, phase=Phase.FORMATIVE, **kwargs):
    student = ParticipantFactory(course=course)
    transcript = TranscriptFactory(
        focus_group=FocusGroupFactory(course=course, phase=phase, title=f"Week {student.pk}"),
        turns=[(student, "The breakout rooms with students from Sweden helped me most.")],
    )
    return ExcerptFactory(transcript=transcript, **kwargs)


def _linked(course, mechanism, **kwargs):
    excerpt = _excerpt(course, **kwargs)
    ExcerptMechanism.objects.create(excerpt=excerpt, mechanism=mechanism, stance=Stance.SUPPORTS)
    return excerpt


def _coded(course, mechanism, **kwargs):
    excerpt = _excerpt(course, **kwargs)
    code = CodeFactory()
    code.mechanisms.add(mechanism)
    CodingFactory(excerpt=excerpt, code=code)
    return excerpt


def _assess(mechanism, evaluator, *, evidence=(), expected_revision=None, **fields):
    return mechanism_assess(
        mechanism=mechanism,
        phase=fields.get("phase", Phase.FORMATIVE),
        verdict=fields.get("verdict", Verdict.HELD),
        reflection=fields.get("reflection", ""),
        evidence=evidence,
        assessed_by=evaluator,
        expected_revision=expected_revision,
    )


def test_evidence_is_linked_directly_or_through_a_code_each_once(course, mechanism):
    direct = _linked(course, mechanism)
    through_code = _coded(course, mechanism)
    both = _linked(course, mechanism)
    code = CodeFactory()
    code.mechanisms.add(mechanism)
    CodingFactory(excerpt=both, code=code)
    _excerpt(course)
    _linked(course, MechanismFactory())
    _linked(course, mechanism, in_analysis=False)
    assert sorted(mechanism_evidence(mechanism).values_list("pk", flat=True)) == sorted(
        [direct.pk, through_code.pk, both.pk]
    )


def test_an_assessment_records_the_verdict_and_the_excerpts_it_cites(course, mechanism, evaluator):
    direct, coded = _linked(course, mechanism), _coded(course, mechanism)
    assessment = _assess(
        mechanism,
        evaluator,
        evidence=[direct, coded, direct],
        verdict=Verdict.PARTLY_HELD,
        reflection="  Students valued the mix; staff found it hard to schedule.  ",
    )
    assert (assessment.verdict, assessment.revision) == (Verdict.PARTLY_HELD, 1)
    assert assessment.reflection == "Students valued the mix; staff found it hard to schedule."
    assert set(assessment.evidence.all()) == {direct, coded}
    assert assessment.assessed_by == evaluator


def test_changing_an_assessment_needs_the_revision_it_started_from(course, mechanism, evaluator):
    first = _assess(mechanism, evaluator, verdict=Verdict.HELD)
    changed = _assess(mechanism, evaluator, verdict=Verdict.DID_NOT_HOLD, expected_revision=1)
    assert (changed.pk, changed.revision, changed.verdict) == (first.pk, 2, Verdict.DID_NOT_HOLD)
    with pytest.raises(StaleEdit) as stale:
        _assess(mechanism, evaluator, verdict=Verdict.HELD, expected_revision=1)
    assert stale.value.current.verdict == Verdict.DID_NOT_HOLD


def test_a_second_first_assessment_of_the_same_phase_is_a_stale_edit(mechanism, evaluator):
    _assess(mechanism, evaluator, verdict=Verdict.HELD)
    with pytest.raises(StaleEdit):
        _assess(mechanism, evaluator, verdict=Verdict.DID_NOT_HOLD)
    assert _assess(mechanism, evaluator, phase=Phase.SUMMATIVE).phase == Phase.SUMMATIVE


def test_citing_an_excerpt_that_is_not_evidence_names_it_and_saves_nothing(
    course, mechanism, evaluator
):
    evidence = _linked(course, mechanism)
    unrelated = _excerpt(course)
    with pytest.raises(ValidationError) as refused:
        _assess(mechanism, evaluator, evidence=[evidence, unrelated])
    (message,) = refused.value.message_dict["evidence"]
    assert message.startswith(
        f"excerpt {unrelated.uuid} ({unrelated.participant.pseudonym}, IMP101"
    )
    assert "is not evidence for “International”" in message
    assert not mechanism.assessments.exists()


def test_citing_an_excerpt_not_counted_in_reports_is_refused(course, mechanism, evaluator):
    blind = _linked(course, mechanism, in_analysis=False)
    with pytest.raises(ValidationError) as refused:
        _assess(mechanism, evaluator, evidence=[blind])
    (message,) = refused.value.message_dict["evidence"]
    assert str(blind.uuid) in message
    assert "not counted in reports" in message


def test_an_unknown_verdict_is_refused_naming_the_field(mechanism, evaluator):
    with pytest.raises(ValidationError) as refused:
        _assess(mechanism, evaluator, verdict="maybe")
    assert "verdict" in refused.value.message_dict


def test_a_finding_starts_open_with_its_source_excerpts(course, mechanism, evaluator):
    source = _excerpt(course)
    action = formative_action_create(
        course=course,
        finding="  Students lost the thread between sessions. ",
        mechanism=mechanism,
        source_excerpts=[source],
        created_by=evaluator,
    )
    assert (action.status, action.finding) == (
        Status.OPEN,
        "Students lost the thread between sessions.",
    )
    assert list(action.source_excerpts.all()) == [source]


def test_a_source_excerpt_of_another_course_is_refused_by_name(course, evaluator):
    elsewhere = _excerpt(CourseFactory(code="PHD800"))
    with pytest.raises(ValidationError) as refused:
        formative_action_create(
            course=course,
            finding="Too much reading.",
            source_excerpts=[elsewhere],
            created_by=evaluator,
        )
    (message,) = refused.value.message_dict["source_excerpts"]
    assert f"excerpt {elsewhere.uuid}" in message
    assert "PHD800" in message
    assert "another course's focus group" in message
    assert not FormativeAction.objects.exists()


def test_changed_needs_what_changed_and_when(course, evaluator):
    action = formative_action_create(
        course=course, finding="Too much reading.", created_by=evaluator
    )
    with pytest.raises(ValidationError) as refused:
        formative_action_update(action=action, expected_revision=1, status=Status.CHANGED)
    assert set(refused.value.message_dict) == {"change_made", "changed_on"}
    changed = formative_action_update(
        action=action,
        expected_revision=1,
        status=Status.CHANGED,
        change_made="Reading list cut to three papers a week.",
        changed_on=datetime.date(2026, 3, 1),
    )
    assert (changed.status, changed.revision) == (Status.CHANGED, 2)


def test_rechecked_needs_the_recheck_and_a_date_not_before_the_change(course, evaluator):
    action = formative_action_create(
        course=course,
        finding="Too much reading.",
        status=Status.CHANGED,
        change_made="Reading list cut.",
        changed_on=datetime.date(2026, 3, 1),
        created_by=evaluator,
    )
    with pytest.raises(ValidationError) as refused:
        formative_action_update(action=action, expected_revision=1, status=Status.RECHECKED)
    assert set(refused.value.message_dict) == {"recheck", "rechecked_on"}
    with pytest.raises(ValidationError) as refused:
        formative_action_update(
            action=action,
            expected_revision=1,
            status=Status.RECHECKED,
            recheck="Summative group found the load right.",
            rechecked_on=datetime.date(2026, 2, 1),
        )
    assert refused.value.message_dict["rechecked_on"] == [
        "The re-check (2026-02-01) cannot come before the change (2026-03-01)."
    ]
    rechecked = formative_action_update(
        action=action,
        expected_revision=1,
        status=Status.RECHECKED,
        recheck="Summative group found the load right.",
        rechecked_on=datetime.date(2026, 6, 1),
    )
    assert rechecked.status == Status.RECHECKED


def test_an_update_leaves_unnamed_fields_and_a_stale_one_is_refused(course, mechanism, evaluator):
    source = _excerpt(course)
    action = formative_action_create(
        course=course,
        finding="Too much reading.",
        mechanism=mechanism,
        source_excerpts=[source],
        created_by=evaluator,
    )
    updated = formative_action_update(action=action, expected_revision=1, mechanism=None)
    assert updated.mechanism is None
    assert updated.finding == "Too much reading."
    assert list(updated.source_excerpts.all()) == [source]
    with pytest.raises(StaleEdit):
        formative_action_update(action=action, expected_revision=1, finding="Other")
    with pytest.raises(StaleEdit):
        formative_action_delete(action=action, expected_revision=1)
    formative_action_delete(action=action, expected_revision=2)
    assert not FormativeAction.objects.exists()
