"""Coverage and gaps as JSON, on a small hand-made curriculum whose answers are known."""

import pytest
from rest_framework import serializers
from rest_framework.test import APIClient

from courses.api.coverage import CoverageSerializer, GapsSerializer
from tests.factories import (
    CapabilityFactory,
    CourseFactory,
    DomainFactory,
    FrameworkFactory,
    LearningOutcomeFactory,
    OutcomeMappingFactory,
    ProgrammeFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(plain_user):
    client = APIClient()
    client.force_authenticate(plain_user)
    return client


@pytest.fixture
def curriculum():
    """An MSc of two semesters on a framework of K1 to K3 and S1.

    Semester 1 (IMP1) introduces K1 and K3. Semester 2 (IMP2) masters K1 and S1, and has an
    outcome mapped to nothing. K2 is mapped by no one; S1 is mastered with no course preparing it.
    """
    framework = FrameworkFactory(title="EISEN", version_label="1.0")
    knowledge = DomainFactory(framework=framework, code="K", name="Knowledge", position=0)
    skills = DomainFactory(framework=framework, code="S", name="Skills", position=1)
    k1, k2, k3 = (CapabilityFactory(domain=knowledge, code=f"K{n}", position=n) for n in (1, 2, 3))
    s1 = CapabilityFactory(domain=skills, code="S1", position=1)
    programme = ProgrammeFactory(name="MSc Implementation")
    first, second = (
        CourseFactory(
            code=f"IMP{semester}",
            semester=semester,
            framework=framework,
            programme=programme,
            institution=programme.institution,
        )
        for semester in (1, 2)
    )
    intro = LearningOutcomeFactory(course=first, code="LO1", position=0)
    OutcomeMappingFactory(outcome=intro, capability=k1, emphasis="I")
    OutcomeMappingFactory(outcome=intro, capability=k3, emphasis="I")
    mastery = LearningOutcomeFactory(course=second, code="LO1", position=0)
    OutcomeMappingFactory(outcome=mastery, capability=k1, emphasis="M")
    OutcomeMappingFactory(outcome=mastery, capability=s1, emphasis="M")
    lonely = LearningOutcomeFactory(course=second, code="LO2", position=1, text="Reflect.")
    elsewhere = CourseFactory(code="OTHER", framework=framework)
    OutcomeMappingFactory(outcome__course=elsewhere, capability=k2, emphasis="R")
    return {
        "framework": framework,
        "programme": programme,
        "courses": (first, second, elsewhere),
        "capabilities": (k1, k2, k3, s1),
        "lonely": lonely,
    }


def _codes(items) -> list[str]:
    return [item["code"] for item in items]


def test_programme_coverage_gives_the_heatmap_and_domain_totals(api, curriculum):
    response = api.get("/api/v1/coverage/", {"programme": curriculum["programme"].pk})
    assert response.status_code == 200, response.json()
    body = response.json()
    first, second, _elsewhere = curriculum["courses"]
    assert body["framework"] == {
        "uuid": str(curriculum["framework"].uuid),
        "title": "EISEN",
        "version": "1.0",
    }
    assert [course["uuid"] for course in body["courses"]] == [str(first.uuid), str(second.uuid)]
    assert [
        (domain["code"], domain["capabilities"], domain["covered"], domain["course_totals"])
        for domain in body["domains"]
    ] == [("K", 3, 2, [2, 1]), ("S", 1, 1, [0, 1])]
    rows = {row["code"]: row for row in body["capabilities"]}
    assert list(rows) == ["K1", "K2", "K3", "S1"]
    assert rows["K1"]["highest"] == "M"
    assert rows["K1"]["cells"] == [
        {"course": 0, "emphasis": "I", "outcomes": [{"code": "LO1", "emphasis": "I"}]},
        {"course": 1, "emphasis": "M", "outcomes": [{"code": "LO1", "emphasis": "M"}]},
    ]
    assert (rows["K2"]["highest"], rows["K2"]["cells"]) == ("", [])


def test_gaps_list_both_ways_and_the_progression_problem(api, curriculum):
    response = api.get("/api/v1/coverage/gaps/", {"programme": curriculum["programme"].pk})
    assert response.status_code == 200
    gaps = response.json()
    assert _codes(gaps["unmapped_capabilities"]) == ["K2"]
    assert _codes(gaps["introduced_only"]) == ["K3"]
    assert [(item["course_code"], item["code"]) for item in gaps["unmapped_outcomes"]] == [
        ("IMP2", "LO2")
    ]
    (problem,) = gaps["progression"]
    assert (problem["capability"]["code"], problem["course_code"], problem["outcomes"]) == (
        "S1",
        "IMP2",
        ["LO1"],
    )
    assert problem["message"] == (
        "S1 is Mastered in IMP2 (semester 2) but no earlier course of the programme Introduces "
        "or Reinforces it."
    )


def test_chosen_courses_are_repeated_parameters(api, curriculum):
    first, _second, elsewhere = curriculum["courses"]
    response = api.get(f"/api/v1/coverage/?course={first.uuid}&course={elsewhere.uuid}")
    body = response.json()
    assert _codes(body["courses"]) == ["IMP1", "OTHER"]
    assert _codes(body["gaps"]["unmapped_capabilities"]) == ["S1"]
    assert _codes(body["gaps"]["introduced_only"]) == ["K1", "K3"]


def test_a_mapping_added_through_the_api_closes_the_gap(api, designer, curriculum):
    _first, second, _elsewhere = curriculum["courses"]
    _k1, k2, _k3, _s1 = curriculum["capabilities"]
    writer = APIClient()
    writer.force_authenticate(designer)
    params = {"course": str(second.uuid)}
    before = api.get("/api/v1/coverage/gaps/", params).json()
    assert "K2" in _codes(before["unmapped_capabilities"])
    assert _codes(before["unmapped_outcomes"]) == ["LO2"]
    mapped = writer.post(
        "/api/v1/mappings/",
        {"outcome": str(curriculum["lonely"].uuid), "capability": str(k2.uuid), "emphasis": "R"},
    )
    assert mapped.status_code == 201
    after = api.get("/api/v1/coverage/gaps/", params).json()
    assert "K2" not in _codes(after["unmapped_capabilities"])
    assert after["unmapped_outcomes"] == []


def test_no_courses_gives_an_empty_coverage(api):
    body = api.get("/api/v1/coverage/").json()
    assert (body["framework"], body["courses"], body["capabilities"]) == (None, [], [])


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"programme": 999}, "programme"),
        ({"institution": "Karolinska"}, "institution"),
        ({"eqf_level": 6}, "eqf_level"),
        ({"academic_year": 1999}, "academic_year"),
        ({"course": "not-a-uuid"}, "course"),
        ({"course": "8d5b1c3e-0a60-4f8b-9e0b-2b2b9a1d7f11"}, "course"),
        ({"framework": "8d5b1c3e-0a60-4f8b-9e0b-2b2b9a1d7f11"}, "framework"),
    ],
)
def test_a_bad_parameter_is_refused_naming_it(api, params, field):
    for url in ("/api/v1/coverage/", "/api/v1/coverage/gaps/"):
        response = api.get(url, params)
        assert response.status_code == 400
        assert list(response.json()) == [field]
        assert response.json()[field][0]


def test_coverage_of_a_draft_framework_is_refused(api, curriculum):
    draft = FrameworkFactory(draft=True)
    response = api.get("/api/v1/coverage/", {"framework": str(draft.uuid)})
    assert response.json() == {"framework": ["No published framework version has this identifier."]}


def _assert_documented(data, documented: serializers.Serializer, where="coverage"):
    """Every key the API sends is documented in the schema's serializer, and the other way."""
    assert set(data) == set(documented.fields), where
    for name, field in documented.fields.items():
        value = data[name]
        if isinstance(field, serializers.ListSerializer):
            for item in value:
                _assert_documented(item, field.child, f"{where}.{name}[]")
        elif isinstance(field, serializers.Serializer) and value is not None:
            _assert_documented(value, field, f"{where}.{name}")


def test_responses_have_exactly_the_documented_fields(api, curriculum):
    params = {"programme": curriculum["programme"].pk}
    _assert_documented(api.get("/api/v1/coverage/", params).json(), CoverageSerializer())
    _assert_documented(api.get("/api/v1/coverage/gaps/", params).json(), GapsSerializer())


@pytest.mark.parametrize("course_count", [2, 12])
def test_coverage_costs_the_same_queries_at_any_size(
    api, django_assert_max_num_queries, course_count
):
    framework = FrameworkFactory()
    capabilities = [CapabilityFactory(domain__framework=framework) for _ in range(course_count)]
    programme = ProgrammeFactory()
    courses = []
    for semester in range(1, course_count + 1):
        course = CourseFactory(
            framework=framework,
            programme=programme,
            institution=programme.institution,
            semester=semester,
        )
        courses.append(course)
        for capability in capabilities[: semester + 1]:
            OutcomeMappingFactory(outcome__course=course, capability=capability, emphasis="R")
    params = {
        "programme": programme.pk,
        "institution": programme.institution.pk,
        "eqf_level": 7,
        "academic_year": 2026,
        "course": [str(course.uuid) for course in courses],
        "framework": str(framework.uuid),
    }
    # Four to read the parameters, four to build the coverage.
    with django_assert_max_num_queries(8):
        body = api.get("/api/v1/coverage/", params).json()
    assert len(body["courses"]) == course_count
    with django_assert_max_num_queries(8):
        gaps = api.get("/api/v1/coverage/gaps/", params).json()
    assert gaps["unmapped_capabilities"] == []
