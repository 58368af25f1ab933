"""Mapping outcomes to capabilities one at a time and many at once from the grid."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.models import Emphasis, OutcomeMapping
from courses.services.mapping import (
    EMPHASIS_CYCLE,
    GridChange,
    mapping_delete,
    mapping_update,
    mappings_bulk_save,
    next_emphasis,
    outcome_map,
)
from eisen.errors import Conflict
from tests.factories import (
    CapabilityFactory,
    CourseFactory,
    DomainFactory,
    FrameworkFactory,
    LearningOutcomeFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    return CourseFactory(code="IMP701", framework=FrameworkFactory(title="EISEN"))


@pytest.fixture
def capabilities(course):
    domain = DomainFactory(framework=course.framework, code="K")
    return [CapabilityFactory(domain=domain, code=f"K{number}") for number in (1, 2, 3)]


@pytest.fixture
def outcomes(course):
    return [
        LearningOutcomeFactory(course=course, code=f"LO{number}", position=number)
        for number in (1, 2)
    ]


@pytest.fixture
def elsewhere():
    return CapabilityFactory(code="X1", domain__framework=FrameworkFactory(title="Other"))


def _cells(course) -> set[tuple[str, str, str]]:
    return set(
        OutcomeMapping.objects.filter(outcome__course=course).values_list(
            "outcome__code", "capability__code", "emphasis"
        )
    )


def _history(mapping_filter) -> list[str]:
    return list(
        OutcomeMapping.history.filter(**mapping_filter)
        .order_by("history_id")
        .values_list("history_type", flat=True)
    )


# One mapping at a time


def test_outcome_map_saves_the_mapping_with_its_note(outcomes, capabilities):
    mapping = outcome_map(
        outcome=outcomes[0], capability=capabilities[0], emphasis="R", note="Seminar 3."
    )
    assert (mapping.emphasis, mapping.note) == (Emphasis.REINFORCED, "Seminar 3.")
    assert _cells(outcomes[0].course) == {("LO1", "K1", "R")}


def test_a_capability_of_another_framework_is_refused_naming_the_courses_framework(
    outcomes, elsewhere
):
    with pytest.raises(ValidationError) as refused:
        outcome_map(outcome=outcomes[0], capability=elsewhere, emphasis="I")
    assert refused.value.message_dict == {
        "capability": ["X1 belongs to “Other 1.0”; IMP701 maps to “EISEN 1.0” only."]
    }
    assert not OutcomeMapping.objects.exists()


def test_a_second_mapping_to_the_same_capability_is_refused(outcomes, capabilities):
    outcome_map(outcome=outcomes[0], capability=capabilities[0], emphasis="I")
    with pytest.raises(ValidationError) as refused:
        outcome_map(outcome=outcomes[0], capability=capabilities[0], emphasis="M")
    assert refused.value.message_dict == {
        "capability": ["LO1 already maps to K1; change that mapping's emphasis instead."]
    }
    assert _cells(outcomes[0].course) == {("LO1", "K1", "I")}


@pytest.mark.parametrize("emphasis", ["X", "", "introduced", "m"])
def test_an_emphasis_outside_i_r_m_is_refused(outcomes, capabilities, emphasis):
    with pytest.raises(ValidationError) as refused:
        outcome_map(outcome=outcomes[0], capability=capabilities[0], emphasis=emphasis)
    assert refused.value.message_dict == {
        "emphasis": [
            f"“{emphasis}” is not an emphasis: use I (Introduced), R (Reinforced) or M (Mastered)."
        ]
    }
    assert not OutcomeMapping.objects.exists()


def test_every_problem_of_one_mapping_is_reported_together(outcomes, elsewhere):
    with pytest.raises(ValidationError) as refused:
        outcome_map(outcome=outcomes[0], capability=elsewhere, emphasis="Z")
    assert set(refused.value.message_dict) == {"capability", "emphasis"}


def test_mapping_update_changes_emphasis_and_note_and_refuses_a_bad_emphasis(
    outcomes, capabilities
):
    mapping = outcome_map(outcome=outcomes[0], capability=capabilities[0], emphasis="I")
    mapping_update(mapping=mapping, emphasis="M", note="Capstone.")
    mapping.refresh_from_db()
    assert (mapping.emphasis, mapping.note) == ("M", "Capstone.")
    with pytest.raises(ValidationError):
        mapping_update(mapping=mapping, emphasis="Q")
    mapping.refresh_from_db()
    assert mapping.emphasis == "M"


def test_every_change_of_a_mapping_is_in_its_history(outcomes, capabilities):
    mapping = outcome_map(outcome=outcomes[0], capability=capabilities[0], emphasis="I")
    mapping_id = mapping.id
    mapping_update(mapping=mapping, emphasis="R")
    mapping_delete(mapping=mapping)
    assert _history({"id": mapping_id}) == ["+", "~", "-"]
    assert list(
        OutcomeMapping.history.filter(id=mapping_id)
        .order_by("history_id")
        .values_list("emphasis", flat=True)
    ) == ["I", "R", "R"]


# The emphasis cycle of a grid cell


def test_a_click_cycles_empty_introduced_reinforced_mastered_and_back():
    assert EMPHASIS_CYCLE == ["", "I", "R", "M"]
    assert [next_emphasis(value) for value in ("", "I", "R", "M")] == ["I", "R", "M", ""]
    assert next_emphasis(None) == "I"


# Many changes at once


def _change(outcome, capability, emphasis, expected=None):
    return GridChange(
        outcome=str(outcome.uuid),
        capability=str(capability.uuid),
        emphasis=emphasis,
        expected=expected,
    )


def test_bulk_save_creates_updates_and_deletes_in_one_go(course, outcomes, capabilities):
    lo1, lo2 = outcomes
    k1, k2, k3 = capabilities
    outcome_map(outcome=lo1, capability=k1, emphasis="I")
    outcome_map(outcome=lo1, capability=k2, emphasis="R")
    outcome_map(outcome=lo2, capability=k3, emphasis="M")
    saved = mappings_bulk_save(
        course=course,
        changes=[
            _change(lo1, k1, "M", expected="I"),
            _change(lo1, k2, "", expected="R"),
            _change(lo2, k1, "I", expected=""),
            _change(lo2, k2, "R"),
        ],
    )
    assert _cells(course) == {
        ("LO1", "K1", "M"),
        ("LO2", "K1", "I"),
        ("LO2", "K2", "R"),
        ("LO2", "K3", "M"),
    }
    assert {(item.outcome.code, item.capability.code, item.emphasis) for item in saved} == {
        ("LO1", "K1", "M"),
        ("LO2", "K1", "I"),
        ("LO2", "K2", "R"),
    }


def test_bulk_save_accepts_uuids_as_objects_or_upper_case_text(course, outcomes, capabilities):
    mappings_bulk_save(
        course=course,
        changes=[
            GridChange(outcome=outcomes[0].uuid, capability=capabilities[0].uuid, emphasis="I"),
            GridChange(
                outcome=str(outcomes[1].uuid).upper(),
                capability=str(capabilities[1].uuid).upper(),
                emphasis="R",
            ),
        ],
    )
    assert _cells(course) == {("LO1", "K1", "I"), ("LO2", "K2", "R")}


def test_bulk_save_records_each_change_in_the_history(course, outcomes, capabilities):
    lo1, _lo2 = outcomes
    k1, k2, _k3 = capabilities
    outcome_map(outcome=lo1, capability=k1, emphasis="I")
    outcome_map(outcome=lo1, capability=k2, emphasis="I")
    mappings_bulk_save(
        course=course,
        changes=[_change(lo1, k1, "R"), _change(lo1, k2, ""), _change(lo1, capabilities[2], "M")],
    )
    assert _history({"outcome": lo1, "capability": k1}) == ["+", "~"]
    assert _history({"outcome": lo1, "capability": k2}) == ["+", "-"]
    assert _history({"outcome": lo1, "capability": capabilities[2]}) == ["+"]


def test_any_bad_change_saves_nothing_and_every_bad_change_is_listed(
    course, outcomes, capabilities, elsewhere
):
    lo1, lo2 = outcomes
    k1, k2, _k3 = capabilities
    outcome_map(outcome=lo1, capability=k1, emphasis="I")
    before = _cells(course)
    history_before = OutcomeMapping.history.count()
    foreign_outcome = LearningOutcomeFactory(code="LO9")
    with pytest.raises(ValidationError) as refused:
        mappings_bulk_save(
            course=course,
            changes=[
                _change(lo1, k1, "M"),
                _change(lo2, elsewhere, "I"),
                _change(lo2, k2, "Q"),
                _change(foreign_outcome, k2, "I"),
                GridChange(outcome=str(lo1.uuid), capability="no-such-capability", emphasis="R"),
                _change(lo1, k1, "R"),
                _change(lo2, k1, "R", expected="X"),
            ],
        )
    not_an_emphasis = "is not an emphasis: use I (Introduced), R (Reinforced) or M (Mastered)."
    assert refused.value.messages == [
        "Change 2 (LO2, X1): X1 belongs to “Other 1.0”; IMP701 maps to “EISEN 1.0” only.",
        f"Change 3 (LO2, K2): “Q” {not_an_emphasis}",
        f"Change 4 (?, K2): IMP701 has no outcome {foreign_outcome.uuid}.",
        "Change 5 (LO1, ?): There is no capability no-such-capability.",
        "Change 6 (LO1, K1): The same cell is changed twice.",
        f"Change 7 (LO2, K1): “X” {not_an_emphasis}",
    ]
    assert _cells(course) == before
    assert OutcomeMapping.history.count() == history_before


def test_a_cell_someone_else_changed_is_a_conflict_and_nothing_is_saved(
    course, outcomes, capabilities
):
    lo1, lo2 = outcomes
    k1, k2, _k3 = capabilities
    outcome_map(outcome=lo1, capability=k1, emphasis="R")
    before = _cells(course)
    with pytest.raises(Conflict) as refused:
        mappings_bulk_save(
            course=course,
            changes=[
                _change(lo2, k2, "I", expected=""),
                _change(lo1, k1, "M", expected="I"),
            ],
        )
    assert str(refused.value) == (
        "Someone else changed the grid while you were working: "
        "Change 2 (LO1, K1) is now “Reinforced”, not “Introduced”. Nothing was saved."
    )
    assert _cells(course) == before


def test_a_cell_mapped_meanwhile_is_a_conflict_for_a_user_who_saw_it_empty(
    course, outcomes, capabilities
):
    outcome_map(outcome=outcomes[0], capability=capabilities[0], emphasis="I")
    with pytest.raises(Conflict, match="is now “Introduced”, not “not mapped”"):
        mappings_bulk_save(
            course=course, changes=[_change(outcomes[0], capabilities[0], "M", expected="")]
        )
    assert _cells(course) == {("LO1", "K1", "I")}


def test_clearing_an_empty_cell_changes_nothing(course, outcomes, capabilities):
    assert (
        mappings_bulk_save(course=course, changes=[_change(outcomes[0], capabilities[0], "")]) == []
    )
    assert not OutcomeMapping.objects.exists()
    assert not OutcomeMapping.history.exists()


def _queries_to_save(course, changes) -> int:
    with CaptureQueriesContext(connection) as queries:
        mappings_bulk_save(course=course, changes=changes)
    return len(queries)


def test_bulk_save_costs_the_same_number_of_queries_for_one_or_many_changes(course, capabilities):
    small = CourseFactory(framework=course.framework)
    one = _queries_to_save(
        small, [_change(LearningOutcomeFactory(course=small), capabilities[0], "I")]
    )
    many = [
        LearningOutcomeFactory(course=course, code=f"LO{number}", position=number)
        for number in range(12)
    ]
    created = [_change(outcome, capability, "I") for outcome in many for capability in capabilities]
    assert _queries_to_save(course, created) == one
    updated = [_change(outcome, capability, "M") for outcome in many for capability in capabilities]
    assert _queries_to_save(course, updated) == one
    assert set(
        OutcomeMapping.objects.filter(outcome__course=course).values_list("emphasis", flat=True)
    ) == {"M"}
