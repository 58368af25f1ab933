"""A capability that learning outcomes map to is not deleted from under them.

Courses map to published framework versions only, and a published version cannot be edited, so
through the services the capability an outcome maps to is refused as part of a published version.
The courses app's usage finder (registered in courses/apps.py) is what names the outcomes when
such a mapping reaches a draft anyway, written around the services and the model's validation;
the admin, which validates the model, refuses to write one.
"""

from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from competencies.interchange.workbook import framework_workbook, workbook_framework_read
from competencies.models import Capability
from competencies.services.editing import capability_delete, capability_usages
from competencies.services.rules import FrameworkNotEditable
from competencies.services.updating import (
    UpdateBlocked,
    framework_update_apply,
    framework_update_plan,
)
from competencies.services.versions import framework_new_version
from courses.models import OutcomeMapping
from courses.services.catalogue import course_create
from courses.services.mapping import outcome_map
from courses.services.outcomes import outcome_create
from tests.factories import (
    CourseFactory,
    InstitutionFactory,
    LearningOutcomeFactory,
    OutcomeMappingFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def mapped(eisen_framework):
    """Outcome LO2 of IMP701 (2026/27) maps to A4 of the published EISEN framework."""
    course = CourseFactory(
        code="IMP701", title="Implementation science", academic_year=2026, framework=eisen_framework
    )
    outcome_create(course=course, text="Explain implementation frameworks.")
    outcome = outcome_create(course=course, text="Reflect on their own resilience.")
    capability = eisen_framework.capabilities.get(code="A4")
    outcome_map(outcome=outcome, capability=capability, emphasis="R")
    return capability


USAGE = "outcome LO2 of IMP701 Implementation science (2026/27)"


def test_the_courses_app_reports_the_outcomes_that_use_a_capability(mapped):
    assert capability_usages([mapped]) == {mapped.pk: [USAGE]}


def test_usages_of_many_capabilities_cost_the_queries_of_one(
    mapped, eisen_framework, django_assert_num_queries, django_assert_max_num_queries
):
    """Each app that uses capabilities answers for all of them at once."""
    capabilities = list(eisen_framework.capabilities.all())
    with django_assert_max_num_queries(5) as for_one:
        capability_usages([mapped])
    with django_assert_num_queries(len(for_one.captured_queries)):
        usages = capability_usages(capabilities)
    assert usages == {mapped.pk: [USAGE]}


def test_a_capability_of_the_published_framework_that_courses_use_is_not_deleted(mapped):
    with pytest.raises(FrameworkNotEditable):
        capability_delete(capability=mapped)
    assert OutcomeMapping.objects.filter(capability=mapped).exists()


def test_a_file_update_of_the_published_framework_lists_the_outcomes_in_its_blocking(
    mapped, eisen_framework
):
    """The preview pages refuse a published framework before this; the plan itself says why
    the deletion could never apply."""
    book = _workbook_without(eisen_framework, "A4")
    plan = framework_update_plan(eisen_framework, book)
    assert "published" in plan.blocking[0]
    assert plan.blocking[1] == (
        f"A4 Commitment to personal development is still used: {USAGE}. Keep its row in the "
        "file, or remove those uses before deleting it."
    )


# Why a draft's capability is never mapped through the services


def test_a_course_cannot_be_created_on_a_draft(eisen_framework):
    draft = framework_new_version(framework=eisen_framework, version_label="2.0")
    with pytest.raises(ValidationError) as refused:
        course_create(
            institution=InstitutionFactory(),
            code="IMP702",
            title="Next year",
            eqf_level=7,
            ects=10,
            academic_year=2027,
            delivery_mode="online",
            framework=draft,
        )
    assert "courses map to published versions only" in refused.value.message_dict["framework"][0]


def test_an_outcome_cannot_map_to_a_capability_of_a_draft(eisen_framework):
    draft = framework_new_version(framework=eisen_framework, version_label="2.0")
    outcome = LearningOutcomeFactory(course__framework=eisen_framework, code="LO1")
    with pytest.raises(ValidationError) as refused:
        outcome_map(outcome=outcome, capability=draft.capabilities.get(code="A4"), emphasis="I")
    assert refused.value.message_dict["capability"] == [
        (
            f"A4 belongs to “EISEN Competency Framework 2.0”; {outcome.course.code} maps to "
            "“EISEN Competency Framework 1.0” only."
        )
    ]


def test_the_admin_refuses_to_map_an_outcome_to_a_capability_of_a_draft(client, eisen_framework):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    draft = framework_new_version(framework=eisen_framework, version_label="2.0")
    outcome = LearningOutcomeFactory(course__framework=eisen_framework)
    response = client.post(
        reverse("admin:courses_outcomemapping_add"),
        {
            "outcome": outcome.pk,
            "capability": draft.capabilities.get(code="A4").pk,
            "emphasis": "I",
            "note": "",
        },
    )
    assert response.status_code == 200
    assert "maps to “EISEN Competency Framework 1.0” only" in response.content.decode()
    assert not OutcomeMapping.objects.exists()


# A mapping to a draft written around the services (shell, fixtures, data migrations)


@pytest.fixture
def draft_mapped(eisen_framework):
    """A4 of a draft 2.0, mapped by outcome LO3 of IMP801 (2027/28) without the services."""
    draft = framework_new_version(framework=eisen_framework, version_label="2.0")
    capability = draft.capabilities.get(code="A4")
    OutcomeMappingFactory(
        outcome__course=CourseFactory(
            code="IMP801", title="Doctoral seminar", academic_year=2027, framework=eisen_framework
        ),
        outcome__code="LO3",
        capability=capability,
    )
    return capability


DRAFT_USAGE = "outcome LO3 of IMP801 Doctoral seminar (2027/28)"


def test_deleting_it_in_the_editor_is_refused_naming_the_outcome_and_course(draft_mapped):
    with pytest.raises(ValidationError) as refused:
        capability_delete(capability=draft_mapped)
    assert refused.value.messages == [f"A4 is still used: {DRAFT_USAGE}."]
    assert Capability.objects.filter(pk=draft_mapped.pk).exists()
    assert OutcomeMapping.objects.filter(capability=draft_mapped).count() == 1


def test_deleting_it_by_a_file_update_is_blocked_naming_the_outcome_and_course(draft_mapped):
    draft = draft_mapped.framework
    book = _workbook_without(draft, "A4")
    plan = framework_update_plan(draft, book)
    assert plan.blocking == [
        (
            f"A4 Commitment to personal development is still used: {DRAFT_USAGE}. Keep its row "
            "in the file, or remove those uses before deleting it."
        )
    ]
    with pytest.raises(UpdateBlocked, match="IMP801"):
        framework_update_apply(draft, book, expected_revision=draft.revision)
    assert Capability.objects.filter(pk=draft_mapped.pk).exists()


def test_every_outcome_that_uses_it_is_named(draft_mapped):
    OutcomeMappingFactory(
        outcome__course=CourseFactory(code="IMP900", title="Another", academic_year=2028),
        outcome__code="LO1",
        capability=draft_mapped,
    )
    assert capability_usages([draft_mapped]) == {
        draft_mapped.pk: [DRAFT_USAGE, "outcome LO1 of IMP900 Another (2028/29)"]
    }


def test_an_unmapped_capability_of_the_draft_is_deleted(draft_mapped):
    other = draft_mapped.framework.capabilities.get(code="A3")
    capability_delete(capability=other)
    assert not Capability.objects.filter(pk=other.pk).exists()


def _workbook_without(framework, code):
    """The framework's workbook with the row of one capability deleted, read back."""
    book = load_workbook(BytesIO(framework_workbook(framework)))
    sheet = book["Items"]
    row_number = next(row[0].row for row in sheet.iter_rows(min_row=2) if row[2].value == code)
    sheet.delete_rows(row_number)
    output = BytesIO()
    book.save(output)
    return workbook_framework_read(output.getvalue(), source_name="framework.xlsx")
