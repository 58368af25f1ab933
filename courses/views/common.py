"""What the course views share: loading a course for reading or editing, and service refusals."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from courses.models import Course, LearningOutcome
from courses.permissions import can_edit_course


def course_for_reading(course_uuid, queryset=None) -> Course:
    queryset = Course.objects.select_related("framework") if queryset is None else queryset
    return get_object_or_404(queryset, uuid=course_uuid)


def course_for_editing(request, course_uuid, queryset=None) -> Course:
    course = course_for_reading(course_uuid, queryset)
    if not can_edit_course(request.user, course):
        raise PermissionDenied(
            _("Only the leads of %(course)s, curriculum designers and administrators change it.")
            % {"course": course.code}
        )
    return course


def outcome_of(course: Course, outcome_uuid) -> LearningOutcome:
    outcome = get_object_or_404(LearningOutcome, uuid=outcome_uuid, course=course)
    outcome.course = course
    return outcome


def add_service_errors(form, error: ValidationError) -> None:
    """Put a service's refusal on the form: on the field it names, else on the whole form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, field_messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, field_messages)
