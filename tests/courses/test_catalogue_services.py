"""Institutions, programmes and courses created and changed through the catalogue services."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from competencies.models import Capability
from courses.models import Course, Institution, LearningOutcome, OutcomeMapping, Programme
from courses.services.catalogue import (
    course_create,
    course_delete,
    course_update,
    institution_create,
    programme_create,
)
from eisen.errors import StaleEdit
from tests.factories import (
    CourseFactory,
    FrameworkFactory,
    InstitutionFactory,
    LearningOutcomeFactory,
    OutcomeMappingFactory,
    ProgrammeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _fields(**changes) -> dict:
    institution = changes.pop("institution", None) or InstitutionFactory(name="Karolinska")
    return {
        "institution": institution,
        "code": "IMP701",
        "title": "Implementation science",
        "eqf_level": 7,
        "ects": Decimal("7.5"),
        "academic_year": 2026,
        "delivery_mode": Course.DeliveryMode.ONLINE,
        "framework": FrameworkFactory(),
        **changes,
    }


def test_institution_and_programme_are_created_with_their_example_flag():
    institution = institution_create(name="Karolinska Institutet", country="Sweden")
    programme = programme_create(
        institution=institution, name="PhD in Care", award="PhD", eqf_level=8, ects=240
    )
    assert (institution.is_example, programme.is_example) == (False, False)
    assert Programme.objects.get().institution == institution


def test_an_institution_name_is_used_once():
    institution_create(name="Karolinska Institutet", country="Sweden")
    with pytest.raises(ValidationError) as refused:
        institution_create(name="Karolinska Institutet", country="Norway")
    assert "name" in refused.value.message_dict
    assert Institution.objects.count() == 1


def test_a_programme_whose_award_does_not_match_its_level_is_refused():
    with pytest.raises(ValidationError) as refused:
        programme_create(
            institution=InstitutionFactory(), name="MSc", award="MSc", eqf_level=8, ects=120
        )
    assert refused.value.message_dict == {"eqf_level": ["The award MSc is at EQF level 7."]}
    assert not Programme.objects.exists()


def test_course_create_saves_the_course_and_its_leads():
    lead = UserFactory()
    course = course_create(leads=[lead], **_fields(semester=2))
    assert list(course.leads.all()) == [lead]
    assert (course.revision, course.semester, course.is_example) == (1, 2, False)
    assert course.history.earliest().history_type == "+"


def test_course_create_refuses_a_draft_framework():
    draft = FrameworkFactory(draft=True, title="EISEN", version_label="2.0")
    with pytest.raises(ValidationError) as refused:
        course_create(**_fields(framework=draft))
    assert refused.value.message_dict == {
        "framework": ["“EISEN 2.0” is a draft; courses map to published versions only."]
    }
    assert not Course.objects.exists()


def test_course_create_refuses_a_programme_of_another_institution():
    with pytest.raises(ValidationError) as refused:
        course_create(**_fields(programme=ProgrammeFactory()))
    assert refused.value.message_dict == {
        "programme": ["The programme belongs to another institution."]
    }
    assert not Course.objects.exists()


def test_course_create_refuses_a_level_other_than_its_programmes():
    programme = ProgrammeFactory(phd=True)
    with pytest.raises(ValidationError) as refused:
        course_create(**_fields(institution=programme.institution, programme=programme))
    assert refused.value.message_dict == {
        "eqf_level": ["The programme is at EQF level 8; its courses are too."]
    }


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("eqf_level", 6, "The EQF level must be 7 (MSc) or 8 (PhD)."),
        ("ects", Decimal("-1"), "ECTS credits cannot be negative."),
        ("academic_year", 1999, "Ensure this value is greater than or equal to 2000."),
        ("delivery_mode", "by post", "Value 'by post' is not a valid choice."),
    ],
)
def test_course_create_refuses_bad_values_naming_the_field(field, value, message):
    with pytest.raises(ValidationError) as refused:
        course_create(**_fields(**{field: value}))
    assert refused.value.message_dict == {field: [message]}
    assert not Course.objects.exists()


def test_course_create_refuses_unknown_fields():
    with pytest.raises(ValueError, match="Unknown course fields: colour"):
        course_create(colour="blue", **_fields())


def test_course_update_changes_fields_and_leads_and_raises_the_revision():
    course = CourseFactory(leads=[UserFactory(username="old")])
    new_lead = UserFactory(username="new")
    updated = course_update(
        course=course, expected_revision=1, title="Renamed", ects=Decimal(15), leads=[new_lead]
    )
    assert (updated.title, updated.ects, updated.revision) == ("Renamed", Decimal(15), 2)
    assert list(updated.leads.values_list("username", flat=True)) == ["new"]


def test_course_update_on_a_stale_copy_is_refused_with_the_course_as_it_is_now():
    course = CourseFactory(title="First")
    course_update(course=course, expected_revision=1, title="Second")
    with pytest.raises(StaleEdit) as refused:
        course_update(course=course, expected_revision=1, title="Third")
    assert (refused.value.current.title, refused.value.current.revision) == ("Second", 2)
    assert Course.objects.get(pk=course.pk).title == "Second"


def test_course_update_leaves_the_leads_alone_unless_given():
    lead = UserFactory()
    course = CourseFactory(leads=[lead])
    course_update(course=course, expected_revision=1, title="Renamed")
    assert list(course.leads.all()) == [lead]


def test_course_update_refuses_a_programme_of_another_institution_and_saves_nothing():
    course = CourseFactory(title="Kept")
    with pytest.raises(ValidationError) as refused:
        course_update(
            course=course, expected_revision=1, title="Lost", programme=ProgrammeFactory()
        )
    assert "programme" in refused.value.message_dict
    course.refresh_from_db()
    assert (course.title, course.programme, course.revision) == ("Kept", None, 1)


def test_course_update_does_not_change_the_framework():
    course = CourseFactory()
    with pytest.raises(ValueError, match="framework"):
        course_update(course=course, expected_revision=1, framework=FrameworkFactory())


def test_course_delete_removes_its_outcomes_and_mappings():
    mapping = OutcomeMappingFactory()
    course = mapping.outcome.course
    course_delete(course=course, expected_revision=course.revision)
    assert not Course.objects.exists()
    assert not LearningOutcome.objects.exists()
    assert not OutcomeMapping.objects.exists()
    assert Capability.objects.filter(pk=mapping.capability.pk).exists()


def test_course_delete_on_a_stale_copy_is_refused():
    course = CourseFactory()
    LearningOutcomeFactory(course=course)
    course_update(course=course, expected_revision=1, title="Changed meanwhile")
    with pytest.raises(StaleEdit):
        course_delete(course=course, expected_revision=1)
    assert Course.objects.filter(pk=course.pk).exists()
