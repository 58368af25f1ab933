"""Writing, rewording, ordering and removing a course's learning outcomes."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.models import BloomLevel, LearningOutcome
from courses.services.outcomes import (
    outcome_create,
    outcome_delete,
    outcome_move,
    outcome_update,
    outcomes_reorder,
)
from eisen.errors import Conflict, StaleEdit
from tests.factories import CourseFactory, OutcomeMappingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    return CourseFactory()


def _add(course, *texts):
    return [outcome_create(course=course, text=text) for text in texts]


def _order(course) -> list[tuple[str, int]]:
    return list(course.outcomes.order_by("position").values_list("code", "position"))


# Creating


def test_outcomes_get_the_next_code_and_position(course):
    first, second, third = _add(course, "Explain A.", "Apply B.", "Evaluate C.")
    assert [(item.code, item.position) for item in (first, second, third)] == [
        ("LO1", 0),
        ("LO2", 1),
        ("LO3", 2),
    ]


def test_a_new_outcome_takes_a_code_no_other_outcome_has(course):
    _add(course, "Explain A.", "Apply B.", "Evaluate C.")
    outcome_delete(outcome=course.outcomes.get(code="LO2"), expected_revision=None)
    (added,) = _add(course, "Design D.")
    assert added.code == "LO4"
    assert _order(course) == [("LO1", 0), ("LO3", 1), ("LO4", 2)]


def test_the_lead_may_give_a_code_and_surrounding_spaces_are_dropped(course):
    outcome = outcome_create(course=course, text="  Explain A.  ", code=" K-1 ")
    assert (outcome.code, outcome.text) == ("K-1", "Explain A.")


def test_a_code_the_course_already_has_is_refused(course):
    outcome_create(course=course, text="Explain A.", code="LO1")
    with pytest.raises(ValidationError) as refused:
        outcome_create(course=course, text="Apply B.", code="LO1")
    assert refused.value.message_dict == {"code": ["This course already has an outcome LO1."]}
    assert course.outcomes.count() == 1


def test_empty_text_is_refused(course):
    with pytest.raises(ValidationError) as refused:
        outcome_create(course=course, text="   ")
    assert "text" in refused.value.message_dict
    assert not course.outcomes.exists()


def test_the_bloom_level_is_suggested_from_the_leading_verb(course):
    outcome = outcome_create(course=course, text="Students will be able to critically assess X.")
    assert (outcome.bloom_level, outcome.bloom_level_chosen) == (BloomLevel.EVALUATE, False)


def test_an_outcome_without_a_known_verb_has_no_level(course):
    outcome = outcome_create(course=course, text="Know the key theories.")
    assert (outcome.bloom_level, outcome.bloom_level_chosen) == ("", False)


def test_a_level_the_lead_gives_is_kept_as_chosen(course):
    outcome = outcome_create(course=course, text="Explain A.", bloom_level=BloomLevel.ANALYSE)
    assert (outcome.bloom_level, outcome.bloom_level_chosen) == (BloomLevel.ANALYSE, True)


def test_a_level_outside_bloom_is_refused(course):
    with pytest.raises(ValidationError) as refused:
        outcome_create(course=course, text="Explain A.", bloom_level="wisdom")
    assert "bloom_level" in refused.value.message_dict


# Updating


def test_changing_the_text_suggests_the_level_again(course):
    (outcome,) = _add(course, "Explain A.")
    updated = outcome_update(
        outcome=outcome, expected_revision=outcome.revision, text="Design a plan for A."
    )
    assert (updated.text, updated.bloom_level) == ("Design a plan for A.", BloomLevel.CREATE)
    assert updated.revision == outcome.revision + 1


def test_a_level_chosen_by_the_lead_survives_a_text_change(course):
    (outcome,) = _add(course, "Explain A.")
    chosen = outcome_update(
        outcome=outcome, expected_revision=outcome.revision, bloom_level=BloomLevel.ANALYSE
    )
    assert (chosen.bloom_level, chosen.bloom_level_chosen) == (BloomLevel.ANALYSE, True)
    reworded = outcome_update(
        outcome=chosen, expected_revision=chosen.revision, text="Design a plan for A."
    )
    assert (reworded.bloom_level, reworded.bloom_level_chosen) == (BloomLevel.ANALYSE, True)


def test_an_empty_level_hands_the_choice_back_to_the_verb(course):
    outcome = outcome_create(course=course, text="Design a plan.", bloom_level=BloomLevel.REMEMBER)
    handed_back = outcome_update(
        outcome=outcome, expected_revision=outcome.revision, bloom_level=""
    )
    assert (handed_back.bloom_level, handed_back.bloom_level_chosen) == (BloomLevel.CREATE, False)


def test_a_stale_edit_is_refused_with_the_outcome_as_it_is_now(course):
    (outcome,) = _add(course, "Explain A.")
    started_from = outcome.revision
    outcome_update(outcome=outcome, expected_revision=started_from, text="Explain A and B.")
    with pytest.raises(StaleEdit) as refused:
        outcome_update(outcome=outcome, expected_revision=started_from, text="Explain A well.")
    assert refused.value.current.text == "Explain A and B."
    assert refused.value.current.revision == started_from + 1
    assert "Someone else saved this learning outcome" in str(refused.value)
    outcome.refresh_from_db()
    assert outcome.text == "Explain A and B."


def test_renaming_to_a_code_another_outcome_has_is_refused(course):
    _first, second = _add(course, "Explain A.", "Apply B.")
    with pytest.raises(ValidationError) as refused:
        outcome_update(outcome=second, expected_revision=second.revision, code="LO1")
    assert refused.value.message_dict == {"code": ["This course already has an outcome LO1."]}
    second.refresh_from_db()
    assert (second.code, second.revision) == ("LO2", 1)


# Deleting


def test_deleting_moves_the_later_outcomes_up_and_takes_their_mappings(course):
    first, _second, _third = _add(course, "Explain A.", "Apply B.", "Evaluate C.")
    OutcomeMappingFactory(outcome=first)
    outcome_delete(outcome=first, expected_revision=first.revision)
    assert _order(course) == [("LO2", 0), ("LO3", 1)]
    assert not LearningOutcome.objects.filter(pk=first.pk).exists()
    assert not first.mappings.exists()


def test_a_stale_delete_is_refused(course):
    (outcome,) = _add(course, "Explain A.")
    outcome_update(outcome=outcome, expected_revision=outcome.revision, text="Explain B.")
    with pytest.raises(StaleEdit):
        outcome_delete(outcome=outcome, expected_revision=outcome.revision)
    assert course.outcomes.count() == 1


# Ordering


def test_reorder_puts_the_outcomes_in_the_given_order(course):
    first, second, third = _add(course, "Explain A.", "Apply B.", "Evaluate C.")
    outcomes_reorder(course=course, order=[third.uuid, first.uuid, str(second.uuid)])
    assert _order(course) == [("LO3", 0), ("LO1", 1), ("LO2", 2)]


@pytest.mark.parametrize(
    "wrong_order",
    [
        pytest.param(lambda first, second, third: [first, second], id="one-missing"),
        pytest.param(lambda first, second, third: [first, second, second], id="one-twice"),
        pytest.param(
            lambda first, second, third: [first, second, third, "not-a-uuid"], id="one-unknown"
        ),
    ],
)
def test_reorder_that_does_not_list_each_outcome_once_is_refused(course, wrong_order):
    outcomes = _add(course, "Explain A.", "Apply B.", "Evaluate C.")
    other = CourseFactory()
    outcome_create(course=other, text="Explain elsewhere.")
    with pytest.raises(ValidationError) as refused:
        outcomes_reorder(course=course, order=wrong_order(*(item.uuid for item in outcomes)))
    assert "each of the course's 3 outcomes once" in refused.value.message_dict["order"][0]
    assert _order(course) == [("LO1", 0), ("LO2", 1), ("LO3", 2)]


def test_reorder_refuses_an_outcome_of_another_course(course):
    first, _second = _add(course, "Explain A.", "Apply B.")
    (foreign,) = _add(CourseFactory(), "Explain elsewhere.")
    with pytest.raises(ValidationError):
        outcomes_reorder(course=course, order=[first.uuid, foreign.uuid])
    assert _order(course) == [("LO1", 0), ("LO2", 1)]


def test_move_up_and_down(course):
    first, _second, third = _add(course, "Explain A.", "Apply B.", "Evaluate C.")
    outcome_move(outcome=third, offset=-1)
    assert _order(course) == [("LO1", 0), ("LO3", 1), ("LO2", 2)]
    outcome_move(outcome=first, offset=2)
    assert _order(course) == [("LO3", 0), ("LO2", 1), ("LO1", 2)]


def test_a_move_past_either_end_stops_there(course):
    first, second, _third = _add(course, "Explain A.", "Apply B.", "Evaluate C.")
    outcome_move(outcome=first, offset=-1)
    assert _order(course) == [("LO1", 0), ("LO2", 1), ("LO3", 2)]
    outcome_move(outcome=second, offset=10)
    assert _order(course) == [("LO1", 0), ("LO3", 1), ("LO2", 2)]


def test_reordering_writes_history_for_each_outcome_that_moved(course):
    first, second = _add(course, "Explain A.", "Apply B.")
    outcome_move(outcome=second, offset=-1)
    assert first.history.latest().position == 1
    assert second.history.latest().position == 0


def test_moving_an_outcome_someone_deleted_is_refused(course):
    _first, second = _add(course, "Explain A.", "Apply B.")
    outcome_delete(outcome=second, expected_revision=second.revision)
    with pytest.raises(Conflict, match="LO2 was deleted by someone else"):
        outcome_move(outcome=second, offset=-1)
    assert _order(course) == [("LO1", 0)]


def _queries_to_reverse(course) -> int:
    order = list(course.outcomes.order_by("-position").values_list("uuid", flat=True))
    with CaptureQueriesContext(connection) as queries:
        outcomes_reorder(course=course, order=order)
    return len(queries)


def test_reordering_costs_the_same_queries_for_few_or_many_outcomes(course):
    _add(course, "Explain A.", "Apply B.")
    many = CourseFactory()
    _add(many, *(f"Explain topic {number}." for number in range(30)))
    assert _queries_to_reverse(many) == _queries_to_reverse(course)
    assert [code for code, _position in _order(many)][:2] == ["LO30", "LO29"]
