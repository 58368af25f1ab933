"""Institutions, programmes and courses: creating and changing them."""

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from courses.models import Course, Institution, Programme
from eisen.rows import locked_for_edit

COURSE_FIELDS = (
    "institution",
    "programme",
    "code",
    "title",
    "eqf_level",
    "ects",
    "academic_year",
    "semester",
    "delivery_mode",
    "description",
)


def institution_create(*, name: str, country: str, is_example: bool = False) -> Institution:
    institution = Institution(name=name, country=country, is_example=is_example)
    institution.full_clean()
    institution.save()
    return institution


def programme_create(
    *,
    institution: Institution,
    name: str,
    award: str,
    eqf_level: int,
    ects,
    is_example: bool = False,
) -> Programme:
    programme = Programme(
        institution=institution,
        name=name,
        award=award,
        eqf_level=eqf_level,
        ects=ects,
        is_example=is_example,
    )
    programme.full_clean()
    programme.save()
    return programme


@transaction.atomic
def course_create(*, leads: Iterable = (), is_example: bool = False, **fields) -> Course:
    """A new course; `fields` are COURSE_FIELDS plus the framework version it maps to."""
    unknown = set(fields) - {*COURSE_FIELDS, "framework"}
    if unknown:
        raise ValueError(f"Unknown course fields: {', '.join(sorted(unknown))}")
    course = Course(is_example=is_example, **fields)
    course.full_clean()
    course.save()
    course.leads.set(leads)
    return course


@transaction.atomic
def course_update(
    *, course: Course, expected_revision: int | None, leads: Iterable | None = None, **changes
) -> Course:
    """Change the course's own fields (not its framework version: that is a remap).

    Refused with the current course when someone else saved it since `expected_revision`.
    """
    unknown = set(changes) - set(COURSE_FIELDS)
    if unknown:
        raise ValueError(
            _("These cannot be changed here: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    course = locked_for_edit(Course, course, expected_revision)
    for field, value in changes.items():
        setattr(course, field, value)
    course.full_clean()
    course.revision += 1
    course.save()
    if leads is not None:
        course.leads.set(leads)
    return course


@transaction.atomic
def course_delete(*, course: Course, expected_revision: int | None) -> None:
    course = locked_for_edit(Course, course, expected_revision)
    course.delete()
