import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from competencies.models import Capability, Comment, Framework
from tests.factories import (
    CapabilityFactory,
    DomainFactory,
    FrameworkFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(designer):
    client = APIClient()
    client.force_authenticate(designer)
    return client


def _as(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def draft_capability():
    theme = ThemeFactory(framework=FrameworkFactory(draft=True), code="impact")
    return CapabilityFactory(domain__framework=theme.framework, code="K1")


def _write_requests(capability):
    url = f"/api/v1/capabilities/{capability.uuid}/"
    framework_url = f"/api/v1/frameworks/{capability.framework.uuid}/"
    return [
        ("post", "/api/v1/frameworks/", {"title": "T", "slug": "t"}),
        ("patch", framework_url, {"title": "Renamed"}),
        ("post", f"{framework_url}publish/", {}),
        ("post", f"{framework_url}new-version/", {"version_label": "2"}),
        ("post", "/api/v1/domains/", {"framework": str(capability.framework.uuid), "code": "X"}),
        ("post", "/api/v1/capabilities/", {"domain": str(capability.domain.uuid), "code": "K9"}),
        ("patch", url, {"title": "Changed"}),
        ("delete", url, None),
        ("post", f"{url}move-up/", {}),
        ("post", f"{url}indent/", {}),
        ("post", "/api/v1/associations/", {"origin": str(capability.uuid)}),
    ]


@pytest.mark.parametrize("persona", [None, "plain_user", "course_lead", "evaluator"])
def test_only_designers_and_administrators_change_frameworks(request, persona, draft_capability):
    user = request.getfixturevalue(persona) if persona else None
    client = _as(user)
    for method, url, body in _write_requests(draft_capability):
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code == 403, (method, url, response.status_code)
    draft_capability.refresh_from_db()
    assert draft_capability.revision == 1
    assert Framework.objects.count() == 1


def test_designer_builds_a_framework_through_the_api(api):
    created = api.post(
        "/api/v1/frameworks/", {"title": "Implementation", "slug": "impl"}, format="json"
    )
    assert created.status_code == 201, created.json()
    framework_id = created.json()["id"]
    domain = api.post(
        "/api/v1/domains/",
        {"framework": framework_id, "code": "K", "name": "Knowledge"},
        format="json",
    ).json()
    capability = api.post(
        "/api/v1/capabilities/",
        {
            "domain": domain["id"],
            "code": "K1",
            "title": "Local knowledge",
            "description": "Insider knowledge.",
            "level_descriptors": [{"eqf_level": 7, "text": "Describes it."}],
        },
        format="json",
    )
    assert capability.status_code == 201, capability.json()
    assert capability["ETag"] == '"1"'
    assert capability.json()["level_descriptors"] == [{"eqf_level": 7, "text": "Describes it."}]
    tree = api.get(f"/api/v1/frameworks/{framework_id}/").json()
    assert tree["status"] == "draft"
    assert tree["domains"][0]["capabilities"][0]["code"] == "K1"


def test_edit_needs_if_match_and_refuses_a_stale_one_with_the_current_text(api, draft_capability):
    url = f"/api/v1/capabilities/{draft_capability.uuid}/"
    etag = api.get(url)["ETag"]

    missing = api.patch(url, {"description": "No precondition."}, format="json")
    assert missing.status_code == 428

    first = api.patch(url, {"description": "First."}, format="json", HTTP_IF_MATCH=etag)
    assert first.status_code == 200
    assert first["ETag"] == '"2"'

    stale = api.patch(url, {"description": "Second."}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert stale.json()["current"]["description"] == "First."
    assert stale["ETag"] == '"2"'
    draft_capability.refresh_from_db()
    assert draft_capability.description == "First."


def test_bad_input_names_the_field_and_saves_nothing(api, draft_capability):
    url = f"/api/v1/capabilities/{draft_capability.uuid}/"
    other = CapabilityFactory(domain=draft_capability.domain, code="K2")
    duplicate = api.patch(url, {"code": "K2"}, format="json", HTTP_IF_MATCH='"1"')
    assert duplicate.status_code == 400
    assert "code" in duplicate.json()
    unknown_theme = api.patch(url, {"themes": ["nope"]}, format="json", HTTP_IF_MATCH='"1"')
    assert unknown_theme.json() == {"themes": ["Not in this framework: nope."]}
    too_long = api.patch(url, {"title": "x" * 256}, format="json", HTTP_IF_MATCH='"1"')
    assert "title" in too_long.json()
    draft_capability.refresh_from_db()
    assert (draft_capability.code, draft_capability.revision) == ("K1", 1)
    assert other.code == "K2"


def test_published_framework_is_read_only_with_the_way_forward(api):
    capability = CapabilityFactory()
    response = api.patch(
        f"/api/v1/capabilities/{capability.uuid}/",
        {"title": "Changed"},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 409
    assert "Start a new version" in response.json()["detail"]


def test_publish_reports_problems_then_publishes(api, draft_capability):
    framework_url = f"/api/v1/frameworks/{draft_capability.framework.uuid}/"
    Capability.objects.filter(pk=draft_capability.pk).update(description="")
    refused = api.post(f"{framework_url}publish/")
    assert refused.status_code == 400
    assert refused.json() == {
        "non_field_errors": [f"K1 {draft_capability.title} has no description."]
    }
    Capability.objects.filter(pk=draft_capability.pk).update(description="Now described.")
    assert api.post(f"{framework_url}publish/").json()["status"] == "published"


def test_new_version_and_compare(api):
    capability = CapabilityFactory(description="Old words here.")
    framework_url = f"/api/v1/frameworks/{capability.framework.uuid}/"
    draft = api.post(f"{framework_url}new-version/", {"version_label": "2.0"}, format="json")
    assert draft.status_code == 201
    new_capability = Capability.objects.get(framework__uuid=draft.json()["id"])
    assert new_capability.derived_from == capability
    api.patch(
        f"/api/v1/capabilities/{new_capability.uuid}/",
        {"description": "New words here."},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    comparison = api.get(f"{framework_url}compare/", {"with": draft.json()["id"]}).json()
    (change,) = comparison["changed"]
    assert change["fields"][0]["segments"] == [
        {"kind": "delete", "text": "Old"},
        {"kind": "insert", "text": "New"},
        {"kind": "equal", "text": " words here."},
    ]
    assert comparison["added"] == []
    assert comparison["removed"] == []
    bad = api.get(f"{framework_url}compare/", {"with": "nonsense"})
    assert bad.status_code == 400


def test_structure_operations(api, draft_capability):
    second = CapabilityFactory(domain=draft_capability.domain, code="K2")
    indented = api.post(f"/api/v1/capabilities/{second.uuid}/indent/")
    assert indented.json()["parent"] == str(draft_capability.uuid)
    refused = api.post(
        f"/api/v1/capabilities/{draft_capability.uuid}/move/",
        {"index": 0, "parent": str(second.uuid)},
        format="json",
    )
    assert refused.status_code == 400
    assert "parent" in refused.json()
    outdented = api.post(f"/api/v1/capabilities/{second.uuid}/outdent/")
    assert (outdented.json()["parent"], outdented.json()["position"]) == (None, 1)
    renumbered = api.post(f"/api/v1/frameworks/{draft_capability.framework.uuid}/renumber/")
    assert renumbered.json() == {"changed": 2}
    domain_code = draft_capability.domain.code
    assert list(
        Capability.objects.filter(framework=draft_capability.framework).values_list(
            "code", flat=True
        )
    ) == [f"{domain_code}1", f"{domain_code}2"]


def test_delete_a_capability(api, draft_capability):
    assert api.delete(f"/api/v1/capabilities/{draft_capability.uuid}/").status_code == 204
    assert not Capability.objects.filter(pk=draft_capability.pk).exists()


def test_links_across_frameworks_and_never_to_itself(api, draft_capability):
    elsewhere = CapabilityFactory()
    created = api.post(
        "/api/v1/associations/",
        {
            "origin": str(draft_capability.uuid),
            "destination": str(elsewhere.uuid),
            "association_type": "exactMatchOf",
        },
        format="json",
    )
    assert created.status_code == 201
    assert created.json()["inverse_label"] == "is an exact match of"
    itself = api.post(
        "/api/v1/associations/",
        {
            "origin": str(draft_capability.uuid),
            "destination": str(draft_capability.uuid),
            "association_type": "isRelatedTo",
        },
        format="json",
    )
    assert itself.status_code == 400
    assert itself.json() == {"destination": ["A capability cannot be linked to itself."]}
    assert api.delete(f"/api/v1/associations/{created.json()['id']}/").status_code == 204


def test_course_leads_comment_and_designers_resolve(course_lead, designer):
    capability = CapabilityFactory()
    lead = _as(course_lead)
    created = lead.post(
        "/api/v1/comments/",
        {"capability": str(capability.uuid), "text": "Add an EQF 8 descriptor?"},
        format="json",
    )
    assert created.status_code == 201
    comment_url = f"/api/v1/comments/{created.json()['id']}/"
    assert lead.post(f"{comment_url}resolve/").status_code == 403
    resolved = _as(designer).post(f"{comment_url}resolve/")
    assert resolved.json()["resolved_by"] == "designer"
    assert _as(None).get("/api/v1/comments/").status_code == 403
    assert Comment.objects.get().resolved_at is not None


def test_comments_on_drafts_are_refused_to_readers_who_cannot_see_them(course_lead):
    capability = CapabilityFactory(domain__framework__draft=True)
    response = _as(course_lead).post(
        "/api/v1/comments/", {"capability": str(capability.uuid), "text": "Hi"}, format="json"
    )
    assert response.status_code == 403


def test_administrators_edit_like_designers(administrator, draft_capability):
    response = _as(administrator).patch(
        f"/api/v1/capabilities/{draft_capability.uuid}/",
        {"title": "By the administrator"},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 200


def test_domains_through_the_api(api):
    domain = DomainFactory(framework=FrameworkFactory(draft=True), code="K")
    url = f"/api/v1/domains/{domain.uuid}/"
    etag = api.get(url)["ETag"]
    renamed = api.patch(url, {"name": "Kunnskap"}, format="json", HTTP_IF_MATCH=etag)
    assert renamed.json()["name"] == "Kunnskap"
    assert api.delete(url).status_code == 204


def test_history_records_who_edited_through_the_api_with_a_token(designer, draft_capability):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=designer).key}")
    client.patch(
        f"/api/v1/capabilities/{draft_capability.uuid}/",
        {"title": "Renamed"},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert draft_capability.history.first().history_user == designer
