import csv
import io

import pytest
from django.core.exceptions import ValidationError

from competencies.comparison import framework_compare, word_diff
from competencies.models import Capability, CapabilityAssociation, Framework
from competencies.services import comments, editing, structure, versions
from competencies.services.rules import FrameworkNotEditable
from tests.factories import (
    CapabilityFactory,
    DomainFactory,
    FrameworkFactory,
    LevelDescriptorFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_publish_lists_every_problem_and_changes_nothing():
    draft = FrameworkFactory(draft=True)
    empty = DomainFactory(framework=draft, code="S", name="Skills")
    CapabilityFactory(domain__framework=draft, code="K1", description="")
    with pytest.raises(ValidationError) as refused:
        versions.framework_publish(framework=draft)
    assert refused.value.messages == [
        f"Domain S {empty.name} has no capabilities.",
        f"K1 {Capability.objects.get(code='K1').title} has no description.",
    ]
    draft.refresh_from_db()
    assert draft.status == Framework.Status.DRAFT


def test_framework_without_domains_cannot_be_published():
    with pytest.raises(ValidationError, match="no domains"):
        versions.framework_publish(framework=FrameworkFactory(draft=True))


def test_publishing_makes_the_framework_read_only():
    capability = CapabilityFactory(domain__framework__draft=True)
    published = versions.framework_publish(framework=capability.framework)
    assert published.status == Framework.Status.PUBLISHED
    assert published.published_at is not None
    with pytest.raises(FrameworkNotEditable):
        editing.capability_update(
            capability=capability, expected_revision=capability.revision, title="Changed"
        )


def _published_framework():
    framework = FrameworkFactory(draft=True, slug="eisen-like")
    theme = ThemeFactory(framework=framework, code="impact", name="Creating impact")
    parent = CapabilityFactory(
        domain__framework=framework, code="K1", title="Knowledge", position=0
    )
    parent.themes.add(theme)
    child = CapabilityFactory(domain=parent.domain, parent=parent, code="K1.1", position=0)
    other = CapabilityFactory(domain=parent.domain, code="K2", position=1)
    LevelDescriptorFactory(capability=parent, eqf_level=8, text="Leads it.")
    CapabilityAssociation.objects.create(
        origin=child, destination=other, association_type="precedes"
    )
    external = CapabilityFactory()
    CapabilityAssociation.objects.create(
        origin=other, destination=external, association_type="exactMatchOf"
    )
    return versions.framework_publish(framework=framework), external


def test_new_version_copies_everything_into_a_draft_with_lineage():
    published, external = _published_framework()
    draft = versions.framework_new_version(framework=published, version_label="2.0")

    assert (draft.status, draft.previous_version, draft.slug) == ("draft", published, "eisen-like")
    old = {c.code: c for c in published.capabilities.all()}
    new = {c.code: c for c in draft.capabilities.select_related("parent", "derived_from")}
    assert set(new) == {"K1", "K1.1", "K2"}
    for code, capability in new.items():
        assert capability.derived_from == old[code]
        assert capability.lineage == old[code].lineage
        assert capability.uuid != old[code].uuid
    assert new["K1.1"].parent == new["K1"]
    assert list(new["K1"].themes.values_list("code", flat=True)) == ["impact"]
    assert new["K1"].themes.get().framework == draft
    assert new["K1"].level_descriptors.get().text == "Leads it."
    inside = CapabilityAssociation.objects.get(origin=new["K1.1"])
    assert inside.destination == new["K2"]
    outside = CapabilityAssociation.objects.get(origin=new["K2"])
    assert outside.destination == external
    assert published.capabilities.count() == 3


def test_new_version_is_refused_for_drafts_and_for_a_used_label():
    draft = FrameworkFactory(draft=True)
    with pytest.raises(ValidationError, match="still a draft"):
        versions.framework_new_version(framework=draft, version_label="2.0")
    published, _ = _published_framework()
    with pytest.raises(ValidationError) as refused:
        versions.framework_new_version(framework=published, version_label=published.version_label)
    assert "version_label" in refused.value.message_dict
    assert Framework.objects.filter(slug=published.slug).count() == 1


def test_archive_only_published_versions():
    published, _ = _published_framework()
    assert versions.framework_archive(framework=published).status == "archived"
    with pytest.raises(ValidationError):
        versions.framework_archive(framework=published)


def test_copy_makes_an_independent_draft():
    published, _ = _published_framework()
    copy = versions.framework_copy(source=published, slug="our-own", title="Our own framework")
    assert copy.previous_version is None
    assert copy.is_draft
    assert copy.capabilities.count() == 3


def test_compare_shows_added_removed_moved_and_changed_words():
    published, _ = _published_framework()
    draft = versions.framework_new_version(framework=published, version_label="2.0")
    k1 = draft.capabilities.get(code="K1")
    editing.capability_update(
        capability=k1,
        expected_revision=k1.revision,
        description="What the capability means for co-production.",
        level_descriptors={8: "Leads it with others."},
    )
    structure.capability_move_up(capability=draft.capabilities.get(code="K2"))
    editing.capability_delete(capability=draft.capabilities.get(code="K1.1"))
    editing.capability_create(domain=k1.domain, code="K3", title="New one", description="x")

    comparison = framework_compare(published, draft)
    assert [item["code"] for item in comparison["added"]] == ["K3"]
    assert [item["code"] for item in comparison["removed"]] == ["K1.1"]
    # K2 went up past K1: only K2 moved, even though K1's position number changed too.
    assert [item["capability"]["code"] for item in comparison["moved"]] == ["K2"]
    (change,) = comparison["changed"]
    assert change["capability"]["code"] == "K1"
    fields = {field["field"]: field for field in change["fields"]}
    assert set(fields) == {"description", "eqf_8"}
    assert fields["eqf_8"]["segments"] == [
        {"kind": "equal", "text": "Leads "},
        {"kind": "delete", "text": "it."},
        {"kind": "insert", "text": "it with others."},
    ]


def test_word_diff_marks_only_the_changed_words():
    assert word_diff("the quick brown fox", "the slow brown fox") == [
        {"kind": "equal", "text": "the "},
        {"kind": "delete", "text": "quick"},
        {"kind": "insert", "text": "slow"},
        {"kind": "equal", "text": " brown fox"},
    ]


def test_compare_costs_the_same_queries_at_any_size(django_assert_num_queries):
    counts = []
    for size in (2, 30):
        framework = FrameworkFactory()
        domain = DomainFactory(framework=framework)
        for _ in range(size):
            LevelDescriptorFactory(capability=CapabilityFactory(domain=domain))
        copy = versions.framework_copy(source=framework, slug=f"copy-{size}", title="Copy")
        with django_assert_num_queries(6):
            counts.append(len(framework_compare(framework, copy)["added"]))
    assert counts == [0, 0]


def test_comments_are_resolved_once_and_export_as_csv_safely():
    capability = CapabilityFactory(code="K1")
    reader, designer = UserFactory(username="reader"), UserFactory(username="designer")
    comment = comments.comment_add(capability=capability, author=reader, text="=HYPERLINK(x)")
    comments.comment_resolve(comment=comment, user=designer)
    with pytest.raises(ValidationError, match="already resolved"):
        comments.comment_resolve(comment=comment, user=designer)
    rows = list(csv.reader(io.StringIO(comments.comments_csv(capability.framework))))
    assert rows[0] == comments.CSV_COLUMNS
    assert rows[1][0] == "K1"
    assert rows[1][2] == "reader"
    assert rows[1][4] == "'=HYPERLINK(x)"
    assert rows[1][6] == "designer"


def test_empty_comment_is_refused():
    with pytest.raises(ValidationError) as refused:
        comments.comment_add(capability=CapabilityFactory(), author=UserFactory(), text="  ")
    assert "text" in refused.value.message_dict
