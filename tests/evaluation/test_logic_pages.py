"""The logic model editor: list and create, the five columns and the mechanisms edited in place."""

import pytest
from django.urls import reverse

from evaluation.models import (
    ExcerptMechanism,
    LogicModel,
    LogicModelItem,
    MechanismAssessment,
    Phase,
    Stance,
    Verdict,
)
from evaluation.services import logic as services
from evaluation.services.logic import eisen_logic_model_load
from tests.evaluation.factories import ExcerptFactory, LogicModelFactory, MechanismFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
INPUTS, OUTPUTS = LogicModelItem.Component.INPUTS, LogicModelItem.Component.OUTPUTS


@pytest.fixture
def logic_model():
    return LogicModelFactory(title="Pilot logic model")


def _detail(logic_model):
    return reverse("evaluation:logic_model_detail", args=[logic_model.uuid])


def _texts(logic_model, component):
    return list(
        logic_model.items.filter(component=component)
        .order_by("position")
        .values_list("text", flat=True)
    )


def _add(logic_model, component, *texts):
    return [
        services.logic_item_create(logic_model=logic_model, component=component, text=text)
        for text in texts
    ]


def _page_urls(logic_model, mechanism, item):
    return [
        reverse("evaluation:logic_model_list"),
        _detail(logic_model),
        reverse("evaluation:logic_model_edit", args=[logic_model.uuid]),
        reverse("evaluation:logic_item_edit", args=[logic_model.uuid, item.pk]),
        reverse("evaluation:mechanism_edit", args=[mechanism.uuid]),
    ]


@pytest.mark.parametrize("role_client", ["course_lead", "designer", "plain_user"], indirect=True)
def test_only_evaluators_and_administrators_see_or_change_logic_models(role_client, logic_model):
    mechanism = MechanismFactory(logic_model=logic_model)
    (item,) = _add(logic_model, INPUTS, "Partners")
    for url in _page_urls(logic_model, mechanism, item):
        assert role_client.get(url).status_code == 403, url
    writes = [
        reverse("evaluation:logic_model_list"),
        reverse("evaluation:logic_item_add", args=[logic_model.uuid, INPUTS]),
        reverse("evaluation:logic_item_delete", args=[logic_model.uuid, item.pk]),
        reverse("evaluation:logic_item_move", args=[logic_model.uuid, item.pk, "up"]),
        reverse("evaluation:mechanism_add", args=[logic_model.uuid]),
        reverse("evaluation:mechanism_delete", args=[mechanism.uuid]),
        reverse("evaluation:mechanism_move", args=[mechanism.uuid, "down"]),
    ]
    for url in writes:
        assert role_client.post(url, {"text": "x", "title": "x"}).status_code == 403, url
    assert list(LogicModel.objects.values_list("title", flat=True)) == ["Pilot logic model"]
    assert _texts(logic_model, INPUTS) == ["Partners"]


def test_anonymous_visitors_are_sent_to_sign_in(anonymous_client, logic_model):
    response = anonymous_client.get(_detail(logic_model))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role_client", ["evaluator", "administrator"], indirect=True)
def test_evaluators_and_administrators_see_the_list_with_counts(role_client):
    eisen_logic_model_load()
    html = role_client.get(reverse("evaluation:logic_model_list")).content.decode()
    assert "EISEN logic model" in html
    assert '<td data-testid="item-count">19</td>' in html
    assert '<td data-testid="mechanism-count">4</td>' in html


def test_a_new_logic_model_opens_its_page(evaluator_client):
    response = evaluator_client.post(
        reverse("evaluation:logic_model_list"), {"title": "Our model", "description": ""}
    )
    logic_model = LogicModel.objects.get(title="Our model")
    assert response.status_code == 302
    assert response["Location"] == _detail(logic_model)


def test_a_taken_title_is_refused_next_to_the_field(evaluator_client, logic_model):
    html = evaluator_client.post(
        reverse("evaluation:logic_model_list"), {"title": "Pilot logic model"}
    ).content.decode()
    assert "There is already a logic model called “Pilot logic model”" in html
    assert LogicModel.objects.count() == 1


def test_the_page_shows_five_columns_and_the_mechanisms_with_their_verdicts(evaluator_client):
    logic_model = eisen_logic_model_load()
    engagement = logic_model.mechanisms.get(name="Stakeholder engagement")
    MechanismAssessment.objects.create(
        mechanism=engagement, phase=Phase.SUMMATIVE, verdict=Verdict.HELD
    )
    html = evaluator_client.get(_detail(logic_model)).content.decode()
    for heading in ("Inputs and resources", "Activities", "Outputs", "Outcomes", "Impact"):
        assert f">{heading}</h3>" in html
    assert html.index("Project website") < html.index("Presentations at international conferences")
    assert "intended to service as a boundary object" in html
    assert '<span class="verdict verdict--held">Held</span>' in html
    assert html.count("Not assessed") == 7


def test_an_item_added_in_place_returns_its_column(evaluator_client, logic_model):
    _add(logic_model, INPUTS, "Partners")
    response = evaluator_client.post(
        reverse("evaluation:logic_item_add", args=[logic_model.uuid, INPUTS]),
        {"text": "Students piloting the courses"},
        **HTMX,
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="column-inputs"')
    assert html.index("Partners") < html.index("Students piloting the courses")
    assert _texts(logic_model, INPUTS) == ["Partners", "Students piloting the courses"]


def test_an_empty_item_is_refused_in_its_column(evaluator_client, logic_model):
    html = evaluator_client.post(
        reverse("evaluation:logic_item_add", args=[logic_model.uuid, OUTPUTS]),
        {"text": "  "},
        **HTMX,
    ).content.decode()
    assert "This field is required." in html
    assert " open>" in html
    assert not logic_model.items.exists()


def test_an_unknown_column_is_not_found(evaluator_client, logic_model):
    url = reverse("evaluation:logic_item_add", args=[logic_model.uuid, "wishes"])
    assert evaluator_client.post(url, {"text": "x"}).status_code == 404


def test_without_htmx_an_added_item_goes_back_to_the_page(evaluator_client, logic_model):
    response = evaluator_client.post(
        reverse("evaluation:logic_item_add", args=[logic_model.uuid, OUTPUTS]), {"text": "Website"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{_detail(logic_model)}#column-outputs"


def test_an_item_is_edited_in_place(evaluator_client, logic_model):
    (item,) = _add(logic_model, INPUTS, "Partners")
    url = reverse("evaluation:logic_item_edit", args=[logic_model.uuid, item.pk])
    form = evaluator_client.get(url, **HTMX).content.decode()
    assert form.lstrip().startswith(f'<li id="item-{item.pk}"')
    assert 'name="original_text" value="Partners"' in form
    saved = evaluator_client.post(
        url,
        {
            "text": "Partners and associated partners",
            "component": INPUTS,
            "original_text": "Partners",
        },
        **HTMX,
    ).content.decode()
    assert saved.lstrip().startswith(f'<li id="item-{item.pk}" class="logic-item">')
    assert _texts(logic_model, INPUTS) == ["Partners and associated partners"]


def test_a_stale_item_edit_shows_their_text_and_keeps_mine(evaluator_client, logic_model):
    (item,) = _add(logic_model, INPUTS, "Partners")
    services.logic_item_update(item=item, text="Partner universities")
    response = evaluator_client.post(
        reverse("evaluation:logic_item_edit", args=[logic_model.uuid, item.pk]),
        {"text": "My partners", "component": INPUTS, "original_text": "Partners"},
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert '<p data-testid="their-text">Partner universities</p>' in html
    assert "My partners</textarea>" in html
    assert 'name="original_text" value="Partner universities"' in html
    assert _texts(logic_model, INPUTS) == ["Partner universities"]


def test_an_item_moved_to_another_column_reloads_the_page(evaluator_client, logic_model):
    (item,) = _add(logic_model, INPUTS, "Website")
    response = evaluator_client.post(
        reverse("evaluation:logic_item_edit", args=[logic_model.uuid, item.pk]),
        {"text": "Website", "component": OUTPUTS, "original_text": "Website"},
        **HTMX,
    )
    assert response["HX-Refresh"] == "true"
    assert _texts(logic_model, OUTPUTS) == ["Website"]


def test_items_move_up_and_down_and_are_deleted(evaluator_client, logic_model):
    first, second = _add(logic_model, INPUTS, "Partners", "Funding")
    moved = evaluator_client.post(
        reverse("evaluation:logic_item_move", args=[logic_model.uuid, second.pk, "up"]), **HTMX
    ).content.decode()
    assert moved.index("Funding") < moved.index("Partners")
    assert _texts(logic_model, INPUTS) == ["Funding", "Partners"]
    evaluator_client.post(
        reverse("evaluation:logic_item_delete", args=[logic_model.uuid, first.pk]), **HTMX
    )
    assert _texts(logic_model, INPUTS) == ["Funding"]
    sideways = reverse("evaluation:logic_item_move", args=[logic_model.uuid, second.pk, "left"])
    assert evaluator_client.post(sideways).status_code == 404


def test_the_title_and_description_are_edited_in_place(evaluator_client, logic_model):
    url = reverse("evaluation:logic_model_edit", args=[logic_model.uuid])
    saved = evaluator_client.post(
        url, {"title": "Pilot model", "description": "Cohort 2026", "revision": 1}, **HTMX
    ).content.decode()
    assert saved.lstrip().startswith('<header id="model-header"')
    assert "Cohort 2026" in saved
    stale = evaluator_client.post(
        url, {"title": "Another title", "description": "", "revision": 1}, **HTMX
    )
    assert stale.status_code == 409
    assert '<dd data-testid="their-title">Pilot model</dd>' in stale.content.decode()
    logic_model.refresh_from_db()
    assert (logic_model.title, logic_model.revision) == ("Pilot model", 2)


def test_a_mechanism_is_added_edited_and_moved(evaluator_client, logic_model):
    add = reverse("evaluation:mechanism_add", args=[logic_model.uuid])
    for name in ("Implementation", "International"):
        evaluator_client.post(
            add,
            {"new-mechanism-name": name, "new-mechanism-assumption": f"{name} unites us."},
            **HTMX,
        )
    international = logic_model.mechanisms.get(name="International")
    edit = reverse("evaluation:mechanism_edit", args=[international.uuid])
    card = evaluator_client.post(
        edit,
        {
            "name": "International",
            "assumption": "Internal students would benefit.",
            "reflection": "It held.\n\nStudents asked for more.",
            "revision": 1,
        },
        **HTMX,
    ).content.decode()
    assert card.lstrip().startswith(f'<li id="mechanism-{international.uuid}"')
    assert "<p>It held.</p>" in card
    evaluator_client.post(
        reverse("evaluation:mechanism_move", args=[international.uuid, "up"]), **HTMX
    )
    assert list(logic_model.mechanisms.order_by("position").values_list("name", flat=True)) == [
        "International",
        "Implementation",
    ]


def test_a_taken_mechanism_name_is_refused_next_to_the_field(evaluator_client, logic_model):
    MechanismFactory(logic_model=logic_model, name="International", position=0)
    html = evaluator_client.post(
        reverse("evaluation:mechanism_add", args=[logic_model.uuid]),
        {"new-mechanism-name": "International", "new-mechanism-assumption": "Again."},
        **HTMX,
    ).content.decode()
    assert "already has a mechanism called “International”" in html
    assert logic_model.mechanisms.count() == 1


def test_a_stale_mechanism_edit_shows_their_reflection_and_keeps_mine(
    evaluator_client, logic_model
):
    mechanism = MechanismFactory(logic_model=logic_model, name="Platform", position=0)
    services.mechanism_update(mechanism=mechanism, expected_revision=1, reflection="Theirs.")
    response = evaluator_client.post(
        reverse("evaluation:mechanism_edit", args=[mechanism.uuid]),
        {"name": "Platform", "assumption": "It helps.", "reflection": "Mine.", "revision": 1},
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert '<dd data-testid="their-reflection">Theirs.</dd>' in html
    assert "Mine.</textarea>" in html
    assert 'name="revision" value="2"' in html


def test_a_mechanism_that_excerpts_cite_is_not_deleted(evaluator_client, logic_model):
    mechanism = MechanismFactory(logic_model=logic_model, name="Platform", position=0)
    ExcerptMechanism.objects.create(
        excerpt=ExcerptFactory(), mechanism=mechanism, stance=Stance.SUPPORTS
    )
    html = evaluator_client.post(
        reverse("evaluation:mechanism_delete", args=[mechanism.uuid]), {"revision": 1}, **HTMX
    ).content.decode()
    assert "cannot be deleted: 1 excerpt links and 0 assessments" in html
    assert logic_model.mechanisms.exists()


def test_a_mechanism_without_evidence_is_deleted(evaluator_client, logic_model):
    mechanism = MechanismFactory(logic_model=logic_model, name="Platform", position=0)
    html = evaluator_client.post(
        reverse("evaluation:mechanism_delete", args=[mechanism.uuid]), {"revision": 1}, **HTMX
    ).content.decode()
    assert html.lstrip().startswith('<div id="mechanisms"')
    assert not logic_model.mechanisms.exists()


@pytest.mark.parametrize("size", [1, 12])
def test_the_page_costs_the_same_queries_at_any_size(
    evaluator_client, django_assert_max_num_queries, size
):
    logic_model = LogicModelFactory()
    for component in LogicModelItem.Component.values:
        _add(logic_model, component, *(f"{component} {n}" for n in range(size)))
    for n in range(size):
        mechanism = MechanismFactory(logic_model=logic_model, position=n)
        for phase in Phase.values:
            MechanismAssessment.objects.create(
                mechanism=mechanism, phase=phase, verdict=Verdict.PARTLY_HELD
            )
    with django_assert_max_num_queries(7):
        response = evaluator_client.get(_detail(logic_model))
    assert response.content.decode().count('class="logic-item"') == 5 * size
    with django_assert_max_num_queries(4):
        evaluator_client.get(reverse("evaluation:logic_model_list"))
