"""The codebook pages: the tree, adding, editing (stale edits), moving and deleting codes."""

import pytest
from django.urls import reverse

from evaluation.models import Code
from evaluation.services.codebook import code_create, code_update
from tests.evaluation.factories import CodeFactory, CodingFactory, MechanismFactory
from tests.factories import CapabilityFactory, FrameworkFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def _code_data(**fields):
    return {
        "name": "Networking",
        "definition": "",
        "include": "",
        "exclude": "",
        "colour": "#2f9e44",
        **fields,
    }


@pytest.mark.parametrize("client_name", ["lead_client", "designer_client", "plain_client"])
@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("evaluation:codebook", "get"),
        ("evaluation:code_new", "get"),
        ("evaluation:code_new", "post"),
        ("evaluation:code_edit", "get"),
        ("evaluation:code_move", "post"),
        ("evaluation:code_delete", "post"),
    ],
)
def test_only_evaluators_and_administrators_reach_the_codebook(request, client_name, name, method):
    code = CodeFactory()
    args = [] if name in ("evaluation:codebook", "evaluation:code_new") else [code.uuid]
    client = request.getfixturevalue(client_name)
    response = getattr(client, method)(reverse(name, args=args))
    assert response.status_code == 403
    assert Code.objects.filter(pk=code.pk).exists()


def test_anonymous_visitors_are_sent_to_sign_in(anonymous_client):
    response = anonymous_client.get(reverse("evaluation:codebook"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_codebook_shows_the_tree_with_links_and_counts(
    evaluator_client, django_assert_max_num_queries
):
    mechanism = MechanismFactory(name="International mix")
    capability = CapabilityFactory(code="K1", title="Interdisciplinary knowledge")
    networking = code_create(
        name="Networking",
        definition="Meeting peers.",
        include="Contacts made.",
        exclude="The platform.",
        mechanisms=[mechanism],
        capabilities=[capability],
    )
    rooms = code_create(name="Breakout rooms", parent=networking)
    CodingFactory.create_batch(2, code=rooms)
    for number in range(10):
        code_create(name=f"Theme {number}", mechanisms=[mechanism], capabilities=[capability])
    with django_assert_max_num_queries(9):
        html = evaluator_client.get(reverse("evaluation:codebook")).content.decode()
    assert html.index("Networking") < html.index("Breakout rooms") < html.index("Theme 0")
    assert "Networking › Breakout rooms" in html
    assert "Meeting peers." in html
    assert "Contacts made." in html
    assert "The platform." in html
    assert "International mix" in html
    assert "Interdisciplinary knowledge" in html
    assert '<td class="numeric">2</td>' in html
    assert "code-colour cr-4c cg-6e cb-f5" in html


def test_a_new_code_is_added_under_its_parent_with_its_links(evaluator_client):
    networking = code_create(name="Networking")
    mechanism = MechanismFactory()
    capability = CapabilityFactory()
    response = evaluator_client.post(
        reverse("evaluation:code_new"),
        _code_data(
            name="Breakout rooms",
            parent=networking.pk,
            mechanisms=[mechanism.pk],
            capabilities=[capability.pk],
        ),
    )
    code = Code.objects.get(name="Breakout rooms")
    assert response.status_code == 302
    assert response.url == f"{reverse('evaluation:codebook')}#code-{code.uuid}"
    assert code.parent == networking
    assert list(code.mechanisms.all()) == [mechanism]
    assert list(code.capabilities.all()) == [capability]


def test_a_taken_name_is_shown_next_to_the_name_and_nothing_is_saved(evaluator_client):
    code_create(name="Networking")
    html = evaluator_client.post(reverse("evaluation:code_new"), _code_data()).content.decode()
    assert "There is already a code “Networking” at the top of the codebook" in html
    assert 'id="id_name_error"' in html
    assert Code.objects.count() == 1


def test_a_draft_capability_cannot_be_chosen(evaluator_client):
    capability = CapabilityFactory(domain__framework=FrameworkFactory(draft=True))
    html = evaluator_client.post(
        reverse("evaluation:code_new"), _code_data(capabilities=[capability.pk])
    ).content.decode()
    assert "Select a valid choice." in html
    assert not Code.objects.exists()


def test_the_capability_search_lists_published_capabilities_not_yet_linked(evaluator_client):
    linked = CapabilityFactory(code="K1", title="Systems knowledge")
    other = CapabilityFactory(code="K2", title="Local knowledge")
    CapabilityFactory(
        code="K3", title="Draft knowledge", domain__framework=FrameworkFactory(draft=True)
    )
    CapabilityFactory(code="S1", title="Negotiation")
    response = evaluator_client.get(
        reverse("evaluation:code_new"),
        {"capability_q": "knowledge", "capabilities": [linked.pk]},
        **HTMX,
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="capability-results">')
    assert "1 capability matches “knowledge”." in html
    assert f'value="{other.pk}"' in html
    assert "Systems knowledge" not in html
    assert "Draft knowledge" not in html
    assert "Negotiation" not in html


def test_editing_a_code_saves_it_and_a_stale_edit_keeps_both_texts(evaluator_client):
    code = code_create(name="Networking")
    url = reverse("evaluation:code_edit", args=[code.uuid])
    assert evaluator_client.get(url).status_code == 200
    response = evaluator_client.post(url, _code_data(name="Peers", revision=1))
    assert response.status_code == 302
    response = evaluator_client.post(url, _code_data(name="Contacts", revision=1))
    html = response.content.decode()
    assert response.status_code == 409
    assert "Someone else saved this code while you were editing it." in html
    assert '<dd data-testid="their-name">Peers</dd>' in html
    assert 'value="Contacts"' in html
    assert 'name="revision" value="2"' in html
    assert Code.objects.get().name == "Peers"


def test_a_move_that_makes_a_cycle_is_refused_on_the_page(evaluator_client):
    rooms = code_create(name="Breakout rooms")
    networking = code_create(name="Networking", parent=rooms)
    response = evaluator_client.post(
        reverse("evaluation:code_move", args=[rooms.uuid]),
        {"parent": networking.pk, "revision": 1},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        "“Breakout rooms” cannot go under “Networking”: “Networking” is inside "
        "“Breakout rooms”." in html
    )
    rooms.refresh_from_db()
    assert rooms.parent is None


def test_a_move_puts_the_code_under_its_new_parent(evaluator_client):
    platform = code_create(name="Platform")
    networking = code_create(name="Networking")
    response = evaluator_client.post(
        reverse("evaluation:code_move", args=[networking.uuid]),
        {"parent": platform.pk, "revision": 1},
    )
    assert response.status_code == 302
    networking.refresh_from_db()
    assert networking.parent == platform


def test_a_stale_move_is_refused_with_the_current_revision_in_the_form(evaluator_client):
    platform = code_create(name="Platform")
    networking = code_create(name="Networking")
    code_update(code=networking, expected_revision=1, name="Peers")
    html = evaluator_client.post(
        reverse("evaluation:code_move", args=[networking.uuid]),
        {"parent": platform.pk, "revision": 1},
    ).content.decode()
    assert "Someone else changed “Peers” while you were looking at it; it was not moved." in html
    networking.refresh_from_db()
    assert networking.parent is None


def test_deleting_a_code_in_use_is_refused_in_place_naming_the_count(evaluator_client):
    code = CodeFactory(name="Networking")
    CodingFactory.create_batch(2, code=code)
    response = evaluator_client.post(
        reverse("evaluation:code_delete", args=[code.uuid]), {"revision": 1}, **HTMX
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="codebook-tree">')
    assert (
        "“Networking” is used by 2 codings; take it off those excerpts before deleting it." in html
    )
    assert Code.objects.filter(pk=code.pk).exists()


def test_deleting_an_unused_code_returns_the_tree_without_it(evaluator_client):
    keep = code_create(name="Platform")
    gone = code_create(name="Networking")
    html = evaluator_client.post(
        reverse("evaluation:code_delete", args=[gone.uuid]), {"revision": 1}, **HTMX
    ).content.decode()
    assert "“Networking” is deleted." in html
    assert f"code-{keep.uuid}" in html
    assert f"code-{gone.uuid}" not in html
    assert list(Code.objects.all()) == [keep]


def test_without_htmx_a_delete_goes_back_to_the_codebook_with_a_message(evaluator_client):
    code = code_create(name="Networking")
    response = evaluator_client.post(
        reverse("evaluation:code_delete", args=[code.uuid]), {"revision": 1}, follow=True
    )
    assert "“Networking” is deleted." in response.content.decode()


def test_administrators_use_the_codebook(administrator_client):
    assert administrator_client.get(reverse("evaluation:codebook")).status_code == 200
