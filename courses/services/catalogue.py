"""Institutions, programmes and courses: creating and changing them."""

from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from courses.models import Course, Institution, Programme
from eisen.errors import Conflict
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


# Apps above this one (evaluation) register a function that lists, as readable lines, what of
# theirs still belongs to a course, so that deleting the course is refused with that list
# instead of failing on their protected rows. This app cannot import them.
CourseUsageFinder = Callable[[Course], list[str]]
_course_usage_finders: list[CourseUsageFinder] = []


def register_course_usage(finder: CourseUsageFinder) -> None:
    if finder not in _course_usage_finders:
        _course_usage_finders.append(finder)


@transaction.atomic
def course_delete(*, course: Course, expected_revision: int | None) -> None:
    """Delete a course, its outcomes and mappings; refused while other apps still use it."""
    course = locked_for_edit(Course, course, expected_revision)
    usages = [line for finder in _course_usage_finders for line in finder(course)]
    if usages:
        raise ValidationError(
            _("%(course)s is still used: %(usages)s. Remove those before deleting the course.")
            % {"course": course, "usages": "; ".join(usages)}
        )
    course.delete()


CATALOGUE_FIELDS = {
    Institution: ("name", "country", "is_example"),
    Programme: ("institution", "name", "award", "eqf_level", "ects", "is_example"),
}


@transaction.atomic
def catalogue_entry_update(*, entry: Institution | Programme, **changes):
    """Change an institution or a programme; the row is locked so two saves apply in turn."""
    allowed = CATALOGUE_FIELDS[type(entry)]
    unknown = set(changes) - set(allowed)
    if unknown:
        raise ValueError(f"Cannot change {', '.join(sorted(unknown))} here.")
    entry = type(entry).objects.select_for_update().get(pk=entry.pk)
    for field, value in changes.items():
        setattr(entry, field, value)
    entry.full_clean()
    entry.save()
    return entry


@transaction.atomic
def catalogue_entry_delete(*, entry: Institution | Programme) -> None:
    """Delete an institution or a programme that no course or programme uses any more."""
    try:
        entry.delete()
    except ProtectedError as refused:
        users = sorted(str(row) for row in refused.protected_objects)
        raise Conflict(
            _("%(name)s is still used by %(rows)s; delete or move those first.")
            % {"name": entry, "rows": ", ".join(users)}
        ) from None
