"""A course across years and framework versions in the API: rollover and remap."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from competencies.models import Framework
from courses.api import COURSE_ACTION
from courses.api.serializers import FRAMEWORK_NOT_FOUND, CourseSerializer
from courses.models import RemapReport
from courses.services import rollover
from eisen.rest import expected_revision


class RolloverSerializer(serializers.Serializer):
    academic_year = serializers.IntegerField(help_text="The year the copy starts, e.g. 2027.")


class RemapSerializer(serializers.Serializer):
    framework = serializers.SlugRelatedField(
        slug_field="uuid",
        queryset=Framework.objects.all(),
        error_messages={"does_not_exist": FRAMEWORK_NOT_FOUND},
        help_text="A later published version of the course's framework.",
    )


class FrameworkVersionSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)

    class Meta:
        model = Framework
        fields = ["id", "title", "version_label", "published_at"]
        read_only_fields = fields


class LostMappingSerializer(serializers.Serializer):
    outcome = serializers.CharField(help_text="The outcome's code.")
    outcome_text = serializers.CharField()
    capability = serializers.CharField(help_text="The code of the capability it mapped to.")
    capability_title = serializers.CharField()
    domain = serializers.CharField()
    emphasis = serializers.CharField()
    note = serializers.CharField(allow_blank=True)


class RemapReportSerializer(serializers.ModelSerializer):
    course = serializers.UUIDField(source="course.uuid", read_only=True)
    from_framework = FrameworkVersionSerializer(read_only=True)
    to_framework = FrameworkVersionSerializer(read_only=True)
    not_carried_over = LostMappingSerializer(many=True, read_only=True)
    created_by = serializers.CharField(
        source="created_by.username", default=None, read_only=True, allow_null=True
    )

    class Meta:
        model = RemapReport
        fields = [
            "id",
            "course",
            "from_framework",
            "to_framework",
            "carried_over",
            "not_carried_over",
            "created_by",
            "created_at",
            "resolved_at",
        ]
        read_only_fields = fields


COURSE_IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="The course's ETag; a stale one answers 412 with the course as it is now.",
)


def _reports():
    return RemapReport.objects.select_related(
        "course", "from_framework", "to_framework", "created_by"
    ).order_by("-created_at", "-id")


class CourseLifecycleMixin:
    """The course endpoint's actions that carry a course into a new year or framework version."""

    @extend_schema(request=RolloverSerializer, responses={201: CourseSerializer})
    @action(detail=True, methods=["post"], **COURSE_ACTION)
    def rollover(self, request, uuid=None):
        """Copy the course, with its leads, outcomes and mappings, to another academic year."""
        course = self.get_object()
        serializer = RolloverSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        copy = rollover.course_rollover(
            course=course, academic_year=serializer.validated_data["academic_year"]
        )
        return self.course_response(copy, status.HTTP_201_CREATED)

    @extend_schema(
        request=RemapSerializer,
        parameters=[COURSE_IF_MATCH],
        responses={201: RemapReportSerializer},
    )
    @action(detail=True, methods=["post"], **COURSE_ACTION)
    def remap(self, request, uuid=None):
        """Move the course to a later version of its framework; each mapping follows its
        capability's lineage. The report lists the mappings that could not be carried over."""
        course = self.get_object()
        serializer = RemapSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = rollover.course_remap(
            course=course,
            framework=serializer.validated_data["framework"],
            expected_revision=expected_revision(request),
            user=request.user,
        )
        return Response(
            RemapReportSerializer(_reports().get(pk=report.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(responses={200: FrameworkVersionSerializer(many=True)})
    @action(detail=True, methods=["get"], url_path="remap-targets", **COURSE_ACTION)
    def remap_targets(self, request, uuid=None):
        """The later published versions of the course's framework, newest first."""
        targets = rollover.remap_targets(self.get_object())
        return Response(FrameworkVersionSerializer(targets, many=True).data)

    @extend_schema(responses={200: RemapReportSerializer(many=True)})
    @action(detail=True, methods=["get"], url_path="remap-reports", **COURSE_ACTION)
    def remap_reports(self, request, uuid=None):
        """The course's remap reports, newest first."""
        reports = _reports().filter(course=self.get_object())
        return Response(RemapReportSerializer(reports, many=True).data)

    @extend_schema(
        request=None,
        parameters=[OpenApiParameter("report_id", int, OpenApiParameter.PATH)],
        responses={200: RemapReportSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"remap-reports/(?P<report_id>[0-9]+)/resolve",
        **COURSE_ACTION,
    )
    def resolve_remap_report(self, request, uuid=None, report_id=None):
        """Mark a remap report resolved, once the lead has mapped again what was not carried."""
        course = self.get_object()
        report = _reports().filter(course=course, pk=report_id).first()
        if report is None:
            raise NotFound(
                _("%(course)s has no remap report %(report)s.")
                % {"course": course.code, "report": report_id}
            )
        report = rollover.remap_report_resolve(report=report)
        return Response(RemapReportSerializer(report).data)
