"""API permission classes for courses; every decision is one of courses.permissions' predicates."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import permissions
from rest_framework.exceptions import PermissionDenied

from courses.models import Course, LearningOutcome, OutcomeMapping
from courses.permissions import (
    can_create_course,
    can_edit_course,
    can_manage_catalogue,
    can_view_courses,
)

NOT_YOUR_COURSE = gettext_lazy(
    "Only the course's leads, curriculum designers and administrators may change %(course)s."
)


def course_of(obj) -> Course:
    if isinstance(obj, Course):
        return obj
    if isinstance(obj, LearningOutcome):
        return obj.course
    if isinstance(obj, OutcomeMapping):
        return obj.outcome.course
    raise TypeError(f"No course for {type(obj).__name__}")


def require_course_editor(user, course: Course) -> None:
    """Refuse (403) a change to `course` by anyone who may not edit it."""
    if not can_edit_course(user, course):
        raise PermissionDenied(NOT_YOUR_COURSE % {"course": course.code})


class CatalogueAccess(permissions.BasePermission):
    """Institutions and programmes: read by anyone signed in, changed by designers and
    administrators."""

    message = gettext_lazy(
        "Only curriculum designers and administrators may change institutions and programmes."
    )

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return can_view_courses(request.user)
        return can_manage_catalogue(request.user)


class CourseContentAccess(permissions.BasePermission):
    """Courses, outcomes and mappings: read by anyone signed in; changed by the course's leads,
    curriculum designers and administrators.

    Creating an outcome or a mapping names its course in the body: the view checks that course
    with `require_course_editor` once the body is read.
    """

    def has_permission(self, request, view):
        return can_view_courses(request.user)

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        course = course_of(obj)
        self.message = NOT_YOUR_COURSE % {"course": course.code}
        return can_edit_course(request.user, course)


class CourseAccess(CourseContentAccess):
    """As for a course's content; creating a course takes `can_create_course`."""

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        if view.action == "create":
            self.message = _(
                "Only course leads, curriculum designers and administrators create courses."
            )
            return can_create_course(request.user)
        return True
