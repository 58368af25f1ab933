import uuid

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from competencies.serializers import (
    CapabilityNodeSerializer,
    DomainNodeSerializer,
    FrameworkTreeSerializer,
    LevelDescriptorSerializer,
    ThemeReferenceSerializer,
    ThemeSerializer,
)
from tests.factories import (
    CapabilityFactory,
    FrameworkFactory,
    LevelDescriptorFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def _detail(framework):
    return f"/api/v1/frameworks/{framework.uuid}/"


def test_anonymous_list_shows_published_frameworks_only(api, eisen_framework):
    FrameworkFactory(draft=True)
    body = api.get("/api/v1/frameworks/").json()
    assert body["count"] == 1
    assert body["results"][0]["id"] == str(eisen_framework.uuid)
    assert body["results"][0]["status"] == "published"


def test_framework_detail_nests_domains_and_capabilities(api, eisen_framework):
    body = api.get(_detail(eisen_framework)).json()
    assert [domain["code"] for domain in body["domains"]] == ["K", "S", "A"]
    assert [len(domain["capabilities"]) for domain in body["domains"]] == [6, 5, 4]
    systems = body["domains"][0]["capabilities"][2]
    assert systems["code"] == "K3"
    assert systems["title"] == "Systems knowledge"
    assert systems["themes"] == [
        {"code": "working-with-stakeholders", "name": "Working with stakeholders", "position": 3}
    ]
    assert systems["parent"] is None
    assert len(body["themes"]) == 4


def test_level_descriptors_appear_in_the_nested_framework(api):
    descriptor = LevelDescriptorFactory(eqf_level=8, text="Leads others in it.")
    body = api.get(_detail(descriptor.capability.framework)).json()
    assert body["domains"][0]["capabilities"][0]["level_descriptors"] == [
        {"eqf_level": 8, "text": "Leads others in it."}
    ]


def test_draft_detail_is_forbidden_to_anonymous_and_plain_users(api, plain_user):
    draft = FrameworkFactory(draft=True)
    assert api.get(_detail(draft)).status_code == 403
    api.force_authenticate(plain_user)
    assert api.get(_detail(draft)).status_code == 403
    assert api.get("/api/v1/frameworks/").json()["count"] == 0


def test_designer_reads_drafts_with_a_token(api, designer):
    draft = FrameworkFactory(draft=True)
    token = Token.objects.create(user=designer)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get(_detail(draft)).status_code == 200
    assert api.get("/api/v1/frameworks/").json()["count"] == 1


def test_token_is_issued_for_a_username_and_password(api, designer):
    response = api.post(
        "/api/v1/auth/token/",
        {"username": "designer", "password": "correct horse battery staple"},
    )
    assert response.status_code == 200
    assert response.json()["token"] == Token.objects.get(user=designer).key


def test_unknown_or_malformed_framework_id_is_a_json_404(api):
    for framework_id in (uuid.uuid4(), "not-a-uuid"):
        response = api.get(f"/api/v1/frameworks/{framework_id}/")
        assert response.status_code == 404
        assert response.json() == {"detail": f"No framework has the identifier {framework_id}."}


def test_capabilities_filter_by_framework_domain_theme_and_text(api, eisen_framework):
    other = CapabilityFactory(code="K1", title="Knowledge elsewhere")

    def codes(**params):
        return [item["code"] for item in api.get("/api/v1/capabilities/", params).json()["results"]]

    assert codes(framework=eisen_framework.uuid, domain="a") == ["A1", "A2", "A3", "A4"]
    assert codes(framework=eisen_framework.uuid, theme="research-competence") == [
        "K1", "K2", "K6", "S3",
    ]  # fmt: skip
    assert codes(q="insider knowledge") == ["K5"]
    assert codes(framework=other.framework.uuid) == ["K1"]
    assert api.get("/api/v1/capabilities/", {"framework": "nope"}).status_code == 400


def test_capability_list_hides_draft_capabilities_from_anonymous_users(api):
    CapabilityFactory(domain__framework__draft=True)
    published = CapabilityFactory()
    assert [item["id"] for item in api.get("/api/v1/capabilities/").json()["results"]] == [
        str(published.uuid)
    ]


def test_capability_detail_of_a_draft_is_forbidden_to_anonymous_users(api):
    draft_capability = CapabilityFactory(domain__framework__draft=True)
    assert api.get(f"/api/v1/capabilities/{draft_capability.uuid}/").status_code == 403


def test_capability_list_is_paginated(api):
    framework = FrameworkFactory()
    for _ in range(55):
        CapabilityFactory(domain__framework=framework, framework=framework)
    body = api.get("/api/v1/capabilities/").json()
    assert body["count"] == 55
    assert len(body["results"]) == 50
    assert body["next"].endswith("?page=2")


@pytest.mark.parametrize("capability_count", [3, 60])
def test_api_costs_the_same_queries_at_any_size(
    api, designer, django_assert_max_num_queries, capability_count
):
    framework = FrameworkFactory()
    theme = ThemeFactory(framework=framework)
    for _ in range(capability_count):
        capability = CapabilityFactory(domain__framework=framework, framework=framework)
        capability.themes.add(theme)
        LevelDescriptorFactory(capability=capability)
    api.force_authenticate(designer)
    with django_assert_max_num_queries(8):
        assert api.get(_detail(framework)).status_code == 200
    with django_assert_max_num_queries(8):
        assert api.get("/api/v1/capabilities/").status_code == 200


def test_nested_framework_has_exactly_the_documented_fields(api):
    descriptor = LevelDescriptorFactory()
    capability = descriptor.capability
    capability.themes.add(ThemeFactory(framework=capability.framework))
    body = api.get(_detail(capability.framework)).json()
    domain = body["domains"][0]
    node = domain["capabilities"][0]

    assert set(body) == set(FrameworkTreeSerializer().fields)
    assert set(body["themes"][0]) == set(ThemeSerializer().fields)
    assert set(domain) == set(DomainNodeSerializer().fields)
    assert set(node) == set(CapabilityNodeSerializer().fields)
    assert set(node["themes"][0]) == set(ThemeReferenceSerializer().fields)
    assert set(node["level_descriptors"][0]) == set(LevelDescriptorSerializer().fields)
    documented = FrameworkTreeSerializer(data=body)
    assert documented.is_valid(), documented.errors


def test_sub_capabilities_follow_their_parent_with_depth(api):
    parent = CapabilityFactory(code="K1", position=1)
    second = CapabilityFactory(domain=parent.domain, code="K2", position=2)
    child = CapabilityFactory(domain=parent.domain, parent=parent, code="K1.1", position=1)
    nodes = api.get(_detail(parent.framework)).json()["domains"][0]["capabilities"]
    assert [(node["code"], node["depth"], node["parent"]) for node in nodes] == [
        ("K1", 0, None),
        ("K1.1", 1, str(parent.uuid)),
        ("K2", 0, None),
    ]
    assert child.parent == parent
    assert second.position == 2
