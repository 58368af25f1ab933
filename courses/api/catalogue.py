"""Institutions, programmes and courses in the API."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from courses.api.lifecycle import CourseLifecycleMixin
from courses.api.mapping import CourseMappingsMixin
from courses.api.outcomes import CourseOutcomesMixin
from courses.api.permissions import CatalogueAccess, CourseAccess
from courses.api.serializers import (
    CourseSerializer,
    CourseWriteSerializer,
    InstitutionSerializer,
    ProgrammeSerializer,
)
from courses.filters import CourseFilter, ProgrammeFilter
from courses.models import Course, Institution, Programme
from courses.permissions import can_manage_all_courses
from courses.services import catalogue
from eisen.rest import NamedNotFoundMixin, expected_revision, revision_etag

IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="The ETag of the copy you edited; a stale one answers 412 with the current row.",
)


class CatalogueViewSet(NamedNotFoundMixin, viewsets.ModelViewSet):
    """Shared by institutions and programmes: plain rows checked by their model before saving."""

    permission_classes = [CatalogueAccess]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def perform_update(self, serializer):
        serializer.instance = catalogue.catalogue_entry_update(
            entry=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        catalogue.catalogue_entry_delete(entry=instance)


class InstitutionViewSet(CatalogueViewSet):
    """Universities that run programmes and courses. Designers and administrators change them."""

    serializer_class = InstitutionSerializer
    queryset = Institution.objects.order_by("name")
    filterset_fields = ["country", "is_example"]

    def perform_create(self, serializer):
        serializer.instance = catalogue.institution_create(**serializer.validated_data)


class ProgrammeViewSet(CatalogueViewSet):
    """MSc and PhD programmes of the institutions; filter by institution or award."""

    serializer_class = ProgrammeSerializer
    queryset = Programme.objects.select_related("institution").order_by("institution__name", "name")
    filterset_class = ProgrammeFilter

    def perform_create(self, serializer):
        serializer.instance = catalogue.programme_create(**serializer.validated_data)


def _check_may_choose_leads(user, fields: dict) -> None:
    """Leads may change a course; who leads it is for designers and administrators, as on the
    pages (a lead who could name leads could hand the course to anyone)."""
    if "leads" in fields and not can_manage_all_courses(user):
        raise PermissionDenied(
            _("Only curriculum designers and administrators choose a course's leads.")
        )


class CourseViewSet(
    CourseOutcomesMixin,
    CourseMappingsMixin,
    CourseLifecycleMixin,
    NamedNotFoundMixin,
    viewsets.ModelViewSet,
):
    """Courses with the framework version their outcomes map to.

    Anyone signed in reads them. Course leads, curriculum designers and administrators create
    them (a course lead who creates one leads it); a course's leads, designers and administrators
    change it, with the course's ETag in If-Match.
    """

    permission_classes = [CourseAccess]
    lookup_field = "uuid"
    filterset_class = CourseFilter
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return (
            Course.objects.select_related(
                "institution", "programme", "framework", "rolled_over_from"
            )
            .prefetch_related("leads")
            .order_by("-academic_year", "semester", "code", "id")
        )

    def get_serializer_class(self):
        if self.action in ("create", "partial_update"):
            return CourseWriteSerializer
        return CourseSerializer

    def get_serializer(self, *args, **kwargs):
        # A stale edit (412) answers with the current course as it reads, not as it writes.
        if args and isinstance(args[0], Course) and "data" not in kwargs:
            return CourseSerializer(*args, context=self.get_serializer_context(), **kwargs)
        return super().get_serializer(*args, **kwargs)

    def course_response(self, course, status_code=status.HTTP_200_OK):
        course = self.get_queryset().get(pk=course.pk)
        data = CourseSerializer(course, context=self.get_serializer_context()).data
        return Response(data, status=status_code, headers={"ETag": revision_etag(course.revision)})

    def retrieve(self, request, *args, **kwargs):
        return self.course_response(self.get_object())

    @extend_schema(responses={201: CourseSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        _check_may_choose_leads(request.user, fields)
        # A course lead who creates a course leads it; designers choose its leads.
        leads = list(fields.pop("leads", [])) or [request.user]
        course = catalogue.course_create(leads=leads, **fields)
        return self.course_response(course, status.HTTP_201_CREATED)

    @extend_schema(parameters=[IF_MATCH], responses={200: CourseSerializer})
    def partial_update(self, request, *args, **kwargs):
        course = self.get_object()
        serializer = self.get_serializer(course, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        _check_may_choose_leads(request.user, changes)
        # Validation let it through only unchanged: a framework change is a remap.
        changes.pop("framework", None)
        course = catalogue.course_update(
            course=course, expected_revision=expected_revision(request), **changes
        )
        return self.course_response(course)

    @extend_schema(parameters=[IF_MATCH])
    def destroy(self, request, *args, **kwargs):
        catalogue.course_delete(
            course=self.get_object(), expected_revision=expected_revision(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
