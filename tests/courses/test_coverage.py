"""Coverage on a small hand-made curriculum whose answers are worked out by hand.

Framework "coverage-test": version 1.0 has K1 (with K1.1 under it), K2, K3, S1, S2; version 2.0
keeps them all but K3 and adds S3. Programme P:
  MSC101, semester 1, on 2.0: LO1 → K1 I, S1 M; LO2 → K1 R; LO3 maps to nothing
  MSC150, semester 1, on 1.0: LO1 → K2 R, K3 M (K3 is not in 2.0), S2 I
  MSC201, semester 2, on 2.0: LO1 → K1 M, S2 M; LO2 → K1.1 I
  OTH100 maps to another framework altogether.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from courses.coverage import coverage, coverage_as_data, gaps_as_data, progression_message
from courses.coverage_selection import CoverageSelectionForm
from courses.models import Emphasis
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

# Emphases are written as the letters they are stored as: "I", "R" and "M".


def _version(label, published_at, codes, lineages=None, parents=None):
    framework = FrameworkFactory(
        slug="coverage-test", title="Coverage test", version_label=label, published_at=published_at
    )
    domains = {
        "K": DomainFactory(framework=framework, code="K", name="Knowledge", position=0),
        "S": DomainFactory(framework=framework, code="S", name="Skills", position=1),
    }
    capabilities = {}
    for position, code in enumerate(codes):
        capabilities[code] = CapabilityFactory(
            domain=domains[code[0]],
            code=code,
            title=f"Capability {code}",
            position=position,
            parent=capabilities.get((parents or {}).get(code)),
            **({"lineage": lineages[code].lineage} if lineages and code in lineages else {}),
        )
    return framework, capabilities


def _outcome(course, code, position, maps=()):
    outcome = LearningOutcomeFactory(
        course=course, code=code, position=position, text=f"{course.code} outcome {code}"
    )
    for capability, emphasis in maps:
        OutcomeMappingFactory(outcome=outcome, capability=capability, emphasis=emphasis)
    return outcome


def hand_made_curriculum() -> dict:
    """The curriculum of the module docstring (also read by the page and download tests)."""
    now = timezone.now()
    parents = {"K1.1": "K1"}
    v1, old = _version(
        "1.0", now - timedelta(days=30), ["K1", "K1.1", "K2", "K3", "S1", "S2"], parents=parents
    )
    v2, new = _version(
        "2.0", now, ["K1", "K1.1", "K2", "S1", "S2", "S3"], lineages=old, parents=parents
    )
    programme = ProgrammeFactory(name="MSc Implementation Science")
    institution = programme.institution

    def course(code, semester, framework):
        return CourseFactory(
            code=code,
            semester=semester,
            framework=framework,
            programme=programme,
            institution=institution,
        )

    msc101, msc150, msc201 = (
        course("MSC101", 1, v2),
        course("MSC150", 1, v1),
        course("MSC201", 2, v2),
    )
    _outcome(msc101, "LO1", 1, [(new["K1"], "I"), (new["S1"], "M")])
    _outcome(msc101, "LO2", 2, [(new["K1"], "R")])
    _outcome(msc101, "LO3", 3)
    _outcome(msc150, "LO1", 1, [(old["K2"], "R"), (old["K3"], "M"), (old["S2"], "I")])
    _outcome(msc201, "LO1", 1, [(new["K1"], "M"), (new["S2"], "M")])
    _outcome(msc201, "LO2", 2, [(new["K1.1"], "I")])
    other = CourseFactory(code="OTH100", institution=institution, programme=programme)
    _outcome(other, "LO1", 1, [(CapabilityFactory(domain__framework=other.framework), "M")])
    return {
        "v1": v1,
        "v2": v2,
        "programme": programme,
        "courses": [msc101, msc150, msc201],
        "other": other,
        "capabilities": new,
    }


def grow_curriculum(curriculum: dict, *, courses: int, outcomes_per_course: int) -> None:
    """More courses in the curriculum's programme, each outcome mapped to two capabilities of
    2.0, and one more capability per course: for query counts at a larger size."""
    programme = curriculum["programme"]
    capabilities = list(curriculum["capabilities"].values())
    for number in range(courses):
        course = CourseFactory(
            framework=curriculum["v2"],
            programme=programme,
            institution=programme.institution,
            semester=1 + number % 4,
        )
        for position in range(1, outcomes_per_course + 1):
            outcome = LearningOutcomeFactory(course=course, position=position)
            for offset in range(2):
                OutcomeMappingFactory(
                    outcome=outcome,
                    capability=capabilities[(number + position + offset) % len(capabilities)],
                    emphasis=Emphasis.values[(number + offset) % 3],
                )
        CapabilityFactory(domain=capabilities[0].domain)


@pytest.fixture
def curriculum():
    return hand_made_curriculum()


def _programme_coverage(curriculum, framework=None):
    form = CoverageSelectionForm(
        {
            "programme": curriculum["programme"].pk,
            **({"framework": framework.uuid} if framework else {}),
        }
    )
    assert form.is_valid(), form.errors
    return form.coverage()


def _cells(result):
    """{capability code: {course code: (emphasis, [outcome codes])}}"""
    return {
        row.capability.code: {
            result.courses[index].code: (cell.emphasis, [o.code for o in cell.outcomes])
            for index, cell in row.cells.items()
        }
        for row in result.rows
    }


def test_cells_hold_the_highest_emphasis_and_the_outcomes_behind_it(curriculum):
    result = _programme_coverage(curriculum)

    assert result.framework == curriculum["v2"]
    assert [course.code for course in result.courses] == ["MSC101", "MSC150", "MSC201"]
    assert _cells(result) == {
        "K1": {"MSC101": ("R", ["LO1", "LO2"]), "MSC201": ("M", ["LO1"])},
        "K1.1": {"MSC201": ("I", ["LO2"])},
        "K2": {"MSC150": ("R", ["LO1"])},
        "S1": {"MSC101": ("M", ["LO1"])},
        "S2": {"MSC150": ("I", ["LO1"]), "MSC201": ("M", ["LO1"])},
        "S3": {},
    }
    assert [(row.capability.code, row.depth, row.highest) for row in result.rows] == [
        ("K1", 0, "M"),
        ("K1.1", 1, "I"),
        ("K2", 0, "R"),
        ("S1", 0, "M"),
        ("S2", 0, "M"),
        ("S3", 0, ""),
    ]


def test_domain_totals_count_capabilities_per_course_and_covered_of_total(curriculum):
    result = _programme_coverage(curriculum)

    assert [
        (block.code, block.covered, len(block.rows), block.course_totals)
        for block in result.domains
    ] == [("K", 3, 3, [1, 1, 2]), ("S", 2, 3, [1, 1, 1])]


def test_gap_lists(curriculum):
    result = _programme_coverage(curriculum)

    assert [capability.code for capability in result.unmapped_capabilities] == ["S3"]
    assert [capability.code for capability in result.introduced_only] == ["K1.1"]
    assert [(o["course__code"], o["code"]) for o in result.unmapped_outcomes] == [("MSC101", "LO3")]
    gaps = gaps_as_data(result)
    assert gaps["unmapped_capabilities"][0]["code"] == "S3"
    assert gaps["unmapped_outcomes"][0]["course_code"] == "MSC101"


def test_progression_flags_mastery_without_earlier_preparation(curriculum):
    result = _programme_coverage(curriculum)

    assert [(p.capability.code, p.course.code, [o.code for o in p.outcomes]) for p in
            result.progression] == [("S1", "MSC101", ["LO1"])]  # fmt: skip
    assert progression_message(result.progression[0]) == (
        "S1 is Mastered in MSC101 (semester 1) but no earlier course of the programme "
        "Introduces or Reinforces it."
    )


def test_courses_on_an_older_version_are_matched_by_lineage(curriculum):
    result = _programme_coverage(curriculum)

    assert [course.code for course in result.other_version_courses] == ["MSC150"]
    # K2 and S2 of 1.0 land on the 2.0 rows; K3 is not in 2.0, so its mapping is counted aside.
    assert _cells(result)["K2"] == {"MSC150": ("R", ["LO1"])}
    assert result.mappings_outside_version == 1


def test_courses_of_another_framework_are_left_out(curriculum):
    result = _programme_coverage(curriculum)

    assert [course.code for course in result.other_framework_courses] == ["OTH100"]
    assert "OTH100" not in {course["code"] for course in coverage_as_data(result)["courses"]}


def test_an_older_version_can_be_chosen(curriculum):
    result = _programme_coverage(curriculum, framework=curriculum["v1"])

    assert [row.capability.code for row in result.rows] == ["K1", "K1.1", "K2", "K3", "S1", "S2"]
    assert _cells(result)["K3"] == {"MSC150": ("M", ["LO1"])}
    assert result.mappings_outside_version == 0
    assert [course.code for course in result.other_version_courses] == ["MSC101", "MSC201"]


def test_coverage_as_data_lists_only_mapped_cells_by_course_column(curriculum):
    data = coverage_as_data(_programme_coverage(curriculum))

    k1 = next(item for item in data["capabilities"] if item["code"] == "K1")
    assert k1["highest"] == "M"
    assert k1["cells"] == [
        {
            "course": 0,
            "emphasis": "R",
            "outcomes": [{"code": "LO1", "emphasis": "I"}, {"code": "LO2", "emphasis": "R"}],
        },
        {"course": 2, "emphasis": "M", "outcomes": [{"code": "LO1", "emphasis": "M"}]},
    ]
    assert data["domains"][0] == {
        "code": "K",
        "name": "Knowledge",
        "capabilities": 3,
        "covered": 3,
        "course_totals": [1, 1, 2],
    }
    assert data["mappings_outside_version"] == 1
    assert data["framework"]["version"] == "2.0"


def test_progression_is_checked_within_each_programme_only():
    framework = FrameworkFactory()
    capability = CapabilityFactory(domain__framework=framework, code="K1")
    msc, other_msc = ProgrammeFactory(), ProgrammeFactory()
    early = CourseFactory(framework=framework, programme=msc, institution=msc.institution)
    late = CourseFactory(
        framework=framework, programme=other_msc, institution=other_msc.institution, semester=2
    )
    other_early = CourseFactory(
        framework=framework, programme=other_msc, institution=other_msc.institution
    )
    standalone = CourseFactory(framework=framework, semester=3)
    _outcome(early, "LO1", 1, [(capability, "I")])
    _outcome(late, "LO1", 1, [(capability, "M")])
    _outcome(standalone, "LO1", 1, [(capability, "M")])

    result = coverage([early, other_early, late, standalone])

    # Introduced in another programme does not prepare it; a course outside any programme has
    # no progression to check.
    assert [(p.course.code, p.capability.code) for p in result.progression] == [(late.code, "K1")]


def test_a_programme_selected_in_one_semester_only_has_no_sequence_to_check():
    framework = FrameworkFactory()
    capability = CapabilityFactory(domain__framework=framework, code="K1")
    phd = ProgrammeFactory(phd=True)
    course = CourseFactory(
        framework=framework, programme=phd, institution=phd.institution, eqf_level=8, semester=2
    )
    _outcome(course, "LO1", 1, [(capability, "M")])

    assert coverage([course]).progression == []


def test_preparation_in_the_same_semester_is_not_earlier():
    framework = FrameworkFactory()
    capability = CapabilityFactory(domain__framework=framework)
    programme = ProgrammeFactory()
    first, second = (
        CourseFactory(
            framework=framework, programme=programme, institution=programme.institution, semester=2
        )
        for _ in range(2)
    )
    opening = CourseFactory(
        framework=framework, programme=programme, institution=programme.institution, semester=1
    )
    _outcome(first, "LO1", 1, [(capability, "R")])
    _outcome(second, "LO1", 1, [(capability, "M")])

    assert [p.course for p in coverage([opening, first, second]).progression] == [second]


def test_no_course_gives_an_empty_coverage():
    result = coverage([])

    assert result.framework is None
    assert result.rows == []
    assert coverage_as_data(result)["framework"] is None
