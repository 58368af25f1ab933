"""Logic models, their items and mechanisms through the API: CRUD, order, ETags, permissions."""

import pytest
from rest_framework.test import APIClient

from evaluation.models import ExcerptMechanism, LogicModel, LogicModelItem, Mechanism, Stance
from evaluation.services import logic as services
from tests.evaluation.factories import ExcerptFactory, LogicModelFactory, MechanismFactory

pytestmark = pytest.mark.django_db
BASE = "/api/v1/evaluation"
INPUTS, OUTPUTS = LogicModelItem.Component.INPUTS, LogicModelItem.Component.OUTPUTS


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def api(evaluator):
    return _client(evaluator)


@pytest.fixture
def logic_model():
    return LogicModelFactory(title="Pilot logic model")


def _add(logic_model, component, *texts):
    return [
        services.logic_item_create(logic_model=logic_model, component=component, text=text)
        for text in texts
    ]


@pytest.mark.parametrize("persona", ["course_lead", "designer", "plain_user"])
def test_other_roles_get_403_on_every_endpoint(request, persona, logic_model):
    client = _client(request.getfixturevalue(persona))
    mechanism = MechanismFactory(logic_model=logic_model)
    (item,) = _add(logic_model, INPUTS, "Partners")
    reads = [
        f"{BASE}/logic-models/",
        f"{BASE}/logic-models/{logic_model.uuid}/",
        f"{BASE}/logic-model-items/",
        f"{BASE}/logic-model-items/{item.pk}/",
        f"{BASE}/mechanisms/",
        f"{BASE}/mechanisms/{mechanism.uuid}/",
    ]
    for url in reads:
        assert client.get(url).status_code == 403, url
    assert client.post(f"{BASE}/logic-models/", {"title": "Mine"}).status_code == 403
    assert (
        client.post(f"{BASE}/logic-model-items/{item.pk}/move/", {"offset": 1}).status_code == 403
    )
    assert (
        client.delete(f"{BASE}/mechanisms/{mechanism.uuid}/", HTTP_IF_MATCH='"1"').status_code
        == 403
    )
    assert LogicModel.objects.count() == 1
    assert Mechanism.objects.count() == 1


def test_anonymous_callers_are_refused(logic_model):
    assert APIClient().get(f"{BASE}/logic-models/").status_code in (401, 403)


def test_administrators_read_logic_models(administrator, logic_model):
    response = _client(administrator).get(f"{BASE}/logic-models/")
    assert response.status_code == 200
    assert [row["title"] for row in response.json()["results"]] == ["Pilot logic model"]


def test_a_logic_model_is_created_read_with_its_rows_and_renamed_with_its_etag(api):
    created = api.post(f"{BASE}/logic-models/", {"title": "Our model", "description": "2026"})
    assert created.status_code == 201, created.json()
    assert created["ETag"] == '"1"'
    logic_model = LogicModel.objects.get(title="Our model")
    _add(logic_model, OUTPUTS, "Website", "Book chapter")
    _add(logic_model, INPUTS, "Partners")
    services.mechanism_create(logic_model=logic_model, name="Platform", assumption="It helps.")

    body = api.get(f"{BASE}/logic-models/{logic_model.uuid}/").json()
    assert [(item["component"], item["text"]) for item in body["items"]] == [
        (INPUTS, "Partners"),
        (OUTPUTS, "Website"),
        (OUTPUTS, "Book chapter"),
    ]
    assert [mechanism["name"] for mechanism in body["mechanisms"]] == ["Platform"]

    url = f"{BASE}/logic-models/{logic_model.uuid}/"
    renamed = api.patch(url, {"title": "Our logic model"}, HTTP_IF_MATCH='"1"')
    assert renamed.status_code == 200, renamed.json()
    assert (renamed.json()["title"], renamed["ETag"]) == ("Our logic model", '"2"')
    stale = api.patch(url, {"title": "Theirs"}, HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412
    assert stale.json()["current"]["title"] == "Our logic model"
    assert api.patch(url, {"title": "No tag"}).status_code == 428


def test_the_list_counts_items_and_mechanisms(api, logic_model):
    _add(logic_model, INPUTS, "Partners", "Students")
    MechanismFactory(logic_model=logic_model)
    (row,) = api.get(f"{BASE}/logic-models/").json()["results"]
    assert (row["item_count"], row["mechanism_count"]) == (2, 1)


def test_a_taken_title_is_refused_with_the_title(api, logic_model):
    response = api.post(f"{BASE}/logic-models/", {"title": "Pilot logic model"})
    assert response.status_code == 400
    assert response.json()["title"] == [
        "There is already a logic model called “Pilot logic model”; choose another title."
    ]


def test_a_logic_model_is_deleted_unless_excerpts_cite_its_mechanisms(api, logic_model):
    mechanism = MechanismFactory(logic_model=logic_model)
    link = ExcerptMechanism.objects.create(
        excerpt=ExcerptFactory(), mechanism=mechanism, stance=Stance.MIXED
    )
    url = f"{BASE}/logic-models/{logic_model.uuid}/"
    refused = api.delete(url, HTTP_IF_MATCH='"1"')
    assert refused.status_code == 409
    assert "1 excerpt links" in refused.json()["detail"]
    link.delete()
    assert api.delete(url, HTTP_IF_MATCH='"1"').status_code == 204
    assert not LogicModel.objects.exists()


def test_items_are_added_filtered_changed_moved_and_deleted(api, logic_model):
    other = LogicModelFactory()
    _add(other, INPUTS, "Elsewhere")
    for text in ("Partners", "Students"):
        response = api.post(
            f"{BASE}/logic-model-items/",
            {"logic_model": str(logic_model.uuid), "component": INPUTS, "text": text},
        )
        assert response.status_code == 201, response.json()
    listed = api.get(
        f"{BASE}/logic-model-items/", {"logic_model": str(logic_model.uuid), "component": INPUTS}
    ).json()["results"]
    assert [(row["text"], row["position"]) for row in listed] == [("Partners", 0), ("Students", 1)]

    students = listed[1]["id"]
    moved = api.post(f"{BASE}/logic-model-items/{students}/move/", {"offset": -1})
    assert [row["text"] for row in moved.json()] == ["Students", "Partners"]

    changed = api.patch(
        f"{BASE}/logic-model-items/{students}/", {"text": "Pilot students", "component": OUTPUTS}
    )
    assert changed.status_code == 200, changed.json()
    assert (changed.json()["component"], changed.json()["position"]) == (OUTPUTS, 0)
    assert api.delete(f"{BASE}/logic-model-items/{students}/").status_code == 204
    assert list(logic_model.items.values_list("text", "position")) == [("Partners", 0)]


def test_an_item_of_an_unknown_model_or_column_is_refused(api, logic_model):
    unknown = api.post(
        f"{BASE}/logic-model-items/",
        {"logic_model": "0b0e5d4e-0000-4000-8000-000000000000", "component": INPUTS, "text": "x"},
    )
    assert unknown.status_code == 400
    assert "There is no logic model with the identifier" in unknown.json()["logic_model"][0]
    wishes = api.post(
        f"{BASE}/logic-model-items/",
        {"logic_model": str(logic_model.uuid), "component": "wishes", "text": "x"},
    )
    assert wishes.status_code == 400
    assert "component" in wishes.json()


def test_mechanisms_are_created_changed_with_their_etag_moved_and_deleted(api, logic_model):
    for name in ("Implementation", "International"):
        created = api.post(
            f"{BASE}/mechanisms/",
            {"logic_model": str(logic_model.uuid), "name": name, "assumption": f"{name} helps."},
        )
        assert created.status_code == 201, created.json()
    international = logic_model.mechanisms.get(name="International")
    url = f"{BASE}/mechanisms/{international.uuid}/"
    changed = api.patch(url, {"reflection": "It held."}, HTTP_IF_MATCH='"1"')
    assert (changed.status_code, changed["ETag"]) == (200, '"2"')
    stale = api.patch(url, {"reflection": "Mine."}, HTTP_IF_MATCH='"1"')
    assert (stale.status_code, stale.json()["current"]["reflection"]) == (412, "It held.")
    moved = api.post(f"{url}move/", {"offset": -1})
    assert [row["name"] for row in moved.json()] == ["International", "Implementation"]
    assert api.delete(url, HTTP_IF_MATCH='"2"').status_code == 204
    assert list(logic_model.mechanisms.values_list("name", "position")) == [("Implementation", 0)]


def test_a_taken_mechanism_name_is_refused_with_the_name(api, logic_model):
    MechanismFactory(logic_model=logic_model, name="International")
    response = api.post(
        f"{BASE}/mechanisms/",
        {"logic_model": str(logic_model.uuid), "name": "International", "assumption": "Again."},
    )
    assert response.status_code == 400
    assert "already has a mechanism called “International”" in response.json()["name"][0]


def test_an_unknown_mechanism_is_a_named_404(api):
    response = api.get(f"{BASE}/mechanisms/0b0e5d4e-0000-4000-8000-000000000000/")
    assert response.status_code == 404
    assert "No mechanism has the identifier" in response.json()["detail"]
