"""A course across years and framework versions: rollover, remap, and the remap report."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from courses.forms import RemapForm, RolloverForm
from courses.models import RemapReport
from courses.permissions import can_edit_course
from courses.services import rollover as rollover_services
from courses.views.common import add_service_errors, course_for_editing, course_for_reading
from eisen.errors import StaleEdit


@login_required
@require_http_methods(["GET", "POST"])
def course_rollover(request, course_uuid):
    course = course_for_editing(request, course_uuid)
    form = RolloverForm(request.POST or None, initial={"academic_year": course.academic_year + 1})
    if request.method == "POST" and form.is_valid():
        try:
            copy = rollover_services.course_rollover(
                course=course, academic_year=form.cleaned_data["academic_year"]
            )
        except ValidationError as error:
            # The copy's own fields are the course's; only the year can be the problem.
            for problem in error.messages:
                form.add_error("academic_year", problem)
        else:
            messages.success(
                request,
                _("%(copy)s is a copy of %(course)s, with its outcomes and mappings.")
                % {"copy": copy, "course": course},
            )
            return redirect(copy)
    return render(request, "courses/rollover.html", {"course": course, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def course_remap(request, course_uuid):
    course = course_for_editing(request, course_uuid)
    targets = rollover_services.remap_targets(course)
    form = RemapForm(request.POST or None, targets=targets, initial={"revision": course.revision})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            report = rollover_services.course_remap(
                course=course,
                framework=form.cleaned_data["framework"],
                expected_revision=form.cleaned_data["revision"],
                user=request.user,
            )
        except StaleEdit as stale:
            status = 409
            data = request.POST.copy()
            data["revision"] = stale.current.revision
            form = RemapForm(data, targets=targets)
            form.is_valid()
            form.add_error(
                None,
                _(
                    "Someone else changed %(course)s while you were choosing; look at it again "
                    "before remapping."
                )
                % {"course": course.code},
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(course)s now maps to “%(framework)s”.")
                % {"course": course.code, "framework": report.to_framework},
            )
            return redirect("courses:remap_report", course.uuid, report.pk)
    return render(
        request,
        "courses/remap.html",
        {"course": course, "form": form, "has_targets": targets.exists()},
        status=status,
    )


@login_required
@require_GET
def remap_report(request, course_uuid, report_id):
    course = course_for_reading(course_uuid)
    report = get_object_or_404(
        RemapReport.objects.select_related("from_framework", "to_framework", "created_by"),
        pk=report_id,
        course=course,
    )
    return render(
        request,
        "courses/remap_report.html",
        {"course": course, "report": report, "can_edit": can_edit_course(request.user, course)},
    )


@login_required
@require_POST
def remap_report_resolve(request, course_uuid, report_id):
    course = course_for_editing(request, course_uuid)
    report = get_object_or_404(RemapReport, pk=report_id, course=course, resolved_at=None)
    rollover_services.remap_report_resolve(report=report)
    messages.success(request, _("The remap report is marked resolved."))
    return redirect(course)
