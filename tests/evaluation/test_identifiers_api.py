"""Every evaluation endpoint names an object as the courses API does: an object with a uuid is
identified by `id`, its uuid, and has no `uuid` key; an object without one keeps its numeric id."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from evaluation.models import ExcerptMechanism, FormativeAction, Phase, Stance, Verdict
from evaluation.services.actions import mechanism_assess
from tests.evaluation.factories import (
    CodeFactory,
    CodingFactory,
    ConsentFactory,
    ExcerptFactory,
    LogicModelItemFactory,
    MechanismFactory,
    ParticipantFactory,
    TranscriptFactory,
)

pytestmark = pytest.mark.django_db
BASE = "/api/v1/evaluation"


@pytest.fixture
def api(evaluator):
    client = APIClient()
    client.force_authenticate(evaluator)
    return client


@pytest.fixture
def coded(evaluator):
    """An excerpt by a participant, coded, linked to a mechanism, cited in an assessment."""
    mechanism = MechanismFactory()
    participant = ParticipantFactory(pseudonym="S01")
    transcript = TranscriptFactory(
        focus_group__course=participant.course, turns=[(participant, "We met every week.")]
    )
    participant.focus_groups.add(transcript.focus_group)
    excerpt = ExcerptFactory(transcript=transcript, coder=evaluator)
    coding = CodingFactory(excerpt=excerpt, code=CodeFactory(name="Peers"))
    ExcerptMechanism.objects.create(excerpt=excerpt, mechanism=mechanism, stance=Stance.SUPPORTS)
    assessment = mechanism_assess(
        mechanism=mechanism,
        phase=Phase.FORMATIVE,
        verdict=Verdict.HELD,
        reflection="",
        evidence=[excerpt],
        assessed_by=evaluator,
        expected_revision=None,
    )
    action = FormativeAction.objects.create(
        course=participant.course, mechanism=mechanism, finding="Peers help.", created_by=evaluator
    )
    return {
        "logic-models": mechanism.logic_model,
        "mechanisms": mechanism,
        "focus-groups": transcript.focus_group,
        "participants": participant,
        "transcripts": transcript,
        "codes": coding.code,
        "excerpts": excerpt,
        "logic-model-items": LogicModelItemFactory(logic_model=mechanism.logic_model),
        "mechanism-assessments": assessment,
        "formative-actions": action,
        "consents": ConsentFactory(participant=participant),
    }


@pytest.mark.parametrize(
    "prefix",
    [
        "logic-models",
        "mechanisms",
        "focus-groups",
        "participants",
        "transcripts",
        "codes",
        "excerpts",
    ],
)
def test_an_object_with_a_uuid_is_identified_by_id(api, coded, prefix):
    uuid = coded[prefix].uuid

    read = api.get(f"{BASE}/{prefix}/{uuid}/")
    listed = api.get(f"{BASE}/{prefix}/").json()["results"]

    assert read.status_code == 200
    assert (read.json()["id"], "uuid" in read.json()) == (str(uuid), False)
    assert str(uuid) in [row["id"] for row in listed]
    assert not any("uuid" in row for row in listed)


@pytest.mark.parametrize(
    "prefix", ["logic-model-items", "mechanism-assessments", "formative-actions", "consents"]
)
def test_an_object_without_a_uuid_keeps_its_numeric_id(api, coded, prefix):
    pk = coded[prefix].pk

    read = api.get(f"{BASE}/{prefix}/{pk}/")

    assert read.status_code == 200
    assert (read.json()["id"], "uuid" in read.json()) == (pk, False)


def test_objects_nested_in_answers_are_identified_by_id(api, coded):
    excerpt, mechanism = coded["excerpts"], coded["mechanisms"]

    model = api.get(f"{BASE}/logic-models/{mechanism.logic_model.uuid}/").json()
    codes = api.get(f"{BASE}/excerpts/{excerpt.uuid}/").json()["codes"]
    report = api.get(
        f"{BASE}/reports/mechanisms/", {"logic_model": mechanism.logic_model.uuid}
    ).json()

    assert [row["id"] for row in model["mechanisms"]] == [str(mechanism.uuid)]
    assert codes == [{"id": str(coded["codes"].uuid), "path": "Peers"}]
    assert report["logic_model"]["id"] == str(mechanism.logic_model.uuid)
    assert [row["id"] for row in report["mechanisms"]] == [str(mechanism.uuid)]


def _components_answered(schema: dict) -> dict:
    """The schema components that evaluation endpoints answer with, nested ones included."""
    components = schema["components"]["schemas"]
    found, pending = {}, []
    for path, operations in schema["paths"].items():
        if path.startswith(f"{BASE}/"):
            pending += [
                content["schema"]
                for operation in operations.values()
                for answer in operation.get("responses", {}).values()
                for content in answer.get("content", {}).values()
            ]
    while pending:
        node = pending.pop()
        if isinstance(node, list):
            pending += node
        elif isinstance(node, dict):
            reference = node.get("$ref", "").removeprefix("#/components/schemas/")
            if reference and reference not in found:
                found[reference] = components[reference]
                pending.append(components[reference])
            pending += [value for key, value in node.items() if key != "$ref"]
    return found


def test_no_evaluation_answer_carries_a_uuid_key():
    schema = SchemaGenerator().get_schema(request=None, public=True)

    answered = _components_answered(schema)

    assert {"LogicModelDetail", "Excerpt", "Code", "TranscriptAgreement"} <= answered.keys()
    with_uuid = [
        name for name, component in answered.items() if "uuid" in component.get("properties", {})
    ]
    assert with_uuid == []
