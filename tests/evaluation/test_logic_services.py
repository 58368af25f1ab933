"""Logic models, their items and mechanisms: ordering, moves, stale edits and refusals."""

import pytest
from django.core.exceptions import ValidationError

from eisen.errors import Conflict, StaleEdit
from evaluation.models import ExcerptMechanism, LogicModel, LogicModelItem, Mechanism, Stance
from evaluation.services import logic as services
from tests.evaluation.factories import (
    CodeFactory,
    CodingFactory,
    ExcerptFactory,
    LogicModelFactory,
)

pytestmark = pytest.mark.django_db

INPUTS, OUTPUTS = LogicModelItem.Component.INPUTS, LogicModelItem.Component.OUTPUTS


@pytest.fixture
def logic_model():
    return LogicModelFactory(title="Pilot logic model")


def _texts(logic_model, component):
    return list(
        logic_model.items.filter(component=component)
        .order_by("position")
        .values_list("text", flat=True)
    )


def _positions(logic_model, component):
    return list(
        logic_model.items.filter(component=component)
        .order_by("position")
        .values_list("position", flat=True)
    )


def _names(logic_model):
    return list(logic_model.mechanisms.order_by("position").values_list("name", flat=True))


def _add(logic_model, component, *texts):
    return [
        services.logic_item_create(logic_model=logic_model, component=component, text=text)
        for text in texts
    ]


def _mechanisms(logic_model, *names):
    return [
        services.mechanism_create(logic_model=logic_model, name=name, assumption=f"{name} works.")
        for name in names
    ]


def test_items_go_to_the_end_of_their_own_column(logic_model):
    _add(logic_model, INPUTS, "Partners", "Students")
    _add(logic_model, OUTPUTS, "Website")
    assert _texts(logic_model, INPUTS) == ["Partners", "Students"]
    assert _positions(logic_model, INPUTS) == [0, 1]
    assert _positions(logic_model, OUTPUTS) == [0]


def test_an_item_without_text_is_refused_naming_the_field(logic_model):
    with pytest.raises(ValidationError) as refused:
        services.logic_item_create(logic_model=logic_model, component=INPUTS, text="   ")
    assert "text" in refused.value.message_dict
    assert not LogicModelItem.objects.exists()


def test_an_unknown_column_is_refused(logic_model):
    with pytest.raises(ValidationError) as refused:
        services.logic_item_create(logic_model=logic_model, component="wishes", text="More time")
    assert "component" in refused.value.message_dict


def test_moving_an_item_reorders_only_its_column_and_stops_at_the_ends(logic_model):
    partners, _, funding = _add(logic_model, INPUTS, "Partners", "Students", "Funding")
    _add(logic_model, OUTPUTS, "Website")
    services.logic_item_move(item=funding, offset=-1)
    assert _texts(logic_model, INPUTS) == ["Partners", "Funding", "Students"]
    services.logic_item_move(item=partners, offset=-5)
    assert _texts(logic_model, INPUTS) == ["Partners", "Funding", "Students"]
    services.logic_item_move(item=partners, offset=5)
    assert _texts(logic_model, INPUTS) == ["Funding", "Students", "Partners"]
    assert _positions(logic_model, INPUTS) == [0, 1, 2]
    assert _texts(logic_model, OUTPUTS) == ["Website"]


def test_deleting_an_item_closes_the_gap(logic_model):
    _, second, _ = _add(logic_model, INPUTS, "One", "Two", "Three")
    services.logic_item_delete(item=second)
    assert _texts(logic_model, INPUTS) == ["One", "Three"]
    assert _positions(logic_model, INPUTS) == [0, 1]


def test_an_item_moved_to_another_column_goes_last_there_and_leaves_no_gap(logic_model):
    website, _ = _add(logic_model, INPUTS, "Website", "Book chapter")
    _add(logic_model, OUTPUTS, "Conference talks")
    services.logic_item_update(item=website, component=OUTPUTS)
    assert _texts(logic_model, OUTPUTS) == ["Conference talks", "Website"]
    assert _positions(logic_model, INPUTS) == [0]


def test_an_item_changed_by_someone_else_is_a_stale_edit_with_their_text(logic_model):
    (item,) = _add(logic_model, INPUTS, "Partners")
    services.logic_item_update(item=item, text="Partners and associated partners")
    with pytest.raises(StaleEdit) as stale:
        services.logic_item_update(item=item, text="Partner universities", expected_text="Partners")
    assert stale.value.current.text == "Partners and associated partners"
    assert _texts(logic_model, INPUTS) == ["Partners and associated partners"]


def test_moving_an_item_deleted_meanwhile_is_a_conflict(logic_model):
    (item,) = _add(logic_model, INPUTS, "Partners")
    LogicModelItem.objects.filter(pk=item.pk).delete()
    with pytest.raises(Conflict, match="deleted"):
        services.logic_item_move(item=item, offset=1)


def test_mechanisms_are_ordered_and_moved(logic_model):
    *_, third = _mechanisms(logic_model, "Implementation", "Engagement", "Platform")
    services.mechanism_move(mechanism=third, offset=-2)
    assert _names(logic_model) == ["Platform", "Implementation", "Engagement"]
    assert list(logic_model.mechanisms.order_by("position").values_list("position", flat=True)) == [
        0,
        1,
        2,
    ]


def test_a_second_mechanism_with_the_same_name_is_refused_with_the_name(logic_model):
    _mechanisms(logic_model, "International")
    with pytest.raises(ValidationError) as refused:
        _mechanisms(logic_model, "International")
    assert refused.value.message_dict["name"] == [
        "This logic model already has a mechanism called “International”; choose another name."
    ]
    # Another model may use the name.
    _mechanisms(LogicModelFactory(), "International")


def test_a_mechanism_needs_an_assumption(logic_model):
    with pytest.raises(ValidationError) as refused:
        services.mechanism_create(logic_model=logic_model, name="Platform", assumption="")
    assert "assumption" in refused.value.message_dict


def test_a_stale_mechanism_edit_is_refused_with_the_other_persons_text(logic_model):
    (mechanism,) = _mechanisms(logic_model, "Platform")
    services.mechanism_update(mechanism=mechanism, expected_revision=1, reflection="It helped.")
    with pytest.raises(StaleEdit) as stale:
        services.mechanism_update(mechanism=mechanism, expected_revision=1, reflection="Mine.")
    assert stale.value.current.reflection == "It helped."
    assert stale.value.current.revision == 2


def test_deleting_a_mechanism_closes_the_gap(logic_model):
    first, *_ = _mechanisms(logic_model, "A", "B", "C")
    services.mechanism_delete(mechanism=first, expected_revision=1)
    assert _names(logic_model) == ["B", "C"]
    assert list(logic_model.mechanisms.values_list("position", flat=True)) == [0, 1]


def test_a_mechanism_with_linked_excerpts_is_not_deleted(logic_model):
    (mechanism,) = _mechanisms(logic_model, "Platform")
    ExcerptMechanism.objects.create(
        excerpt=ExcerptFactory(), mechanism=mechanism, stance=Stance.SUPPORTS
    )
    with pytest.raises(Conflict, match="1 excerpt links and 0 assessments"):
        services.mechanism_delete(mechanism=mechanism, expected_revision=1)
    with pytest.raises(Conflict):
        services.logic_model_delete(logic_model=logic_model, expected_revision=1)
    assert Mechanism.objects.filter(pk=mechanism.pk).exists()


def test_a_logic_model_without_evidence_is_deleted_with_its_rows(logic_model):
    _add(logic_model, INPUTS, "Partners")
    (mechanism,) = _mechanisms(logic_model, "Platform")
    code = CodeFactory()
    code.mechanisms.add(mechanism)
    CodingFactory(code=code)
    services.logic_model_delete(logic_model=logic_model, expected_revision=1)
    assert not LogicModel.objects.exists()
    assert not LogicModelItem.objects.exists()
    assert not code.mechanisms.exists()


def test_logic_model_titles_are_unique_with_a_message_naming_the_title(logic_model):
    with pytest.raises(ValidationError) as refused:
        services.logic_model_create(title="Pilot logic model")
    assert refused.value.message_dict["title"] == [
        "There is already a logic model called “Pilot logic model”; choose another title."
    ]


def test_logic_model_edit_bumps_the_revision_and_refuses_a_stale_one(logic_model):
    services.logic_model_update(logic_model=logic_model, expected_revision=1, description="New")
    logic_model.refresh_from_db()
    assert (logic_model.description, logic_model.revision) == ("New", 2)
    with pytest.raises(StaleEdit):
        services.logic_model_update(logic_model=logic_model, expected_revision=1, title="Other")
