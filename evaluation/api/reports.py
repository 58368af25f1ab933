"""The reports as read-only JSON: per mechanism, per capability and per course.

The same read models as the report pages, chosen by the same forms. A quote's words appear only
where its speaker allows verbatim quotes; otherwise `quote` is null and `quote_withheld` true.
"""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from courses.models import Course
from eisen.rest import NamedNotFoundMixin
from evaluation.api.common import EvaluatorsOnly
from evaluation.forms.reports import (
    CapabilityReportForm,
    LogicModelChoiceForm,
    MechanismReportForm,
)
from evaluation.models import FocusGroup, FormativeAction, Phase, Verdict
from evaluation.selectors.reports_capabilities import capability_report
from evaluation.selectors.reports_courses import course_report, courses_with_focus_groups
from evaluation.selectors.reports_mechanisms import mechanism_report

COUNTS_HELP = "Excerpts counted once each, whether linked directly or through a code."


class CountsField(serializers.DictField):
    def __init__(self, **kwargs):
        super().__init__(child=serializers.IntegerField(), **kwargs)


class QuoteSerializer(serializers.Serializer):
    excerpt = serializers.UUIDField()
    quote = serializers.CharField(
        allow_null=True, help_text="The words; null when the speaker's consent withholds them."
    )
    quote_withheld = serializers.BooleanField(source="withheld")
    pseudonym = serializers.CharField(help_text="Empty when the speaker is not a participant.")
    course = serializers.UUIDField()
    course_code = serializers.CharField()
    phase = serializers.ChoiceField(choices=Phase.choices)
    session = serializers.CharField(help_text="The focus group's title.")
    is_exemplar = serializers.BooleanField()
    codes = serializers.IntegerField(help_text="How many codes the excerpt carries.")


class PhaseEvidenceSerializer(serializers.Serializer):
    phase = serializers.ChoiceField(choices=Phase.choices)
    valence = CountsField(help_text="positive, negative, mixed and neutral: " + COUNTS_HELP)
    total = serializers.IntegerField()


class VerdictSerializer(serializers.Serializer):
    phase = serializers.ChoiceField(choices=Phase.choices)
    verdict = serializers.ChoiceField(choices=Verdict.choices)
    reflection = serializers.CharField(allow_blank=True)


class MechanismEvidenceSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="uuid")
    name = serializers.CharField()
    assumption = serializers.CharField()
    reflection = serializers.CharField(allow_blank=True)
    phases = PhaseEvidenceSerializer(many=True, help_text="Formative first, then summative.")
    stances = CountsField(help_text="supports, challenges and mixed, of direct links only.")
    total = serializers.IntegerField()


class MechanismSummarySerializer(MechanismEvidenceSerializer):
    verdicts = VerdictSerializer(many=True, help_text="Formative first, then summative.")
    quotes = QuoteSerializer(many=True, help_text="At most three: exemplars, then most codes.")


class LogicModelReferenceSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="uuid")
    title = serializers.CharField()


class MechanismReportSerializer(serializers.Serializer):
    logic_model = LogicModelReferenceSerializer(allow_null=True)
    mechanisms = MechanismSummarySerializer(many=True)


class CapabilityEvidenceSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text=COUNTS_HELP)
    valence = CountsField()
    stances = CountsField(help_text="Of direct links only.")


class CapabilityRowSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="uuid")
    code = serializers.CharField()
    title = serializers.CharField()
    depth = serializers.IntegerField()
    courses = serializers.IntegerField(help_text="Courses with an outcome mapped to it.")
    outcomes = serializers.IntegerField(help_text="Learning outcomes mapped to it.")
    highest = serializers.CharField(
        allow_blank=True,
        help_text="The highest emphasis of the outcomes mapped to it (I, R or M); empty when "
        "nothing maps to it.",
    )
    evidence = CapabilityEvidenceSerializer()
    taught_not_discussed = serializers.BooleanField()
    discussed_not_taught = serializers.BooleanField()


class CapabilityDomainSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    rows = CapabilityRowSerializer(many=True)


class FrameworkReferenceSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="uuid")
    title = serializers.CharField()
    version = serializers.CharField(source="version_label")


class CapabilityReportSerializer(serializers.Serializer):
    framework = FrameworkReferenceSerializer(allow_null=True)
    courses = serializers.IntegerField(help_text="Courses on a version of the framework.")
    domains = CapabilityDomainSerializer(many=True)


class CourseReferenceSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="uuid")
    code = serializers.CharField()
    title = serializers.CharField()
    academic_year = serializers.IntegerField()


class CourseWithFocusGroupsSerializer(CourseReferenceSerializer):
    focus_groups = serializers.IntegerField(source="focus_group_count")
    excerpts = serializers.IntegerField(source="excerpt_count", help_text="Excerpts counted.")


class FocusGroupRowSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="uuid")
    title = serializers.CharField()
    phase = serializers.ChoiceField(choices=Phase.choices)
    held_on = serializers.DateField()
    audience = serializers.ChoiceField(choices=FocusGroup.Audience.choices)
    participants = serializers.IntegerField()


class FormativeActionRowSerializer(serializers.ModelSerializer):
    mechanism = serializers.UUIDField(source="mechanism.uuid", allow_null=True, default=None)

    class Meta:
        model = FormativeAction
        fields = [
            "finding",
            "mechanism",
            "change_made",
            "changed_on",
            "recheck",
            "rechecked_on",
            "status",
        ]


class DiscussedCapabilitySerializer(serializers.Serializer):
    id = serializers.UUIDField(source="uuid")
    code = serializers.CharField()
    title = serializers.CharField()
    domain = serializers.CharField()
    evidence = CapabilityEvidenceSerializer()


class CourseReportSerializer(serializers.Serializer):
    course = CourseReferenceSerializer()
    logic_model = LogicModelReferenceSerializer(allow_null=True)
    focus_groups = FocusGroupRowSerializer(many=True)
    mechanisms = MechanismEvidenceSerializer(many=True)
    quotes = QuoteSerializer(many=True, help_text="At most five: exemplars, then most codes.")
    actions = FormativeActionRowSerializer(many=True, help_text="The formative action log.")
    capabilities = DiscussedCapabilitySerializer(
        many=True, help_text="At most ten, the most discussed first."
    )


class OneObjectSchema(AutoSchema):
    """A report is its viewset's `list` route, but answers one object, not a list."""

    def _is_list_view(self, serializer=None):
        return False


BAD_CHOICE = OpenApiResponse(
    response=OpenApiTypes.OBJECT, description="A parameter that names nothing, with why."
)
LOGIC_MODEL_PARAMETER = OpenApiParameter(
    "logic_model", OpenApiTypes.UUID, description="By default, the first logic model by title."
)


def refused(form) -> Response:
    return Response(
        {field: list(messages) for field, messages in form.errors.items()},
        status=status.HTTP_400_BAD_REQUEST,
    )


class MechanismReportViewSet(viewsets.ViewSet):
    """Per mechanism of a logic model: evidence by phase and valence, verdicts, top quotes."""

    permission_classes = [EvaluatorsOnly]
    schema = OneObjectSchema()

    @extend_schema(
        parameters=[
            LOGIC_MODEL_PARAMETER,
            OpenApiParameter(
                "course",
                OpenApiTypes.UUID,
                many=True,
                description="Only these courses' focus groups (repeat the parameter).",
            ),
            OpenApiParameter(
                "audience",
                str,
                enum=FocusGroup.Audience.values,
                description="Only focus groups with this audience.",
            ),
        ],
        responses={200: MechanismReportSerializer, 400: BAD_CHOICE},
    )
    def list(self, request):
        form = MechanismReportForm(request.query_params)
        if not form.is_valid():
            return refused(form)
        logic_model = form.chosen_logic_model()
        mechanisms = (
            mechanism_report(
                logic_model,
                courses=list(form.cleaned_data["course"]),
                audience=form.cleaned_data["audience"] or None,
            )
            if logic_model
            else []
        )
        return Response(
            MechanismReportSerializer({"logic_model": logic_model, "mechanisms": mechanisms}).data
        )


class CapabilityReportViewSet(viewsets.ViewSet):
    """Per capability of a framework version: feedback evidence beside coverage."""

    permission_classes = [EvaluatorsOnly]
    schema = OneObjectSchema()

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "framework",
                OpenApiTypes.UUID,
                description="By default, the newest version of the framework most courses map to.",
            )
        ],
        responses={200: CapabilityReportSerializer, 400: BAD_CHOICE},
    )
    def list(self, request):
        form = CapabilityReportForm(request.query_params)
        if not form.is_valid():
            return refused(form)
        return Response(
            CapabilityReportSerializer(capability_report(form.cleaned_data["framework"])).data
        )


class CourseReportViewSet(NamedNotFoundMixin, viewsets.GenericViewSet):
    """Courses with focus groups, and the report of one of them."""

    permission_classes = [EvaluatorsOnly]
    queryset = Course.objects.select_related("institution", "framework")
    lookup_field = "uuid"
    serializer_class = CourseReportSerializer
    pagination_class = None

    @extend_schema(responses=CourseWithFocusGroupsSerializer(many=True))
    def list(self, request):
        """The courses that held focus groups, with how many excerpts are counted."""
        return Response(
            CourseWithFocusGroupsSerializer(courses_with_focus_groups(), many=True).data
        )

    @extend_schema(
        parameters=[LOGIC_MODEL_PARAMETER],
        responses={200: CourseReportSerializer, 400: BAD_CHOICE},
    )
    def retrieve(self, request, uuid=None):
        """The course's focus groups, evidence per mechanism, top quotes, formative action log
        and most discussed capabilities."""
        course = self.get_object()
        form = LogicModelChoiceForm(request.query_params)
        if not form.is_valid():
            return refused(form)
        return Response(
            CourseReportSerializer(
                course_report(course, logic_model=form.chosen_logic_model())
            ).data
        )


ROUTES = [
    ("reports/mechanisms", MechanismReportViewSet, "evaluation-mechanism-report"),
    ("reports/capabilities", CapabilityReportViewSet, "evaluation-capability-report"),
    ("reports/courses", CourseReportViewSet, "evaluation-course-report"),
]
