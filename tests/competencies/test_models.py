import pytest
from django.db import IntegrityError, transaction

from competencies.models import CapabilityAssociation, Domain, LevelDescriptor
from tests.factories import (
    CapabilityAssociationFactory,
    CapabilityFactory,
    DomainFactory,
    FrameworkFactory,
    LevelDescriptorFactory,
)

pytestmark = pytest.mark.django_db


def _refused(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_database_refuses_a_duplicate_capability_code_within_a_framework():
    capability = CapabilityFactory(code="K1")
    other_domain = DomainFactory(framework=capability.framework)
    _refused(lambda: CapabilityFactory(domain=other_domain, code="K1"))


def test_same_code_is_allowed_in_another_framework():
    CapabilityFactory(code="K1")
    assert CapabilityFactory(code="K1").code == "K1"


def test_database_refuses_two_top_level_capabilities_at_one_position():
    capability = CapabilityFactory(position=1)
    _refused(lambda: CapabilityFactory(domain=capability.domain, position=1))


def test_sub_capabilities_have_their_own_positions():
    parent = CapabilityFactory(position=1)
    child = CapabilityFactory(domain=parent.domain, parent=parent, position=1)
    assert child.position == parent.position
    _refused(lambda: CapabilityFactory(domain=parent.domain, parent=parent, position=1))


def test_database_refuses_a_second_descriptor_for_the_same_level():
    descriptor = LevelDescriptorFactory(eqf_level=7)
    _refused(lambda: LevelDescriptorFactory(capability=descriptor.capability, eqf_level=7))
    assert LevelDescriptorFactory(capability=descriptor.capability, eqf_level=8).eqf_level == 8


def test_database_refuses_eqf_levels_other_than_7_and_8():
    capability = CapabilityFactory()
    _refused(lambda: LevelDescriptor.objects.create(capability=capability, eqf_level=6, text="x"))


def test_database_refuses_duplicate_domain_codes_in_a_framework():
    domain = DomainFactory(code="K")
    _refused(
        lambda: Domain.objects.create(framework=domain.framework, code="K", name="x", position=99)
    )


def test_database_refuses_an_association_of_a_capability_with_itself():
    capability = CapabilityFactory()
    _refused(
        lambda: CapabilityAssociation.objects.create(
            origin=capability, destination=capability, association_type="isRelatedTo"
        )
    )


def test_database_refuses_a_published_framework_without_a_publication_date():
    _refused(lambda: FrameworkFactory(status="published", published_at=None))


def test_association_has_an_inverse_label():
    association = CapabilityAssociationFactory(association_type=CapabilityAssociation.Type.PRECEDES)
    assert str(association.inverse_label) == "follows"


def test_every_change_is_kept_in_history():
    capability = CapabilityFactory(title="First title")
    capability.title = "Second title"
    capability.save()
    assert [record.title for record in capability.history.all()] == ["Second title", "First title"]
