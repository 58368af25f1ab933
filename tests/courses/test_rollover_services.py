"""A course's next academic year, and its move to a newer version of its framework."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from competencies.models import Capability
from competencies.services.editing import capability_delete, capability_update
from competencies.services.versions import (
    framework_archive,
    framework_new_version,
    framework_publish,
)
from courses.models import Course, LearningOutcome, OutcomeMapping, RemapReport
from courses.services.mapping import outcome_map
from courses.services.outcomes import outcome_create
from courses.services.rollover import (
    course_remap,
    course_rollover,
    remap_report_resolve,
    remap_targets,
)
from eisen.errors import Conflict, StaleEdit
from tests.factories import (
    CapabilityFactory,
    CourseFactory,
    DomainFactory,
    FrameworkFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def framework():
    framework = FrameworkFactory(slug="eisen", title="EISEN", version_label="1.0")
    knowledge = DomainFactory(framework=framework, code="K", name="Knowledge", position=0)
    skills = DomainFactory(framework=framework, code="S", name="Skills", position=1)
    for position, code in enumerate(("K1", "K2", "K3")):
        CapabilityFactory(domain=knowledge, code=code, title=f"Knowing {code}", position=position)
    CapabilityFactory(domain=skills, code="S1", title="Working together", position=0)
    return framework


@pytest.fixture
def course(framework):
    lead = UserFactory(username="lead")
    course = CourseFactory(code="IMP701", academic_year=2026, framework=framework, leads=[lead])
    first = outcome_create(course=course, text="Explain implementation frameworks.")
    second = outcome_create(
        course=course, text="Design an implementation plan.", bloom_level="evaluate"
    )
    capability = {item.code: item for item in framework.capabilities.all()}
    outcome_map(outcome=first, capability=capability["K1"], emphasis="I", note="Lecture 1.")
    outcome_map(outcome=first, capability=capability["K2"], emphasis="R")
    outcome_map(outcome=second, capability=capability["K2"], emphasis="M", note="Capstone plan.")
    outcome_map(outcome=second, capability=capability["S1"], emphasis="R")
    return course


def _mappings(course) -> list[tuple]:
    return list(
        OutcomeMapping.objects.filter(outcome__course=course)
        .order_by("outcome__position", "capability__code")
        .values_list("outcome__code", "capability__code", "emphasis", "note")
    )


def _outcomes(course) -> list[tuple]:
    return list(
        course.outcomes.order_by("position").values_list(
            "code", "text", "position", "bloom_level", "bloom_level_chosen"
        )
    )


# Rollover


def test_rollover_copies_the_course_with_its_outcomes_mappings_and_leads(course):
    copy = course_rollover(course=course, academic_year=2027)
    assert (copy.code, copy.academic_year_label, copy.rolled_over_from) == (
        "IMP701",
        "2027/28",
        course,
    )
    assert (copy.title, copy.institution, copy.framework, copy.ects) == (
        course.title,
        course.institution,
        course.framework,
        course.ects,
    )
    assert list(copy.leads.values_list("username", flat=True)) == ["lead"]
    assert _outcomes(copy) == _outcomes(course)
    assert _mappings(copy) == _mappings(course)
    assert not set(copy.outcomes.values_list("pk", flat=True)) & set(
        course.outcomes.values_list("pk", flat=True)
    )


def test_rolled_over_course_is_independent_of_the_original(course):
    copy = course_rollover(course=course, academic_year=2027)
    OutcomeMapping.objects.filter(outcome__course=copy).delete()
    copy.outcomes.filter(code="LO1").update(text="Reworded for next year.")
    assert len(_mappings(course)) == 4
    assert course.outcomes.get(code="LO1").text == "Explain implementation frameworks."


def test_rollover_to_a_year_that_already_has_the_course_is_refused(course):
    course_rollover(course=course, academic_year=2027)
    with pytest.raises(ValidationError) as refused:
        course_rollover(course=course, academic_year=2027)
    assert refused.value.message_dict == {
        "code": [f"{course.institution.name} already has a course IMP701 in 2027/28."]
    }
    with pytest.raises(ValidationError):
        course_rollover(course=course, academic_year=2026)
    assert Course.objects.count() == 2
    assert LearningOutcome.objects.count() == 4


def test_rollover_writes_history_for_what_it_copies(course):
    copy = course_rollover(course=course, academic_year=2027)
    outcome = copy.outcomes.get(code="LO1")
    assert outcome.history.count() == 1
    assert OutcomeMapping.history.filter(outcome_id=outcome.pk, history_type="+").count() == 2


# Remap to a newer version


@pytest.fixture
def version_2(framework):
    """Version 2.0: K2 removed, K3 renamed to K4, S1 kept as it was."""
    draft = framework_new_version(framework=framework, version_label="2.0")
    capability_delete(capability=draft.capabilities.get(code="K2"))
    k3 = draft.capabilities.get(code="K3")
    capability_update(capability=k3, expected_revision=k3.revision, code="K4")
    return framework_publish(framework=draft)


def test_mappings_follow_lineage_and_the_report_lists_what_could_not_be_carried_over(
    course, framework, version_2
):
    revision = Course.objects.get(pk=course.pk).revision
    remapper = UserFactory(username="remapper")
    report = course_remap(
        course=course, framework=version_2, expected_revision=revision, user=remapper
    )
    course.refresh_from_db()
    assert course.framework == version_2
    assert course.revision == revision + 1
    assert _mappings(course) == [
        ("LO1", "K1", "I", "Lecture 1."),
        ("LO2", "S1", "R", ""),
    ]
    assert set(
        OutcomeMapping.objects.filter(outcome__course=course).values_list(
            "capability__framework", flat=True
        )
    ) == {version_2.pk}
    assert (report.from_framework, report.to_framework, report.created_by) == (
        framework,
        version_2,
        remapper,
    )
    assert report.carried_over == 2
    assert report.not_carried_over == [
        {
            "outcome": "LO1",
            "outcome_text": "Explain implementation frameworks.",
            "capability": "K2",
            "capability_title": "Knowing K2",
            "domain": "Knowledge",
            "emphasis": "R",
            "note": "",
        },
        {
            "outcome": "LO2",
            "outcome_text": "Design an implementation plan.",
            "capability": "K2",
            "capability_title": "Knowing K2",
            "domain": "Knowledge",
            "emphasis": "M",
            "note": "Capstone plan.",
        },
    ]
    assert report.resolved_at is None
    assert remap_report_resolve(report=report).resolved_at is not None


def test_a_renamed_capability_keeps_its_mappings(framework, version_2):
    course = CourseFactory(framework=framework)
    outcome = outcome_create(course=course, text="Apply K3.")
    outcome_map(outcome=outcome, capability=framework.capabilities.get(code="K3"), emphasis="M")
    report = course_remap(course=course, framework=version_2, expected_revision=course.revision)
    assert _mappings(course) == [("LO1", "K4", "M", "")]
    assert (report.carried_over, report.not_carried_over) == (1, [])


def test_remap_records_history_of_moved_and_removed_mappings(course, version_2):
    k2_mapping_ids = list(
        OutcomeMapping.objects.filter(outcome__course=course, capability__code="K2").values_list(
            "pk", flat=True
        )
    )
    course_remap(course=course, framework=version_2, expected_revision=course.revision)
    for mapping_id in k2_mapping_ids:
        assert OutcomeMapping.history.filter(id=mapping_id).latest().history_type == "-"
    moved = OutcomeMapping.objects.get(outcome__course=course, capability__code="K1")
    assert [record.capability.framework for record in moved.history.order_by("history_id")] == [
        course.framework,
        version_2,
    ]


def test_the_remap_targets_are_the_later_published_versions(framework, course, version_2):
    draft_3 = framework_new_version(framework=version_2, version_label="3.0")
    assert list(remap_targets(course)) == [version_2]
    assert list(remap_targets(CourseFactory(framework=version_2))) == []
    assert draft_3 not in remap_targets(course)


def _remap_refused(course, target, error=ValidationError):
    before = _mappings(course)
    revision = Course.objects.get(pk=course.pk).revision
    with pytest.raises(error) as refused:
        course_remap(course=course, framework=target, expected_revision=revision)
    assert _mappings(course) == before
    assert Course.objects.get(pk=course.pk).framework == course.framework
    assert not RemapReport.objects.exists()
    return refused.value


def test_remap_to_a_draft_is_refused(course, framework):
    draft = framework_new_version(framework=framework, version_label="2.0")
    refused = _remap_refused(course, draft)
    assert refused.message_dict == {
        "framework": [
            "“EISEN 2.0” is not a later published version of “EISEN 1.0”, which IMP701 maps to."
        ]
    }


def test_remap_to_an_older_version_is_refused(framework, version_2):
    course = CourseFactory(code="IMP801", framework=version_2)
    refused = _remap_refused(course, framework)
    assert "not a later published version of “EISEN 2.0”" in refused.messages[0]


def test_remap_to_another_framework_is_refused(course):
    other = FrameworkFactory(slug="other", title="Other framework", version_label="2.0")
    refused = _remap_refused(course, other)
    assert "“Other framework 2.0” is not a later published version" in refused.messages[0]


def test_remap_to_an_archived_version_is_refused(course, version_2):
    framework_archive(framework=version_2)
    _remap_refused(course, version_2)


def test_remap_to_the_same_version_is_a_conflict(course, framework):
    refused = _remap_refused(course, framework, error=Conflict)
    assert str(refused) == "IMP701 already maps to “EISEN 1.0”."


def test_remap_from_a_stale_page_is_refused(course, version_2):
    before = _mappings(course)
    with pytest.raises(StaleEdit) as refused:
        course_remap(course=course, framework=version_2, expected_revision=course.revision - 1)
    assert refused.value.current.framework == course.framework
    assert _mappings(course) == before
    assert not RemapReport.objects.exists()


def test_capabilities_of_the_new_version_keep_the_lineage_of_the_old(framework, version_2):
    old = framework.capabilities.get(code="K3")
    assert Capability.objects.get(framework=version_2, code="K4").lineage == old.lineage


def _queries_to_roll_over(course) -> int:
    with CaptureQueriesContext(connection) as queries:
        course_rollover(course=course, academic_year=course.academic_year + 1)
    return len(queries)


def test_rollover_costs_the_same_queries_for_few_or_many_outcomes(course, framework):
    big = CourseFactory(framework=framework, leads=[UserFactory()])
    capabilities = list(framework.capabilities.all())
    for number in range(20):
        outcome = outcome_create(course=big, text=f"Explain topic {number}.")
        for capability in capabilities:
            outcome_map(outcome=outcome, capability=capability, emphasis="I")
    assert _queries_to_roll_over(big) == _queries_to_roll_over(course)
