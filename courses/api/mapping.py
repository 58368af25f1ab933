"""Mappings of learning outcomes to capabilities in the API, one at a time or a grid at once."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from courses.api import COURSE_ACTION
from courses.api.permissions import CourseContentAccess, require_course_editor
from courses.api.serializers import BulkSaveSerializer, MappingSerializer, MappingWriteSerializer
from courses.filters import MappingFilter
from courses.models import OutcomeMapping
from courses.services import mapping
from eisen.rest import NamedNotFoundMixin


def mappings_for_reading():
    return OutcomeMapping.objects.select_related("outcome__course", "capability__domain").order_by(
        "outcome__course__academic_year",
        "outcome__course__code",
        "outcome__position",
        "capability__domain__position",
        "capability__position",
        "id",
    )


class MappingViewSet(NamedNotFoundMixin, viewsets.ModelViewSet):
    """Which capabilities each learning outcome develops, with an emphasis: I (Introduced),
    R (Reinforced) or M (Mastered). Filter with `course`, `outcome`, `capability`, `emphasis`.

    A mapping is to a capability of the framework version the outcome's course maps to.
    """

    permission_classes = [CourseContentAccess]
    filterset_class = MappingFilter
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return mappings_for_reading()

    def get_serializer_class(self):
        if self.action in ("create", "partial_update"):
            return MappingWriteSerializer
        return MappingSerializer

    def _read(self, saved, status_code=status.HTTP_200_OK):
        saved = self.get_queryset().get(pk=saved.pk)
        data = MappingSerializer(saved, context=self.get_serializer_context()).data
        return Response(data, status=status_code)

    @extend_schema(responses={201: MappingSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        require_course_editor(request.user, fields["outcome"].course)
        return self._read(mapping.outcome_map(**fields), status.HTTP_201_CREATED)

    @extend_schema(responses={200: MappingSerializer})
    def partial_update(self, request, *args, **kwargs):
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        return self._read(
            mapping.mapping_update(mapping=serializer.instance, **serializer.validated_data)
        )

    def perform_destroy(self, instance):
        mapping.mapping_delete(mapping=instance)


class CourseMappingsMixin:
    """The course endpoint's action on the grid of its outcomes by capabilities."""

    @extend_schema(
        request=BulkSaveSerializer,
        responses={
            200: OpenApiResponse(
                MappingSerializer(many=True),
                description="The mappings of the changed cells as they are now.",
            ),
            400: OpenApiResponse(description="Each refused change; nothing was saved."),
            409: OpenApiResponse(
                description="Someone else changed a cell since it was read; nothing was saved."
            ),
        },
    )
    @action(detail=True, methods=["post"], url_path="mappings/bulk", **COURSE_ACTION)
    def bulk_mappings(self, request, uuid=None):
        """Save many grid cells at once: all of them, or none when any is refused."""
        course = self.get_object()
        serializer = BulkSaveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = [mapping.GridChange(**change) for change in serializer.validated_data["changes"]]
        saved = mapping.mappings_bulk_save(course=course, changes=changes)
        return Response(
            MappingSerializer(
                mappings_for_reading().filter(pk__in=[item.pk for item in saved]),
                many=True,
                context=self.get_serializer_context(),
            ).data
        )
