"""The list of courses, a course's page, and creating, changing and deleting courses."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from competencies.forms import RevisionForm
from competencies.models import Framework
from courses.forms import CourseEditForm, CourseFilterForm, CourseForm
from courses.models import Course, RemapReport
from courses.permissions import can_create_course, can_manage_all_courses
from courses.services import catalogue
from courses.views.common import add_service_errors, course_for_editing, course_for_reading
from courses.views.outcomes import outcomes_context
from eisen.errors import StaleEdit

COURSES_PER_PAGE = 50


@login_required
@require_GET
def course_list(request):
    years = (
        Course.objects.order_by("-academic_year").values_list("academic_year", flat=True).distinct()
    )
    form = CourseFilterForm(request.GET or None, academic_years=list(years))
    courses = (
        Course.objects.select_related("institution", "programme", "framework")
        .prefetch_related("leads")
        .annotate(
            outcome_count=Count("outcomes", distinct=True),
            mapped_outcome_count=Count(
                "outcomes", filter=Q(outcomes__mappings__isnull=False), distinct=True
            ),
        )
        # Meta.ordering does not apply to a query with aggregates.
        .order_by("-academic_year", "semester", "code")
    )
    page = Paginator(form.filter(courses), COURSES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "courses/course_list.html",
        {
            "form": form,
            "page": page,
            "can_create": can_create_course(request.user),
        },
    )


@login_required
@require_GET
def course_detail(request, course_uuid):
    course = course_for_reading(
        course_uuid,
        Course.objects.select_related(
            "institution", "programme", "framework", "rolled_over_from"
        ).prefetch_related("leads"),
    )
    open_report = (
        RemapReport.objects.filter(course=course, resolved_at=None)
        .select_related("to_framework")
        .order_by("-created_at")
        .first()
    )
    return render(
        request,
        "courses/course_detail.html",
        outcomes_context(request, course, open_report=open_report),
    )


@login_required
@require_http_methods(["GET", "POST"])
def course_create(request):
    if not can_create_course(request.user):
        raise PermissionDenied(
            _("Course leads, curriculum designers and administrators create courses.")
        )
    chooses_leads = can_manage_all_courses(request.user)
    newest = (
        Framework.objects.filter(status=Framework.Status.PUBLISHED)
        .order_by("-published_at")
        .first()
    )
    form = CourseForm(
        request.POST or None,
        with_framework=True,
        with_leads=chooses_leads,
        initial={"framework": newest, "semester": 1},
    )
    if request.method == "POST" and form.is_valid():
        arguments = form.service_arguments()
        # A course lead who creates a course leads it; designers choose its leads.
        leads = arguments.pop("leads") if chooses_leads else [request.user]
        try:
            course = catalogue.course_create(leads=leads, **arguments)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("%(course)s created. Add its learning outcomes.") % {"course": course}
            )
            return redirect(course)
    return render(request, "courses/course_form.html", {"form": form, "course": None})


@login_required
@require_http_methods(["GET", "POST"])
def course_edit(request, course_uuid):
    course = course_for_editing(request, course_uuid)
    chooses_leads = can_manage_all_courses(request.user)
    if request.method == "GET":
        form = CourseEditForm(
            instance=course,
            initial={"revision": course.revision},
            with_framework=False,
            with_leads=chooses_leads,
        )
        return render(request, "courses/course_form.html", {"form": form, "course": course})

    def bound_form(data):
        # A fresh copy: the form writes the typed values onto its instance while validating.
        return CourseEditForm(
            data,
            instance=Course.objects.get(pk=course.pk),
            with_framework=False,
            with_leads=chooses_leads,
        )

    form = bound_form(request.POST)
    conflict = None
    if form.is_valid():
        arguments = form.service_arguments()
        revision = arguments.pop("revision")
        try:
            course = catalogue.course_update(
                course=course,
                expected_revision=revision,
                leads=arguments.pop("leads", None),
                **arguments,
            )
        except StaleEdit as stale:
            # Keep what this person typed and show what the other person saved; saving again
            # (now against the current revision) is a deliberate overwrite.
            conflict = stale.current
            data = request.POST.copy()
            data["revision"] = stale.current.revision
            form = bound_form(data)
            form.is_valid()
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(course)s saved.") % {"course": course})
            return redirect(course)
    return render(
        request,
        "courses/course_form.html",
        {"form": form, "course": course, "conflict": conflict},
        status=409 if conflict else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def course_delete(request, course_uuid):
    course = course_for_editing(request, course_uuid)
    form = RevisionForm(request.POST or None, initial={"revision": course.revision})
    stale = False
    refusal = []
    if request.method == "POST" and form.is_valid():
        try:
            catalogue.course_delete(course=course, expected_revision=form.cleaned_data["revision"])
        except StaleEdit as error:
            stale = True
            course = error.current
            form = RevisionForm(initial={"revision": course.revision})
        except ValidationError as error:
            refusal = error.messages
        else:
            messages.success(request, _("%(course)s deleted.") % {"course": course})
            return redirect("courses:course_list")
    return render(
        request,
        "courses/course_confirm_delete.html",
        {
            "course": course,
            "form": form,
            "stale": stale,
            "refusal": refusal,
            "counts": course.outcomes.aggregate(
                outcomes=Count("pk", distinct=True), mappings=Count("mappings", distinct=True)
            ),
        },
        status=409 if stale or refusal else 200,
    )
