"""The database refuses bad rows even when no form or service checked them first, and
full_clean() says what is wrong in words a lead understands."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from courses.models import Course, LearningOutcome, OutcomeMapping, Programme
from tests.factories import (
    CapabilityFactory,
    CourseFactory,
    FrameworkFactory,
    InstitutionFactory,
    LearningOutcomeFactory,
    OutcomeMappingFactory,
    ProgrammeFactory,
)

pytestmark = pytest.mark.django_db


def _refused_by_the_database(write):
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


def _unsaved_course(**fields) -> Course:
    """A course with saved institution and framework, to full_clean() before saving."""
    fields = {"institution": InstitutionFactory(), "framework": FrameworkFactory(), **fields}
    return CourseFactory.build(**fields)


def _messages(obj) -> dict:
    with pytest.raises(ValidationError) as refused:
        obj.full_clean()
    return refused.value.message_dict


@pytest.mark.parametrize("level", [0, 6, 9])
def test_a_course_at_an_eqf_level_other_than_7_or_8_is_refused(level):
    course = CourseFactory()
    _refused_by_the_database(lambda: Course.objects.filter(pk=course.pk).update(eqf_level=level))
    _refused_by_the_database(lambda: CourseFactory(eqf_level=level))
    assert _messages(_unsaved_course(eqf_level=level)) == {
        "eqf_level": ["The EQF level must be 7 (MSc) or 8 (PhD)."]
    }


def test_a_programme_at_an_eqf_level_other_than_7_or_8_is_refused():
    _refused_by_the_database(lambda: ProgrammeFactory(eqf_level=6))
    messages = _messages(ProgrammeFactory.build(institution=InstitutionFactory(), eqf_level=6))
    assert "The EQF level must be 7 (MSc) or 8 (PhD)." in messages["eqf_level"]


def test_negative_ects_are_refused_for_courses_and_programmes():
    _refused_by_the_database(lambda: CourseFactory(ects=Decimal("-0.5")))
    _refused_by_the_database(lambda: ProgrammeFactory(ects=-1))
    assert _messages(_unsaved_course(ects=-1)) == {"ects": ["ECTS credits cannot be negative."]}
    programme = ProgrammeFactory.build(institution=InstitutionFactory(), ects=-1)
    assert _messages(programme) == {"ects": ["ECTS credits cannot be negative."]}


def test_zero_ects_are_allowed():
    course = CourseFactory(ects=0)
    course.full_clean()


@pytest.mark.parametrize(("award", "level"), [("MSc", 8), ("PhD", 7)])
def test_a_programme_whose_award_does_not_match_its_level_is_refused(award, level):
    _refused_by_the_database(lambda: ProgrammeFactory(award=award, eqf_level=level))
    programme = ProgrammeFactory.build(
        institution=InstitutionFactory(), award=award, eqf_level=level
    )
    expected = {"MSc": 7, "PhD": 8}[award]
    assert _messages(programme) == {"eqf_level": [f"The award {award} is at EQF level {expected}."]}


def test_matching_awards_and_levels_are_accepted():
    ProgrammeFactory().full_clean()
    ProgrammeFactory(phd=True).full_clean()
    assert Programme.objects.count() == 2


@pytest.mark.parametrize("emphasis", ["X", "i", ""])
def test_an_emphasis_outside_i_r_m_is_refused(emphasis):
    mapping = OutcomeMappingFactory()
    _refused_by_the_database(
        lambda: OutcomeMapping.objects.filter(pk=mapping.pk).update(emphasis=emphasis)
    )
    mapping.emphasis = emphasis
    messages = _messages(mapping)
    if emphasis:
        assert messages == {
            "emphasis": ["The emphasis must be I (Introduced), R (Reinforced) or M (Mastered)."]
        }
    else:
        assert messages == {"emphasis": ["This field cannot be blank."]}


def test_an_outcome_maps_to_a_capability_only_once():
    mapping = OutcomeMappingFactory()
    _refused_by_the_database(
        lambda: OutcomeMappingFactory(outcome=mapping.outcome, capability=mapping.capability)
    )
    again = OutcomeMapping(outcome=mapping.outcome, capability=mapping.capability, emphasis="R")
    assert _messages(again) == {
        "__all__": ["Outcome mapping with this Learning outcome and Capability already exists."]
    }
    assert OutcomeMapping.objects.count() == 1


def test_full_clean_refuses_a_capability_of_another_framework_naming_the_courses_framework():
    outcome = LearningOutcomeFactory(course__framework=FrameworkFactory(title="EISEN"))
    elsewhere = CapabilityFactory(code="X1", domain__framework=FrameworkFactory(title="Other"))
    mapping = OutcomeMapping(outcome=outcome, capability=elsewhere, emphasis="I")
    assert _messages(mapping) == {
        "capability": [
            f"X1 belongs to “Other 1.0”; {outcome.course.code} maps to “EISEN 1.0” only."
        ]
    }


def test_two_outcomes_of_a_course_cannot_share_a_code():
    outcome = LearningOutcomeFactory(code="LO1")
    _refused_by_the_database(lambda: LearningOutcomeFactory(course=outcome.course, code="LO1"))
    duplicate = LearningOutcomeFactory.build(course=outcome.course, code="LO1", position=99)
    assert _messages(duplicate) == {"code": ["This course already has an outcome LO1."]}


def test_outcomes_of_different_courses_may_share_a_code():
    LearningOutcomeFactory(code="LO1")
    LearningOutcomeFactory(code="LO1")
    assert LearningOutcome.objects.filter(code="LO1").count() == 2


def test_two_outcomes_of_a_course_cannot_share_a_position():
    outcome = LearningOutcomeFactory(position=0)
    _refused_by_the_database(lambda: LearningOutcomeFactory(course=outcome.course, position=0))


def test_an_outcome_without_text_is_refused():
    _refused_by_the_database(lambda: LearningOutcomeFactory(text=""))
    outcome = LearningOutcomeFactory.build(course=CourseFactory(), text="")
    assert _messages(outcome) == {"text": ["This field cannot be blank."]}


def test_a_course_code_is_unique_per_institution_and_year():
    course = CourseFactory(code="IMP701", academic_year=2026)
    _refused_by_the_database(
        lambda: CourseFactory(institution=course.institution, code="IMP701", academic_year=2026)
    )
    duplicate = CourseFactory.build(
        institution=course.institution,
        code="IMP701",
        academic_year=2026,
        framework=course.framework,
    )
    assert _messages(duplicate) == {
        "code": [f"{course.institution.name} already has a course IMP701 in 2026/27."]
    }
    CourseFactory(institution=course.institution, code="IMP701", academic_year=2027).full_clean()
    CourseFactory(code="IMP701", academic_year=2026).full_clean()


def test_a_course_in_semester_zero_is_refused():
    _refused_by_the_database(lambda: CourseFactory(semester=0))


def test_a_course_of_a_programme_of_another_institution_is_refused():
    course = _unsaved_course(programme=ProgrammeFactory())
    assert _messages(course) == {"programme": ["The programme belongs to another institution."]}


def test_a_course_at_another_level_than_its_programme_is_refused():
    programme = ProgrammeFactory(phd=True)
    course = _unsaved_course(institution=programme.institution, programme=programme, eqf_level=7)
    assert _messages(course) == {
        "eqf_level": ["The programme is at EQF level 8; its courses are too."]
    }


def test_a_course_cannot_map_to_a_draft_framework():
    draft = FrameworkFactory(draft=True, title="Next", version_label="2.0")
    course = _unsaved_course(framework=draft)
    assert _messages(course) == {
        "framework": ["“Next 2.0” is a draft; courses map to published versions only."]
    }


def test_the_academic_year_label_spans_two_years():
    assert CourseFactory(academic_year=2026).academic_year_label == "2026/27"
    assert CourseFactory(academic_year=2099).academic_year_label == "2099/00"
