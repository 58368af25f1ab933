import csv
import io

import pytest
from django.urls import reverse

from competencies.models import Capability, CapabilityAssociation, Comment, Framework
from competencies.services import editing
from tests.factories import CapabilityFactory, DomainFactory, FrameworkFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft_capability():
    return CapabilityFactory(domain__framework__draft=True, code="K1", description="Start.")


def _editor_requests(capability):
    framework, domain = capability.framework, capability.domain
    return [
        ("get", reverse("competencies:framework_create"), {}),
        ("post", reverse("competencies:framework_create"), {"title": "X", "slug": "x"}),
        ("get", reverse("competencies:framework_editor", args=[framework.uuid]), {}),
        ("get", reverse("competencies:framework_metadata", args=[framework.uuid]), {}),
        ("post", reverse("competencies:framework_publish", args=[framework.uuid]), {}),
        ("post", reverse("competencies:framework_archive", args=[framework.uuid]), {}),
        ("post", reverse("competencies:framework_new_version", args=[framework.uuid]), {}),
        ("post", reverse("competencies:framework_renumber", args=[framework.uuid]), {}),
        ("post", reverse("competencies:domain_add", args=[framework.uuid]), {}),
        ("post", reverse("competencies:domain_change", args=[domain.uuid, "up"]), {}),
        ("get", reverse("competencies:domain_edit", args=[domain.uuid]), {}),
        ("get", reverse("competencies:framework_vocabulary", args=[framework.uuid]), {}),
        (
            "post",
            reverse("competencies:framework_vocabulary", args=[framework.uuid]),
            {"kind": "theme", "theme-code": "x", "theme-name": "X"},
        ),
        ("post", reverse("competencies:capability_add", args=[domain.uuid]), {}),
        ("get", reverse("competencies:capability_edit", args=[capability.uuid]), {}),
        ("post", reverse("competencies:capability_change", args=[capability.uuid, "down"]), {}),
        ("post", reverse("competencies:capability_change", args=[capability.uuid, "delete"]), {}),
        ("get", reverse("competencies:capability_links", args=[capability.uuid]), {}),
        ("post", reverse("competencies:capability_restore", args=[capability.uuid]), {}),
    ]


def test_anonymous_users_are_sent_to_sign_in_by_every_editor_page(client, draft_capability):
    for method, url, data in _editor_requests(draft_capability):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url


@pytest.mark.parametrize("role_client", ["plain_user", "course_lead", "evaluator"], indirect=True)
def test_readers_get_403_from_every_editor_page(role_client, draft_capability):
    for method, url, data in _editor_requests(draft_capability):
        assert getattr(role_client, method)(url, data).status_code == 403, url
    assert Capability.objects.filter(pk=draft_capability.pk).exists()
    assert Framework.objects.count() == 1


@pytest.mark.parametrize("role_client", ["designer", "administrator"], indirect=True)
def test_designers_and_administrators_open_the_editor(role_client, draft_capability):
    url = reverse("competencies:framework_editor", args=[draft_capability.framework.uuid])
    html = role_client.get(url).content.decode()
    assert 'aria-label="Move up: K1"' in html
    assert 'aria-label="Indent under the capability above: K1"' in html


def test_course_lead_sees_no_edit_controls_on_reading_pages(client, draft_capability):
    published = CapabilityFactory()
    client.force_login(UserFactory(username="lead2"))
    for url in (published.framework.get_absolute_url(), published.get_absolute_url()):
        html = client.get(url).content.decode()
        assert "/edit/" not in html
        assert "Edit" not in html.split("<main", 1)[1].split("Comments", 1)[0]


def test_designer_creates_a_framework_and_a_copy(designer_client):
    response = designer_client.post(
        reverse("competencies:framework_create"),
        {
            "title": "Implementation skills",
            "slug": "impl",
            "version_label": "1.0",
            "language": "en",
        },
    )
    framework = Framework.objects.get(slug="impl")
    assert response.url == reverse("competencies:framework_editor", args=[framework.uuid])
    CapabilityFactory(domain__framework=framework)
    copied = designer_client.post(
        reverse("competencies:framework_create"),
        {
            "title": "Our copy",
            "slug": "copy",
            "version_label": "1.0",
            "language": "nb",
            "copy_of": str(framework.uuid),
        },
    )
    assert copied.status_code == 302
    copy = Framework.objects.get(slug="copy")
    assert (copy.language, copy.capabilities.count()) == ("nb", 1)


def test_duplicate_version_names_the_field(designer_client):
    FrameworkFactory(slug="impl", version_label="1.0")
    response = designer_client.post(
        reverse("competencies:framework_create"),
        {"title": "Again", "slug": "impl", "version_label": "1.0", "language": "en"},
    )
    assert response.status_code == 200
    assert "already has a version 1.0" in response.content.decode()


def _edit(client, capability, revision, **fields):
    data = {
        "revision": revision,
        "code": capability.code,
        "title": capability.title,
        "description": capability.description,
        "relevance": "",
        "eqf_7": "",
        "eqf_8": "",
        **fields,
    }
    return client.post(
        reverse("competencies:capability_edit", args=[capability.uuid]),
        data,
        HTTP_HX_REQUEST="true",
    )


def test_in_place_edit_saves_and_returns_the_tree(designer_client, draft_capability):
    response = _edit(designer_client, draft_capability, 1, description="Changed.", eqf_8="Leads.")
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#domains"
    draft_capability.refresh_from_db()
    assert draft_capability.description == "Changed."
    assert draft_capability.level_descriptors.get().text == "Leads."


def test_stale_edit_shows_the_other_text_and_keeps_what_was_typed(
    designer_client, draft_capability
):
    editing.capability_update(
        capability=draft_capability, expected_revision=1, description="Saved by someone else."
    )
    response = _edit(designer_client, draft_capability, 1, description="Typed by me.")
    html = response.content.decode()
    assert response.status_code == 409
    assert "Someone else saved this capability" in html
    assert "Saved by someone else." in html
    assert "Typed by me." in html
    assert 'name="revision" value="2"' in html
    draft_capability.refresh_from_db()
    assert draft_capability.description == "Saved by someone else."


def test_bad_input_in_the_edit_form_names_the_field(designer_client, draft_capability):
    CapabilityFactory(domain=draft_capability.domain, code="K2")
    response = _edit(designer_client, draft_capability, 1, code="K2", title="")
    html = response.content.decode()
    assert "This field is required." in html
    response = _edit(designer_client, draft_capability, 1, code="K2")
    assert "Another capability of this framework has the code K2." in response.content.decode()
    draft_capability.refresh_from_db()
    assert draft_capability.code == "K1"


def test_editing_a_published_framework_is_refused_with_the_way_forward(designer_client):
    capability = CapabilityFactory()
    response = _edit(designer_client, capability, 1, description="Nope")
    assert response.status_code == 409
    assert response["HX-Retarget"] == "#main"
    assert "<html" not in response.content.decode()
    assert "Start a new version of it to make changes." in response.content.decode()
    editor = designer_client.get(
        reverse("competencies:framework_editor", args=[capability.framework.uuid])
    ).content.decode()
    assert "Start new version" in editor
    assert 'aria-label="Move up' not in editor


def test_structure_buttons_and_delete_confirmation(designer_client, draft_capability):
    second = CapabilityFactory(domain=draft_capability.domain, code="K2")
    change = "competencies:capability_change"
    designer_client.post(reverse(change, args=[second.uuid, "indent"]), HTTP_HX_REQUEST="true")
    second.refresh_from_db()
    assert second.parent == draft_capability
    html = designer_client.get(
        reverse("competencies:framework_editor", args=[draft_capability.framework.uuid])
    ).content.decode()
    assert 'hx-confirm="Delete K1? This cannot be undone."' in html
    refused = designer_client.post(
        reverse(change, args=[draft_capability.uuid, "delete"]), HTTP_HX_REQUEST="true"
    )
    assert "has sub-capabilities" in refused.content.decode()
    assert designer_client.post(reverse(change, args=[second.uuid, "nonsense"])).status_code == 404


def test_drop_places_a_capability_where_it_was_dragged(designer_client, draft_capability):
    second = CapabilityFactory(domain=draft_capability.domain, code="K2")
    other_domain = DomainFactory(framework=draft_capability.framework)
    url = reverse("competencies:capability_change", args=[second.uuid, "drop"])
    designer_client.post(url, {"index": 0, "domain": str(other_domain.uuid)})
    second.refresh_from_db()
    assert (second.domain, second.position) == (other_domain, 0)
    designer_client.post(url, {"index": 0, "parent": str(draft_capability.uuid)})
    second.refresh_from_db()
    assert second.parent == draft_capability
    bad = designer_client.post(url, {"index": "x"}, HTTP_HX_REQUEST="true")
    assert "no place to put" in bad.content.decode()


def test_publish_shows_problems_then_publishes(designer_client, draft_capability):
    url = reverse("competencies:framework_publish", args=[draft_capability.framework.uuid])
    Capability.objects.filter(pk=draft_capability.pk).update(description="")
    response = designer_client.post(url, follow=True)
    assert f"K1 {draft_capability.title} has no description." in response.content.decode()
    Capability.objects.filter(pk=draft_capability.pk).update(description="Now.")
    published = designer_client.post(url, follow=True)
    assert "is published" in published.content.decode()
    assert Framework.objects.get(pk=draft_capability.framework.pk).status == "published"


def test_new_version_then_compare_shows_changed_words(designer_client):
    capability = CapabilityFactory(description="Old words.")
    response = designer_client.post(
        reverse("competencies:framework_new_version", args=[capability.framework.uuid]),
        {"version_label": "2.0"},
    )
    draft = Framework.objects.get(version_label="2.0")
    assert response.url == reverse("competencies:framework_editor", args=[draft.uuid])
    new_capability = draft.capabilities.get()
    _edit(designer_client, new_capability, 1, description="New words.")
    page = designer_client.get(reverse("competencies:framework_compare", args=[draft.uuid]))
    html = page.content.decode()
    assert "<del>Old</del><ins>New</ins> words." in html
    assert "0 added, 0 removed, 0 moved, 1 changed." in html


def test_compare_form_refuses_the_same_version_twice(client):
    framework = FrameworkFactory()
    url = reverse("competencies:framework_compare", args=[framework.uuid])
    response = client.get(url, {"old": str(framework.uuid), "new": str(framework.uuid)})
    assert "Pick two different versions." in response.content.decode()


def test_links_page_adds_and_removes_links_across_frameworks(designer_client, draft_capability):
    elsewhere = CapabilityFactory(code="X9")
    url = reverse("competencies:capability_links", args=[draft_capability.uuid])
    missing = designer_client.post(
        url,
        {
            "association_type": "isRelatedTo",
            "destination_framework": str(elsewhere.framework.uuid),
            "destination_code": "NOPE",
        },
    )
    assert "has no capability NOPE" in missing.content.decode()
    designer_client.post(
        url,
        {
            "association_type": "exactMatchOf",
            "destination_framework": str(elsewhere.framework.uuid),
            "destination_code": "X9",
        },
    )
    link = CapabilityAssociation.objects.get()
    assert link.destination == elsewhere
    inverse = designer_client.get(elsewhere.get_absolute_url()).content.decode()
    assert "is an exact match of" in inverse
    designer_client.post(reverse("competencies:association_delete", args=[link.uuid]))
    assert not CapabilityAssociation.objects.exists()


def test_history_lists_changes_and_restores_an_earlier_value(designer_client, draft_capability):
    editing.capability_update(capability=draft_capability, expected_revision=1, title="Renamed")
    history_url = reverse("competencies:capability_history", args=[draft_capability.uuid])
    html = designer_client.get(history_url).content.decode()
    assert "Renamed" in html
    record = draft_capability.history.filter(title="Renamed").get()
    designer_client.post(
        reverse("competencies:capability_restore", args=[draft_capability.uuid]),
        {"history_id": record.history_id, "field": "title"},
    )
    draft_capability.refresh_from_db()
    assert draft_capability.title != "Renamed"
    framework_history = designer_client.get(
        reverse("competencies:framework_history", args=[draft_capability.framework.uuid])
    ).content.decode()
    assert "Renamed" in framework_history
    assert "created" in framework_history


def test_comments_counted_resolved_and_exported(client, designer_client):
    capability = CapabilityFactory(code="K1")
    client.force_login(UserFactory(username="stakeholder"))
    client.post(reverse("competencies:comment_add", args=[capability.uuid]), {"text": "Add EQF 8?"})
    framework_page = client.get(capability.framework.get_absolute_url()).content.decode()
    assert "1 open comment" in framework_page
    comment = Comment.objects.get()
    assert (
        client.post(reverse("competencies:comment_resolve", args=[comment.pk])).status_code == 403
    )
    designer_client.post(reverse("competencies:comment_resolve", args=[comment.pk]))
    comment.refresh_from_db()
    assert comment.resolved_by.username == "designer"
    export = client.get(
        reverse("competencies:framework_comments_csv", args=[capability.framework.uuid])
    )
    assert export["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows[1][:3] == ["K1", capability.title, "stakeholder"]


def test_anonymous_users_cannot_comment(client):
    capability = CapabilityFactory()
    response = client.post(
        reverse("competencies:comment_add", args=[capability.uuid]), {"text": "x"}
    )
    assert response.status_code == 302
    assert not Comment.objects.exists()


@pytest.mark.parametrize("size", [3, 30])
def test_editor_page_costs_the_same_queries_at_any_size(
    designer_client, django_assert_max_num_queries, size
):
    domain = DomainFactory(framework=FrameworkFactory(draft=True))
    for _ in range(size):
        CapabilityFactory(domain=domain)
    with django_assert_max_num_queries(16):
        response = designer_client.get(
            reverse("competencies:framework_editor", args=[domain.framework.uuid])
        )
    assert response.content.decode().count('class="capability-item"') == size


def test_domain_is_renamed_in_place_and_stale_renames_are_refused(designer_client):
    domain = DomainFactory(framework=FrameworkFactory(draft=True), code="K", name="Knowledge")
    url = reverse("competencies:domain_edit", args=[domain.uuid])
    assert 'name="revision" value="1"' in designer_client.get(url).content.decode()
    saved = designer_client.post(
        url, {"revision": 1, "code": "K", "name": "Kunnskap"}, HTTP_HX_REQUEST="true"
    )
    assert saved["HX-Retarget"] == "#domains"
    stale = designer_client.post(url, {"revision": 1, "code": "K", "name": "Knowledge again"})
    assert stale.status_code == 409
    assert "Someone else saved this domain" in stale.content.decode()
    domain.refresh_from_db()
    assert domain.name == "Kunnskap"


def test_edit_form_offers_moving_to_another_domain(designer_client, draft_capability):
    skills = DomainFactory(framework=draft_capability.framework, name="Skills")
    html = designer_client.get(
        reverse("competencies:capability_edit", args=[draft_capability.uuid])
    ).content.decode()
    assert "Move to domain" in html
    designer_client.post(
        reverse("competencies:capability_change", args=[draft_capability.uuid, "drop"]),
        {"index": 999999, "domain": str(skills.uuid)},
    )
    draft_capability.refresh_from_db()
    assert (draft_capability.domain, draft_capability.position) == (skills, 0)


def test_history_records_who_edited_in_the_editor(designer_client, designer, draft_capability):
    _edit(designer_client, draft_capability, 1, title="Renamed here")
    latest = draft_capability.history.first()
    assert (latest.title, latest.history_user) == ("Renamed here", designer)
    html = designer_client.get(
        reverse("competencies:capability_history", args=[draft_capability.uuid])
    ).content.decode()
    assert "<td>designer</td>" in html


def test_designer_keeps_the_frameworks_themes_and_references(designer_client, draft_capability):
    framework = draft_capability.framework
    url = reverse("competencies:framework_vocabulary", args=[framework.uuid])
    designer_client.post(
        url, {"kind": "theme", "theme-code": "impact", "theme-name": "Creating impact"}
    )
    duplicate = designer_client.post(
        url, {"kind": "theme", "theme-code": "impact", "theme-name": "Again"}
    )
    assert "This framework already has a theme impact." in duplicate.content.decode()
    designer_client.post(
        url,
        {"kind": "reference", "reference-key": "gabbay-2014", "reference-citation": "Gabbay J."},
    )
    theme = framework.themes.get()
    draft_capability.themes.add(theme)
    refused = designer_client.post(url, {"kind": "delete-theme", "id": theme.pk}, follow=True)
    assert "still used by K1" in refused.content.decode()
    reference = framework.references.get()
    designer_client.post(url, {"kind": "delete-reference", "id": reference.pk})
    assert not framework.references.exists()
    assert framework.themes.count() == 1


def test_themes_of_a_published_framework_cannot_be_added(designer_client):
    framework = FrameworkFactory()
    response = designer_client.post(
        reverse("competencies:framework_vocabulary", args=[framework.uuid]),
        {"kind": "theme", "theme-code": "x", "theme-name": "X"},
    )
    assert response.status_code == 409
    assert not framework.themes.exists()
