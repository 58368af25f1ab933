import re
import uuid

import pytest
from django.db import connection
from django.urls import reverse

from tests.factories import (
    CapabilityAssociationFactory,
    CapabilityFactory,
    DomainFactory,
    FrameworkFactory,
    LevelDescriptorFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db


def _framework_url(framework):
    return reverse("competencies:framework_detail", args=[framework.uuid])


def test_anyone_reads_the_eisen_framework_as_three_domain_tables(anonymous_client, eisen_framework):
    response = anonymous_client.get(_framework_url(eisen_framework))
    assert response.status_code == 200
    html = response.content.decode()
    assert len(re.findall(r'<table class="data-table capability-table">', html)) == 3
    assert len(re.findall(r'<tr data-capability="', html)) == 15
    for heading in ("Knowledge capabilities", "Skills capabilities", "Attitudes capabilities"):
        assert heading in html
    assert "Relevance to research co-production" in html
    assert "Working with multiple communities" in html
    assert "Creating impact" in html


def test_framework_list_shows_published_frameworks_to_anonymous_users(
    anonymous_client, eisen_framework
):
    draft = FrameworkFactory(draft=True, title="Unfinished draft")
    response = anonymous_client.get(reverse("competencies:framework_list"))
    assert response.status_code == 200
    assert "EISEN Competency Framework" in response.content.decode()
    assert draft.title not in response.content.decode()


def test_root_leads_to_the_framework_list(anonymous_client):
    response = anonymous_client.get("/")
    assert response.status_code == 302
    assert response.url == reverse("competencies:framework_list")


def test_drafts_are_invisible_to_anonymous_and_plain_users(anonymous_client, plain_client):
    draft = FrameworkFactory(draft=True, title="Unfinished draft")
    for client in (anonymous_client, plain_client):
        assert (
            draft.title not in client.get(reverse("competencies:framework_list")).content.decode()
        )
    response = plain_client.get(_framework_url(draft))
    assert response.status_code == 403
    assert "draft" in response.content.decode()
    # A visitor who is not signed in is asked to, like on every other page they may not see.
    response = anonymous_client.get(_framework_url(draft))
    assert response["Location"] == f"/accounts/login/?next={_framework_url(draft)}"


@pytest.mark.parametrize("role_client", ["designer", "administrator"], indirect=True)
def test_designers_and_administrators_read_drafts(role_client):
    draft = FrameworkFactory(draft=True, title="Unfinished draft")
    assert draft.title in role_client.get(reverse("competencies:framework_list")).content.decode()
    assert role_client.get(_framework_url(draft)).status_code == 200


@pytest.mark.parametrize("role_client", ["course_lead", "evaluator"], indirect=True)
def test_course_leads_and_evaluators_do_not_read_drafts(role_client):
    draft = FrameworkFactory(draft=True)
    assert role_client.get(_framework_url(draft)).status_code == 403


def test_unknown_framework_is_a_404_page(anonymous_client):
    response = anonymous_client.get(reverse("competencies:framework_detail", args=[uuid.uuid4()]))
    assert response.status_code == 404
    assert "Not found" in response.content.decode()
    assert anonymous_client.get("/frameworks/not-a-uuid/").status_code == 404


def test_capability_page_shows_associations_both_ways_and_references(
    anonymous_client, eisen_framework
):
    leadership = eisen_framework.capabilities.get(code="S2")
    committed = eisen_framework.capabilities.get(code="A3")

    page = anonymous_client.get(leadership.get_absolute_url()).content.decode()
    assert "<title>S2 Leadership and Political skills · EISEN Curriculum</title>" in page
    assert "is related to" in page
    assert "A3 Committed to impact" in page
    assert "Skilled for improvement?" in page

    inverse = anonymous_client.get(committed.get_absolute_url()).content.decode()
    assert "is related from" in inverse
    assert "S2 Leadership and Political skills" in inverse


def test_capability_page_of_a_draft_sends_anonymous_users_to_sign_in(anonymous_client):
    capability = CapabilityFactory(domain__framework__draft=True)
    response = anonymous_client.get(capability.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_unknown_capability_is_a_404(anonymous_client):
    url = reverse("competencies:capability_detail", args=[uuid.uuid4()])
    assert anonymous_client.get(url).status_code == 404


def test_search_finds_capabilities_by_word(anonymous_client, eisen_framework):
    response = anonymous_client.get(
        reverse("competencies:capability_search"), {"q": "stakeholders boundaries"}
    )
    html = response.content.decode()
    assert "1 capability found" in html
    assert "Working with multiple communities" in html


def test_search_answers_htmx_with_only_the_results(anonymous_client, eisen_framework):
    response = anonymous_client.get(
        reverse("competencies:capability_search"),
        {"q": "knowledge", "framework": str(eisen_framework.uuid)},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="search-results"')
    assert "<html" not in html
    assert "Local knowledge" in html


def test_search_does_not_reveal_drafts(anonymous_client):
    CapabilityFactory(domain__framework__draft=True, title="Secret draft capability")
    html = anonymous_client.get(
        reverse("competencies:capability_search"), {"q": "secret"}
    ).content.decode()
    assert "0 capabilities found" in html


def test_search_with_a_malformed_framework_says_what_is_wrong(anonymous_client, eisen_framework):
    response = anonymous_client.get(
        reverse("competencies:capability_search"), {"q": "knowledge", "framework": "nonsense"}
    )
    assert response.status_code == 200
    assert "Framework: “nonsense” is not a valid UUID." in response.content.decode()


def _framework_of_size(capability_count):
    framework = FrameworkFactory()
    themes = [ThemeFactory(framework=framework) for _ in range(3)]
    domains = [DomainFactory(framework=framework) for _ in range(3)]
    for index in range(capability_count):
        capability = CapabilityFactory(domain=domains[index % 3])
        capability.themes.set(themes[: 1 + index % 3])
        LevelDescriptorFactory(capability=capability, eqf_level=7)
        LevelDescriptorFactory(capability=capability, eqf_level=8)
    parent = framework.capabilities.first()
    CapabilityFactory(domain=parent.domain, parent=parent)
    CapabilityAssociationFactory(origin=parent, destination=framework.capabilities.last())
    return framework


@pytest.mark.parametrize("capability_count", [2, 40])
def test_framework_page_costs_the_same_queries_at_any_size(
    designer_client, django_assert_max_num_queries, capability_count
):
    framework = _framework_of_size(capability_count)
    with django_assert_max_num_queries(10):
        response = designer_client.get(_framework_url(framework))
    assert response.status_code == 200
    assert response.content.decode().count("<tr data-capability=") == capability_count + 1


@pytest.mark.parametrize("capability_count", [2, 40])
def test_capability_page_costs_the_same_queries_at_any_size(
    anonymous_client, django_assert_max_num_queries, capability_count
):
    framework = _framework_of_size(capability_count)
    capability = framework.capabilities.filter(parent=None).first()
    with django_assert_max_num_queries(10):
        response = anonymous_client.get(capability.get_absolute_url())
    assert response.status_code == 200
    assert "Sub-capabilities" in response.content.decode()


def test_search_is_full_text_on_postgresql_and_substring_elsewhere(
    anonymous_client, eisen_framework
):
    html = anonymous_client.get(
        reverse("competencies:capability_search"), {"q": "engaging"}
    ).content.decode()
    if connection.vendor == "postgresql":
        # Stemmed: "engaging" finds "engage" (S1) and "engagement" (K3).
        assert "Working with multiple communities" in html
        assert "Systems knowledge" in html
    else:
        assert "0 capabilities found" in html
