import pytest
from django.urls import reverse

from tests.factories import CapabilityFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def _change_url(capability):
    return reverse("admin:competencies_capability_change", args=[capability.pk])


def test_admin_shows_published_capabilities_read_only_with_the_way_forward(superuser_client):
    capability = CapabilityFactory(title="Published title")
    page = superuser_client.get(_change_url(capability))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="_save"' not in html
    assert "Start a new version of it to make changes." in html

    refused = superuser_client.post(_change_url(capability), {"title": "Changed"})
    assert refused.status_code == 403
    capability.refresh_from_db()
    assert capability.title == "Published title"


def test_admin_edits_capabilities_of_drafts(superuser_client):
    capability = CapabilityFactory(domain__framework__draft=True)
    html = superuser_client.get(_change_url(capability)).content.decode()
    assert 'name="_save"' in html


def test_admin_is_closed_to_users_who_are_not_staff(plain_client):
    response = plain_client.get(reverse("admin:competencies_capability_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response.url
