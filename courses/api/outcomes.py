"""Learning outcomes in the API, with the Bloom level their leading verb suggests."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from courses.api import COURSE_ACTION
from courses.api.permissions import CourseContentAccess, require_course_editor
from courses.api.serializers import OrderSerializer, OutcomeSerializer, OutcomeWriteSerializer
from courses.filters import OutcomeFilter
from courses.models import LearningOutcome
from courses.services import outcomes
from eisen.rest import NamedNotFoundMixin, expected_revision, revision_etag

IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="The outcome's ETag; a stale one answers 412 with the outcome as it is now.",
)


class OutcomeViewSet(NamedNotFoundMixin, viewsets.ModelViewSet):
    """Learning outcomes of courses; filter with `course`.

    Reads carry the Bloom level (chosen by the lead, or suggested from the leading verb) and a
    warning when the outcome does not start with an observable verb. Changing or removing an
    outcome needs its ETag in If-Match.
    """

    permission_classes = [CourseContentAccess]
    lookup_field = "uuid"
    filterset_class = OutcomeFilter
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return LearningOutcome.objects.select_related("course").order_by(
            "course__academic_year", "course__code", "course_id", "position"
        )

    def get_serializer_class(self):
        if self.action in ("create", "partial_update"):
            return OutcomeWriteSerializer
        return OutcomeSerializer

    def get_serializer(self, *args, **kwargs):
        # A stale edit (412) answers with the current outcome as it reads, not as it writes.
        if args and isinstance(args[0], LearningOutcome) and "data" not in kwargs:
            return OutcomeSerializer(*args, context=self.get_serializer_context(), **kwargs)
        return super().get_serializer(*args, **kwargs)

    def _read(self, outcome, status_code=status.HTTP_200_OK):
        data = OutcomeSerializer(outcome, context=self.get_serializer_context()).data
        return Response(data, status=status_code, headers={"ETag": revision_etag(outcome.revision)})

    def retrieve(self, request, *args, **kwargs):
        return self._read(self.get_object())

    @extend_schema(responses={201: OutcomeSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        require_course_editor(request.user, fields["course"])
        outcome = outcomes.outcome_create(**fields)
        return self._read(outcome, status.HTTP_201_CREATED)

    @extend_schema(parameters=[IF_MATCH], responses={200: OutcomeSerializer})
    def partial_update(self, request, *args, **kwargs):
        outcome = self.get_object()
        serializer = self.get_serializer(outcome, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        changes.pop("course", None)
        outcome = outcomes.outcome_update(
            outcome=outcome, expected_revision=expected_revision(request), **changes
        )
        return self._read(outcome)

    @extend_schema(parameters=[IF_MATCH])
    def destroy(self, request, *args, **kwargs):
        outcomes.outcome_delete(
            outcome=self.get_object(), expected_revision=expected_revision(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class CourseOutcomesMixin:
    """The course endpoint's action on its outcomes as a whole."""

    @extend_schema(request=OrderSerializer, responses={200: OutcomeSerializer(many=True)})
    @action(detail=True, methods=["post"], url_path="outcomes/reorder", **COURSE_ACTION)
    def reorder_outcomes(self, request, uuid=None):
        """Put the course's outcomes in the given order; the list must name each one once."""
        course = self.get_object()
        serializer = OrderSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ordered = outcomes.outcomes_reorder(course=course, order=serializer.validated_data["order"])
        return Response(
            OutcomeSerializer(ordered, many=True, context=self.get_serializer_context()).data
        )
