"""The codebook's services: codes made, changed, moved without cycles, and deleted only unused."""

import pytest
from django.core.exceptions import ValidationError

from eisen.errors import Conflict, StaleEdit
from evaluation.models import Code
from evaluation.services.codebook import (
    code_create,
    code_delete,
    code_move,
    code_paths,
    code_update,
)
from tests.evaluation.factories import CodeFactory, CodingFactory, MechanismFactory
from tests.factories import CapabilityFactory, FrameworkFactory

pytestmark = pytest.mark.django_db


def test_a_code_is_made_with_its_texts_colour_and_links():
    mechanism = MechanismFactory(name="International mix")
    capability = CapabilityFactory(code="K1")
    code = code_create(
        name=" Networking ",
        definition="Meeting peers.",
        include="Talk about contacts made.",
        exclude="Talk about the platform.",
        colour="#2f9e44",
        mechanisms=[mechanism],
        capabilities=[capability],
    )
    code.refresh_from_db()
    assert (code.name, code.definition, code.colour, code.parent) == (
        "Networking",
        "Meeting peers.",
        "#2f9e44",
        None,
    )
    assert list(code.mechanisms.all()) == [mechanism]
    assert list(code.capabilities.all()) == [capability]


def test_sub_codes_go_last_among_their_siblings():
    networking = code_create(name="Networking")
    first = code_create(name="Breakout rooms", parent=networking)
    second = code_create(name="Discussion forum", parent=networking)
    assert (first.position, second.position) == (0, 1)


def test_a_name_taken_among_siblings_is_refused_but_allowed_elsewhere():
    networking = code_create(name="Networking")
    code_create(name="Breakout rooms", parent=networking)
    with pytest.raises(ValidationError) as refusal:
        code_create(name="Breakout rooms", parent=networking)
    assert refusal.value.message_dict == {
        "name": [
            "There is already a code “Breakout rooms” under “Networking”; choose another name."
        ]
    }
    code_create(name="Breakout rooms")
    assert Code.objects.filter(name="Breakout rooms").count() == 2


def test_a_capability_of_a_draft_framework_is_not_linked_and_nothing_is_saved():
    draft = FrameworkFactory(draft=True, title="Draft framework", version_label="0.1")
    capability = CapabilityFactory(code="X1", domain__framework=draft)
    with pytest.raises(ValidationError) as refusal:
        code_create(name="Networking", capabilities=[capability])
    assert refusal.value.message_dict == {
        "capabilities": [
            (
                "X1 belongs to the draft “Draft framework 0.1”; codes link to capabilities of "
                "published frameworks only."
            )
        ]
    }
    assert not Code.objects.exists()


def test_an_update_changes_texts_and_replaces_links_and_raises_the_revision():
    old, new = MechanismFactory(), MechanismFactory()
    code = code_create(name="Networking", mechanisms=[old])
    code = code_update(
        code=code, expected_revision=1, definition="Peers met online.", mechanisms=[new]
    )
    assert (code.definition, code.revision) == ("Peers met online.", 2)
    assert list(code.mechanisms.all()) == [new]


def test_an_update_on_a_stale_copy_is_refused_with_the_code_as_it_is_now():
    code = code_create(name="Networking")
    code_update(code=code, expected_revision=1, name="Peers")
    with pytest.raises(StaleEdit) as stale:
        code_update(code=code, expected_revision=1, name="Contacts")
    assert stale.value.current.name == "Peers"
    assert Code.objects.get().name == "Peers"


def test_the_parent_is_not_changed_by_an_update():
    code = code_create(name="Networking")
    with pytest.raises(ValueError, match="Cannot change parent here"):
        code_update(code=code, expected_revision=1, parent=None)


def test_moving_a_code_under_one_of_its_own_sub_codes_is_refused_naming_the_path():
    rooms = code_create(name="Breakout rooms")
    networking = code_create(name="Networking", parent=rooms)
    with pytest.raises(ValidationError) as refusal:
        code_move(code=rooms, expected_revision=1, parent=networking)
    assert refusal.value.message_dict == {
        "parent": [
            (
                "“Breakout rooms” cannot go under “Networking”: “Networking” is inside "
                "“Breakout rooms”. Choose a parent outside “Breakout rooms”."
            )
        ]
    }
    rooms.refresh_from_db()
    assert (rooms.parent, rooms.revision) == (None, 1)


def test_a_deeper_cycle_names_every_code_between():
    top = code_create(name="Online")
    middle = code_create(name="Breakout rooms", parent=top)
    bottom = code_create(name="Networking", parent=middle)
    with pytest.raises(ValidationError) as refusal:
        code_move(code=top, expected_revision=1, parent=bottom)
    assert refusal.value.messages == [
        (
            "“Online” cannot go under “Networking”: “Networking” is inside “Online” › "
            "“Breakout rooms”. Choose a parent outside “Online”."
        )
    ]


def test_a_code_cannot_go_under_itself():
    code = code_create(name="Networking")
    with pytest.raises(ValidationError) as refusal:
        code_move(code=code, expected_revision=1, parent=code)
    assert refusal.value.messages == ["“Networking” cannot go under itself."]


def test_a_move_takes_the_sub_codes_along_and_goes_last_among_new_siblings():
    platform = code_create(name="Platform")
    code_create(name="Videos", parent=platform)
    networking = code_create(name="Networking")
    rooms = code_create(name="Breakout rooms", parent=networking)
    moved = code_move(code=networking, expected_revision=1, parent=platform)
    assert (moved.parent, moved.position, moved.revision) == (platform, 1, 2)
    assert code_paths()[rooms.pk] == "Platform › Networking › Breakout rooms"
    top = code_move(code=moved, expected_revision=2, parent=None)
    assert top.parent is None


def test_a_move_next_to_a_sibling_of_the_same_name_is_refused():
    platform = code_create(name="Platform")
    code_create(name="Videos", parent=platform)
    videos = code_create(name="Videos")
    with pytest.raises(ValidationError) as refusal:
        code_move(code=videos, expected_revision=1, parent=platform)
    assert refusal.value.messages == [
        "There is already a code “Videos” under “Platform”; choose another name."
    ]


def test_a_code_in_use_is_not_deleted_and_the_refusal_counts_the_codings():
    code = CodeFactory(name="Networking")
    CodingFactory.create_batch(3, code=code)
    with pytest.raises(Conflict) as refusal:
        code_delete(code=code, expected_revision=1)
    assert str(refusal.value) == (
        "“Networking” is used by 3 codings; take it off those excerpts before deleting it."
    )
    assert Code.objects.filter(pk=code.pk).exists()


def test_a_code_with_sub_codes_is_not_deleted():
    networking = code_create(name="Networking")
    code_create(name="Breakout rooms", parent=networking)
    with pytest.raises(Conflict) as refusal:
        code_delete(code=networking, expected_revision=1)
    assert str(refusal.value) == "“Networking” has 1 sub-code; move or delete it first."


def test_an_unused_code_is_deleted_with_its_links():
    mechanism = MechanismFactory()
    code = code_create(name="Networking", mechanisms=[mechanism])
    code_delete(code=code, expected_revision=1)
    assert not Code.objects.exists()
    assert not mechanism.codes.exists()


def test_a_delete_on_a_stale_copy_is_refused():
    code = code_create(name="Networking")
    code_update(code=code, expected_revision=1, name="Peers")
    with pytest.raises(StaleEdit):
        code_delete(code=code, expected_revision=1)
    assert Code.objects.exists()


def test_code_paths_name_every_code_from_the_top_in_one_query(django_assert_num_queries):
    online = code_create(name="Online")
    rooms = code_create(name="Breakout rooms", parent=online)
    networking = code_create(name="Networking", parent=rooms)
    platform = code_create(name="Platform")
    with django_assert_num_queries(1):
        paths = code_paths()
    assert paths == {
        online.pk: "Online",
        rooms.pk: "Online › Breakout rooms",
        networking.pk: "Online › Breakout rooms › Networking",
        platform.pk: "Platform",
    }
