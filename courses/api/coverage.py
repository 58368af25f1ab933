"""Coverage of a framework by a selection of courses, and its gaps, as JSON.

The selection is read by the same form as the coverage page and its downloads, so one query
string gives the same answer everywhere. The serializers below only document, in the OpenAPI
schema, the shape that courses.coverage builds; tests hold the two together.
"""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from courses.api.permissions import CourseContentAccess
from courses.coverage import coverage_as_data, gaps_as_data
from courses.coverage_selection import CoverageSelectionForm
from courses.models import Emphasis


class CoverageFrameworkSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    title = serializers.CharField()
    version = serializers.CharField()


class CoverageCourseSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    code = serializers.CharField()
    title = serializers.CharField()
    academic_year = serializers.IntegerField()
    semester = serializers.IntegerField()
    eqf_level = serializers.IntegerField()


class CoverageDomainSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    capabilities = serializers.IntegerField(help_text="How many capabilities the domain has.")
    covered = serializers.IntegerField(help_text="How many of them some outcome maps to.")
    course_totals = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Per course, in the order of `courses`: how many of the domain's capabilities "
        "it maps to.",
    )


class CoverageCapabilityReferenceSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    code = serializers.CharField()
    title = serializers.CharField()
    domain = serializers.CharField(help_text="The domain's name.")


class CoverageOutcomeSerializer(serializers.Serializer):
    code = serializers.CharField()
    emphasis = serializers.ChoiceField(choices=Emphasis.choices)


class CoverageCellSerializer(serializers.Serializer):
    course = serializers.IntegerField(help_text="Index of the course in `courses`.")
    emphasis = serializers.ChoiceField(
        choices=Emphasis.choices, help_text="The highest emphasis of the outcomes behind the cell."
    )
    outcomes = CoverageOutcomeSerializer(many=True)


class CoverageRowSerializer(CoverageCapabilityReferenceSerializer):
    highest = serializers.CharField(
        allow_blank=True,
        help_text="The highest emphasis over all the courses (I, R or M); empty when no course "
        "maps to the capability.",
    )
    cells = CoverageCellSerializer(many=True, help_text="Only the cells that hold a mapping.")


class UnmappedOutcomeSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    code = serializers.CharField()
    text = serializers.CharField()
    course = serializers.UUIDField()
    course_code = serializers.CharField()


class ProgressionProblemSerializer(serializers.Serializer):
    capability = CoverageCapabilityReferenceSerializer()
    course = serializers.UUIDField()
    course_code = serializers.CharField()
    semester = serializers.IntegerField()
    outcomes = serializers.ListField(
        child=serializers.CharField(), help_text="Codes of the outcomes that Master it."
    )
    message = serializers.CharField()


class GapsSerializer(serializers.Serializer):
    unmapped_capabilities = CoverageCapabilityReferenceSerializer(
        many=True, help_text="Capabilities no outcome of the selection maps to."
    )
    introduced_only = CoverageCapabilityReferenceSerializer(
        many=True, help_text="Capabilities the selection only ever Introduces."
    )
    unmapped_outcomes = UnmappedOutcomeSerializer(
        many=True, help_text="Outcomes of the selection mapped to nothing."
    )
    progression = ProgressionProblemSerializer(
        many=True,
        help_text="Within a programme: capabilities Mastered with no earlier course Introducing "
        "or Reinforcing them.",
    )


class CoverageSerializer(serializers.Serializer):
    framework = CoverageFrameworkSerializer(allow_null=True)
    courses = CoverageCourseSerializer(many=True, help_text="The columns of the matrix.")
    other_framework_courses = serializers.ListField(
        child=serializers.UUIDField(),
        help_text="Selected courses left out because they map to another framework.",
    )
    mappings_outside_version = serializers.IntegerField(
        help_text="Mappings to capabilities this framework version no longer has."
    )
    domains = CoverageDomainSerializer(many=True)
    capabilities = CoverageRowSerializer(many=True, help_text="The rows of the matrix.")
    gaps = GapsSerializer()


SELECTION_PARAMETERS = [
    OpenApiParameter("programme", int, description="Courses of this programme."),
    OpenApiParameter("institution", int, description="Courses of this institution."),
    OpenApiParameter("eqf_level", int, enum=[7, 8], description="Courses at this EQF level."),
    OpenApiParameter("academic_year", int, description="Courses of the year starting then."),
    OpenApiParameter(
        "course",
        OpenApiTypes.UUID,
        many=True,
        description="These courses (repeat the parameter); with the others, those of them "
        "that match.",
    ),
    OpenApiParameter(
        "framework",
        OpenApiTypes.UUID,
        description="The framework version to show; by default the newest one the courses map to.",
    ),
]
BAD_SELECTION = OpenApiResponse(
    response=OpenApiTypes.OBJECT, description="A parameter that names nothing, with why."
)


class OneObjectSchema(AutoSchema):
    """The coverage is the viewset's `list` route, but answers one object, not a list."""

    def _is_list_view(self, serializer=None):
        return False


class CoverageViewSet(viewsets.ViewSet):
    """Coverage and gaps for a programme, an institution, an EQF level or chosen courses.

    The parameters combine; none selects every course.
    """

    permission_classes = [CourseContentAccess]
    schema = OneObjectSchema()

    def _selection(self, request):
        form = CoverageSelectionForm(request.query_params)
        if not form.is_valid():
            return None, Response(
                {field: list(messages) for field, messages in form.errors.items()},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return form.coverage(), None

    @extend_schema(
        parameters=SELECTION_PARAMETERS,
        responses={200: CoverageSerializer, 400: BAD_SELECTION},
    )
    def list(self, request):
        """The heatmap: capabilities by courses, each cell the highest emphasis with its
        outcomes; totals per domain; and the gap lists."""
        result, refusal = self._selection(request)
        return refusal or Response(coverage_as_data(result))

    @extend_schema(
        parameters=SELECTION_PARAMETERS,
        responses={200: GapsSerializer, 400: BAD_SELECTION},
    )
    @action(detail=False, methods=["get"])
    def gaps(self, request):
        """Capabilities nothing maps to, capabilities only Introduced, outcomes mapped to
        nothing, and progression problems."""
        result, refusal = self._selection(request)
        return refusal or Response(gaps_as_data(result))
