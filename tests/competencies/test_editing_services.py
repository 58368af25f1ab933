import pytest
from django.core.exceptions import ValidationError
from django.db.models import F

from competencies.models import Capability, CapabilityAssociation, Domain, Framework
from competencies.services import editing, structure
from competencies.services.rules import FrameworkNotEditable
from eisen.errors import StaleEdit
from tests.factories import CapabilityFactory, DomainFactory, FrameworkFactory, ThemeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft():
    return FrameworkFactory(draft=True)


@pytest.fixture
def domain(draft):
    return editing.domain_create(framework=draft, code="K", name="Knowledge")


def _add(domain, code, parent=None):
    return editing.capability_create(
        domain=domain, parent=parent, code=code, title=f"Capability {code}", description="Text."
    )


def _tree(domain):
    """(code, parent code, position) of every capability of the domain, in order."""
    return [
        (item.code, item.parent.code if item.parent else None, item.position)
        for item in Capability.objects.filter(domain=domain)
        .select_related("parent")
        .order_by(F("parent_id").asc(nulls_first=True), "position")
    ]


def test_capabilities_are_added_at_the_end_of_their_siblings(domain):
    first, second = _add(domain, "K1"), _add(domain, "K2")
    child = _add(domain, "K1.1", parent=first)
    assert (first.position, second.position, child.position) == (0, 1, 0)


def test_duplicate_code_is_refused_naming_the_field(domain):
    _add(domain, "K1")
    with pytest.raises(ValidationError) as refused:
        _add(domain, "K1")
    assert "code" in refused.value.message_dict
    assert Capability.objects.count() == 1


def test_empty_and_over_long_titles_are_refused(domain):
    for title in ("", "x" * 256):
        with pytest.raises(ValidationError) as refused:
            editing.capability_create(domain=domain, code="K9", title=title)
        assert "title" in refused.value.message_dict
    assert not Capability.objects.exists()


def test_update_with_the_current_revision_saves_and_raises_it(domain):
    capability = _add(domain, "K1")
    updated = editing.capability_update(
        capability=capability,
        expected_revision=capability.revision,
        description="New text.",
        level_descriptors={7: "At master's level.", 8: ""},
    )
    assert updated.revision == capability.revision + 1
    assert updated.description == "New text."
    assert list(updated.level_descriptors.values_list("eqf_level", "text")) == [
        (7, "At master's level.")
    ]


def test_stale_edit_is_refused_and_keeps_the_other_persons_text(domain):
    capability = _add(domain, "K1")
    started_from = capability.revision
    editing.capability_update(
        capability=capability, expected_revision=started_from, description="First person."
    )
    with pytest.raises(StaleEdit) as refused:
        editing.capability_update(
            capability=capability, expected_revision=started_from, description="Second person."
        )
    assert refused.value.current.description == "First person."
    capability.refresh_from_db()
    assert capability.description == "First person."


def test_published_frameworks_cannot_be_edited():
    capability = CapabilityFactory()
    with pytest.raises(FrameworkNotEditable, match="Start a new version"):
        editing.capability_update(
            capability=capability, expected_revision=capability.revision, title="Changed"
        )
    with pytest.raises(FrameworkNotEditable):
        editing.capability_create(domain=capability.domain, code="X1", title="New")
    with pytest.raises(FrameworkNotEditable):
        editing.capability_delete(capability=capability)


def test_themes_of_another_framework_are_refused(domain):
    foreign_theme = ThemeFactory()
    with pytest.raises(ValidationError) as refused:
        editing.capability_create(domain=domain, code="K1", title="T", themes=[foreign_theme])
    assert "themes" in refused.value.message_dict
    assert not Capability.objects.exists()


def test_move_down_up_and_across_domains(draft, domain):
    first, second, third = _add(domain, "K1"), _add(domain, "K2"), _add(domain, "K3")
    structure.capability_move_down(capability=first)
    assert [code for code, _, _ in _tree(domain)] == ["K2", "K1", "K3"]
    structure.capability_move_up(capability=Capability.objects.get(code="K3"))
    assert [code for code, _, _ in _tree(domain)] == ["K2", "K3", "K1"]

    skills = editing.domain_create(framework=draft, code="S", name="Skills")
    child = _add(domain, "K2.1", parent=second)
    structure.capability_move(capability=second, domain=skills, index=0)
    assert _tree(skills) == [("K2", None, 0), ("K2.1", "K2", 0)]
    assert _tree(domain) == [("K3", None, 0), ("K1", None, 1)]
    child.refresh_from_db()
    assert child.domain == skills
    assert third.code == "K3"


def test_indent_and_outdent(domain):
    first, second = _add(domain, "K1"), _add(domain, "K2")
    structure.capability_indent(capability=second)
    assert _tree(domain) == [("K1", None, 0), ("K2", "K1", 0)]
    structure.capability_outdent(capability=Capability.objects.get(code="K2"))
    assert _tree(domain) == [("K1", None, 0), ("K2", None, 1)]
    with pytest.raises(ValidationError, match="first among its siblings"):
        structure.capability_indent(capability=first)


def test_a_parent_that_would_create_a_cycle_is_refused(domain):
    top = _add(domain, "K1")
    middle = _add(domain, "K1.1", parent=top)
    bottom = _add(domain, "K1.1.1", parent=middle)
    for new_parent in (top, bottom):
        with pytest.raises(ValidationError) as refused:
            structure.capability_move(capability=top, parent=new_parent, index=0)
        assert "parent" in refused.value.message_dict
    assert _tree(domain) == [("K1", None, 0), ("K1.1", "K1", 0), ("K1.1.1", "K1.1", 0)]


def test_codes_renumber_only_when_asked(domain):
    first, second = _add(domain, "K1"), _add(domain, "K2")
    _add(domain, "K7", parent=first)
    structure.capability_move_down(capability=first)
    assert set(Capability.objects.values_list("code", flat=True)) == {"K1", "K2", "K7"}
    assert structure.capabilities_renumber(framework=domain.framework) == 3
    assert _tree(domain) == [("K1", None, 0), ("K2", None, 1), ("K2.1", "K2", 0)]
    second.refresh_from_db()
    assert second.code == "K1"


def test_delete_refuses_capabilities_with_sub_capabilities_or_in_use(domain, monkeypatch):
    monkeypatch.setattr(editing, "_capability_usage_finders", [])
    parent = _add(domain, "K1")
    _add(domain, "K1.1", parent=parent)
    with pytest.raises(ValidationError, match="sub-capabilities"):
        editing.capability_delete(capability=parent)

    lonely = _add(domain, "K2")
    editing.register_capability_usage(
        lambda capabilities: {
            item.pk: ["MSc course IMP701, outcome LO2"]
            for item in capabilities
            if item.code == "K2"
        }
    )
    with pytest.raises(ValidationError, match="IMP701, outcome LO2"):
        editing.capability_delete(capability=lonely)
    assert Capability.objects.filter(code="K2").exists()


def test_delete_closes_the_gap_in_positions(domain):
    _add(domain, "K1")
    middle = _add(domain, "K2")
    _add(domain, "K3")
    editing.capability_delete(capability=middle)
    assert _tree(domain) == [("K1", None, 0), ("K3", None, 1)]


def test_domains_reorder_and_only_empty_ones_delete(draft, domain):
    skills = editing.domain_create(framework=draft, code="S", name="Skills")
    structure.domain_move(domain=skills, index=0)
    assert list(draft.domains.values_list("code", flat=True)) == ["S", "K"]
    _add(domain, "K1")
    with pytest.raises(ValidationError, match="still holds 1 capabilities"):
        editing.domain_delete(domain=domain)
    editing.domain_delete(domain=skills)
    assert list(Domain.objects.values_list("code", flat=True)) == ["K"]


def test_links_to_itself_or_twice_are_refused_and_other_frameworks_allowed(domain):
    capability = _add(domain, "K1")
    elsewhere = CapabilityFactory()
    link = editing.association_create(
        origin=capability, destination=elsewhere, association_type="isRelatedTo"
    )
    assert link.destination.framework != capability.framework
    for destination in (capability, elsewhere):
        with pytest.raises(ValidationError) as refused:
            editing.association_create(
                origin=capability, destination=destination, association_type="isRelatedTo"
            )
        assert "destination" in refused.value.message_dict
    assert CapabilityAssociation.objects.count() == 1


def test_framework_metadata_update_is_checked_for_staleness(draft):
    editing.framework_update(framework=draft, expected_revision=1, title="Renamed")
    with pytest.raises(StaleEdit):
        editing.framework_update(framework=draft, expected_revision=1, title="Again")
    assert Framework.objects.get(pk=draft.pk).title == "Renamed"


def test_framework_version_label_must_be_new_for_its_slug(draft):
    with pytest.raises(ValidationError) as refused:
        editing.framework_create(title="Other", slug=draft.slug, version_label=draft.version_label)
    assert "version_label" in refused.value.message_dict


def test_every_edit_is_kept_in_history(domain):
    capability = _add(domain, "K1")
    editing.capability_update(capability=capability, expected_revision=1, title="Renamed")
    structure.capability_move_down(capability=capability)
    assert capability.history.count() >= 2
    assert capability.history.first().title == "Renamed"


def test_domain_of_another_framework_is_not_a_target(domain):
    capability = _add(domain, "K1")
    with pytest.raises(ValidationError) as refused:
        structure.capability_move(capability=capability, domain=DomainFactory(), index=0)
    assert "domain" in refused.value.message_dict
