"""Mappings of outcomes to capabilities through the API: one at a time, and the grid in bulk."""

import pytest
from rest_framework.test import APIClient

from courses.models import OutcomeMapping
from tests.factories import (
    CapabilityFactory,
    CourseFactory,
    FrameworkFactory,
    LearningOutcomeFactory,
    OutcomeMappingFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(designer):
    client = APIClient()
    client.force_authenticate(designer)
    return client


@pytest.fixture
def course():
    return CourseFactory(
        code="IMP700", framework=FrameworkFactory(title="EISEN", version_label="1.0")
    )


@pytest.fixture
def outcome(course):
    return LearningOutcomeFactory(course=course, code="LO1")


@pytest.fixture
def capability(course):
    return CapabilityFactory(domain__framework=course.framework, code="K1", title="Local knowledge")


def _mapping_body(outcome, capability, **changes) -> dict:
    return {
        "outcome": str(outcome.uuid),
        "capability": str(capability.uuid),
        "emphasis": "I",
        **changes,
    }


def test_lead_maps_an_outcome_changes_and_removes_the_mapping(api, outcome, capability):
    created = api.post("/api/v1/mappings/", _mapping_body(outcome, capability, note="Week 2"))
    assert created.status_code == 201, created.json()
    body = created.json()
    assert {key: value for key, value in body.items() if key not in ("id", "url")} == {
        "course": str(outcome.course.uuid),
        "outcome": str(outcome.uuid),
        "outcome_code": "LO1",
        "capability": str(capability.uuid),
        "capability_code": "K1",
        "capability_title": "Local knowledge",
        "domain": capability.domain.name,
        "emphasis": "I",
        "note": "Week 2",
    }
    url = f"/api/v1/mappings/{body['id']}/"
    changed = api.patch(url, {"emphasis": "M", "note": ""})
    assert (changed.json()["emphasis"], changed.json()["note"]) == ("M", "")
    assert api.delete(url).status_code == 204
    assert not OutcomeMapping.objects.exists()


def test_mapping_to_another_framework_names_the_framework_the_course_uses(api, outcome):
    elsewhere = CapabilityFactory(code="X1", domain__framework__title="Other framework")
    response = api.post("/api/v1/mappings/", _mapping_body(outcome, elsewhere))
    assert response.status_code == 400
    assert response.json() == {
        "capability": [f"X1 belongs to “{elsewhere.framework}”; IMP700 maps to “EISEN 1.0” only."]
    }
    assert not OutcomeMapping.objects.exists()


def test_duplicate_mapping_is_refused(api, outcome, capability):
    OutcomeMappingFactory(outcome=outcome, capability=capability, emphasis="R")
    response = api.post("/api/v1/mappings/", _mapping_body(outcome, capability, emphasis="M"))
    assert response.status_code == 400
    assert response.json() == {
        "capability": ["LO1 already maps to K1; change that mapping's emphasis instead."]
    }
    assert list(OutcomeMapping.objects.values_list("emphasis", flat=True)) == ["R"]


@pytest.mark.parametrize("emphasis", ["X", "Mastered", "i", ""])
def test_emphasis_outside_i_r_m_is_refused(api, outcome, capability, emphasis):
    response = api.post("/api/v1/mappings/", _mapping_body(outcome, capability, emphasis=emphasis))
    assert response.status_code == 400
    assert list(response.json()) == ["emphasis"]
    assert not OutcomeMapping.objects.exists()


def test_emphasis_message_names_the_value_on_create_and_change(api, outcome, capability):
    expected = {
        "emphasis": ["“Q” is not an emphasis: use I (Introduced), R (Reinforced) or M (Mastered)."]
    }
    created = api.post("/api/v1/mappings/", _mapping_body(outcome, capability, emphasis="Q"))
    assert created.json() == expected
    mapping = OutcomeMappingFactory(outcome=outcome, capability=capability, emphasis="R")
    changed = api.patch(f"/api/v1/mappings/{mapping.pk}/", {"emphasis": "Q"})
    assert (changed.status_code, changed.json()) == (400, expected)
    mapping.refresh_from_db()
    assert mapping.emphasis == "R"


def test_a_mapping_keeps_its_outcome_and_capability(api, outcome, capability):
    mapping = OutcomeMappingFactory(outcome=outcome, capability=capability)
    other = CapabilityFactory(domain=capability.domain)
    response = api.patch(f"/api/v1/mappings/{mapping.pk}/", {"capability": str(other.uuid)})
    assert response.status_code == 400
    assert response.json() == {
        "capability": ["A mapping keeps its outcome and capability; delete it and map again."]
    }
    mapping.refresh_from_db()
    assert mapping.capability == capability


def test_mappings_filter_by_course_outcome_and_capability(api, outcome, capability):
    second = LearningOutcomeFactory(course=outcome.course, code="LO2")
    OutcomeMappingFactory(outcome=outcome, capability=capability)
    OutcomeMappingFactory(outcome=second, capability=capability, emphasis="M")
    OutcomeMappingFactory()

    def cells(**params):
        results = api.get("/api/v1/mappings/", params).json()["results"]
        return [(item["outcome_code"], item["emphasis"]) for item in results]

    assert cells(course=outcome.course.uuid) == [("LO1", "I"), ("LO2", "M")]
    assert cells(outcome=second.uuid) == [("LO2", "M")]
    assert cells(capability=capability.uuid, emphasis="M") == [("LO2", "M")]
    assert len(cells()) == 3


def _bulk(api, course, changes):
    return api.post(
        f"/api/v1/courses/{course.uuid}/mappings/bulk/", {"changes": changes}, format="json"
    )


def test_grid_saves_many_cells_at_once(api, course, outcome, capability):
    second = CapabilityFactory(domain=capability.domain, code="K2")
    third = CapabilityFactory(domain=capability.domain, code="K3")
    OutcomeMappingFactory(outcome=outcome, capability=second, emphasis="I")
    OutcomeMappingFactory(outcome=outcome, capability=third, emphasis="R")
    response = _bulk(
        api,
        course,
        [
            {"outcome": str(outcome.uuid), "capability": str(capability.uuid), "emphasis": "M"},
            {
                "outcome": str(outcome.uuid),
                "capability": str(second.uuid),
                "emphasis": "R",
                "expected": "I",
            },
            {
                "outcome": str(outcome.uuid),
                "capability": str(third.uuid),
                "emphasis": "",
                "expected": "R",
            },
        ],
    )
    assert response.status_code == 200, response.json()
    assert sorted((item["capability_code"], item["emphasis"]) for item in response.json()) == [
        ("K1", "M"),
        ("K2", "R"),
    ]
    assert sorted(OutcomeMapping.objects.values_list("capability__code", "emphasis")) == [
        ("K1", "M"),
        ("K2", "R"),
    ]


def test_grid_lists_each_bad_change_and_saves_nothing(api, course, outcome, capability):
    elsewhere = CapabilityFactory(code="X1")
    response = _bulk(
        api,
        course,
        [
            {"outcome": str(outcome.uuid), "capability": str(capability.uuid), "emphasis": "M"},
            {"outcome": str(outcome.uuid), "capability": str(elsewhere.uuid), "emphasis": "I"},
            {"outcome": str(outcome.uuid), "capability": str(capability.uuid), "emphasis": "Z"},
            {"outcome": "nonsense", "capability": str(capability.uuid), "emphasis": "R"},
        ],
    )
    assert response.status_code == 400
    problems = response.json()["non_field_errors"]
    assert problems[0].startswith("Change 2 (LO1, X1): X1 belongs to")
    assert "IMP700 maps to “EISEN 1.0” only." in problems[0]
    assert problems[1].startswith("Change 3 (LO1, K1): “Z” is not an emphasis")
    assert problems[2] == "Change 3 (LO1, K1): The same cell is changed twice."
    assert problems[3] == "Change 4 (?, K1): IMP700 has no outcome nonsense."
    assert len(problems) == 4
    assert not OutcomeMapping.objects.exists()


def test_grid_refuses_a_cell_someone_else_changed(api, course, outcome, capability):
    second = CapabilityFactory(domain=capability.domain, code="K2")
    OutcomeMappingFactory(outcome=outcome, capability=capability, emphasis="R")
    response = _bulk(
        api,
        course,
        [
            {
                "outcome": str(outcome.uuid),
                "capability": str(second.uuid),
                "emphasis": "I",
                "expected": "",
            },
            {
                "outcome": str(outcome.uuid),
                "capability": str(capability.uuid),
                "emphasis": "M",
                "expected": "I",
            },
        ],
    )
    assert response.status_code == 409
    assert "Change 2 (LO1, K1) is now “Reinforced”, not “Introduced”." in response.json()["detail"]
    assert list(OutcomeMapping.objects.values_list("capability__code", "emphasis")) == [("K1", "R")]


def test_grid_needs_at_least_one_change(api, course):
    response = _bulk(api, course, [])
    assert response.status_code == 400
    assert list(response.json()) == ["changes"]


@pytest.mark.parametrize("mapping_count", [2, 40])
def test_mapping_list_costs_the_same_queries_at_any_size(
    api, course, django_assert_max_num_queries, mapping_count
):
    for _ in range(mapping_count):
        OutcomeMappingFactory(outcome__course=course)
    # The page of mappings with outcome, course, capability and domain, and their count.
    with django_assert_max_num_queries(2):
        response = api.get("/api/v1/mappings/", {"course": str(course.uuid)})
    assert response.json()["count"] == mapping_count
