from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from competencies import selectors
from competencies.api.permissions import CommentAccess, FrameworkAccess
from competencies.filters import CapabilityFilter
from competencies.models import Capability, CapabilityAssociation, Comment
from competencies.permissions import can_comment, can_resolve_comments, can_view_framework
from competencies.serializers import (
    AssociationSerializer,
    CapabilitySerializer,
    CapabilityWriteSerializer,
    CommentSerializer,
    MoveSerializer,
)
from competencies.services import comments, editing, structure
from eisen.rest import NamedNotFoundMixin, expected_revision, revision_etag

IF_MATCH = OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=True)


class CapabilityViewSet(NamedNotFoundMixin, viewsets.ModelViewSet):
    """Capabilities of the frameworks you may read; filter by framework, domain, theme or text.

    Edits need the capability's ETag in If-Match; a stale one answers 412 with the current text.
    """

    permission_classes = [FrameworkAccess]
    lookup_field = "uuid"
    filterset_class = CapabilityFilter
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_serializer_class(self):
        if self.action in ("create", "partial_update"):
            return CapabilityWriteSerializer
        return CapabilitySerializer

    def get_queryset(self):
        if self.action == "list":
            capabilities = selectors.capabilities_visible_to(self.request.user)
        else:
            capabilities = Capability.objects.all()
        return (
            capabilities.select_related("framework", "domain", "parent")
            .prefetch_related("themes", "level_descriptors")
            .order_by(
                "framework__title", "framework__version_label", "domain__position", "position", "id"
            )
        )

    def _read(self, capability, status_code=status.HTTP_200_OK):
        capability = self.get_queryset().get(pk=capability.pk)
        data = CapabilitySerializer(capability, context=self.get_serializer_context()).data
        return Response(
            data, status=status_code, headers={"ETag": revision_etag(capability.revision)}
        )

    def retrieve(self, request, *args, **kwargs):
        return self._read(self.get_object())

    @extend_schema(responses={201: CapabilitySerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if not can_view_framework(request.user, data["domain"].framework):
            raise PermissionDenied()
        capability = editing.capability_create(**data)
        return self._read(capability, status.HTTP_201_CREATED)

    @extend_schema(parameters=[IF_MATCH], responses={200: CapabilitySerializer})
    def partial_update(self, request, *args, **kwargs):
        capability = self.get_object()
        serializer = self.get_serializer(capability, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        capability = editing.capability_update(
            capability=capability,
            expected_revision=expected_revision(request),
            **serializer.validated_data,
        )
        return self._read(capability)

    def get_serializer(self, *args, **kwargs):
        # A stale edit (412) answers with the current capability as it reads, not as it writes.
        if args and isinstance(args[0], Capability) and "data" not in kwargs:
            return CapabilitySerializer(*args, context=self.get_serializer_context(), **kwargs)
        return super().get_serializer(*args, **kwargs)

    def perform_destroy(self, instance):
        editing.capability_delete(capability=instance)

    @extend_schema(request=MoveSerializer, responses={200: CapabilitySerializer})
    @action(detail=True, methods=["post"])
    def move(self, request, uuid=None):
        """Place the capability at `index` under `parent`, at the top of `domain`, or in place."""
        capability = self.get_object()
        serializer = MoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._read(
            structure.capability_move(capability=capability, **serializer.validated_data)
        )

    def _structure(self, operation):
        return self._read(operation(capability=self.get_object()))

    @extend_schema(request=None, responses={200: CapabilitySerializer})
    @action(detail=True, methods=["post"], url_path="move-up")
    def move_up(self, request, uuid=None):
        return self._structure(structure.capability_move_up)

    @extend_schema(request=None, responses={200: CapabilitySerializer})
    @action(detail=True, methods=["post"], url_path="move-down")
    def move_down(self, request, uuid=None):
        return self._structure(structure.capability_move_down)

    @extend_schema(request=None, responses={200: CapabilitySerializer})
    @action(detail=True, methods=["post"])
    def indent(self, request, uuid=None):
        return self._structure(structure.capability_indent)

    @extend_schema(request=None, responses={200: CapabilitySerializer})
    @action(detail=True, methods=["post"])
    def outdent(self, request, uuid=None):
        return self._structure(structure.capability_outdent)


class AssociationViewSet(
    NamedNotFoundMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Typed links between capabilities (CASE association types), also across frameworks."""

    permission_classes = [FrameworkAccess]
    serializer_class = AssociationSerializer
    lookup_field = "uuid"
    filterset_fields = {"origin__uuid": ["exact"], "destination__uuid": ["exact"]}

    def get_queryset(self):
        associations = CapabilityAssociation.objects.select_related(
            "origin__framework", "destination"
        ).order_by("origin__code", "destination__code", "id")
        if self.action == "list":
            visible = selectors.frameworks_visible_to(self.request.user)
            associations = associations.filter(origin__framework__in=visible)
        return associations

    def perform_create(self, serializer):
        data = serializer.validated_data
        for end in (data["origin"], data["destination"]):
            if not can_view_framework(self.request.user, end.framework):
                raise PermissionDenied()
        serializer.instance = editing.association_create(**data)

    def perform_destroy(self, instance):
        editing.association_delete(association=instance)


class CommentViewSet(
    NamedNotFoundMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Comments on capabilities by anyone signed in; designers and administrators resolve them."""

    permission_classes = [CommentAccess]
    serializer_class = CommentSerializer
    filterset_fields = {
        "capability__uuid": ["exact"],
        "capability__framework__uuid": ["exact"],
        "resolved_at": ["isnull"],
    }

    def get_queryset(self):
        visible = selectors.frameworks_visible_to(self.request.user)
        return (
            Comment.objects.filter(capability__framework__in=visible)
            .select_related("capability__framework", "author", "resolved_by")
            .order_by("created_at", "id")
        )

    def perform_create(self, serializer):
        capability = serializer.validated_data["capability"]
        if not can_comment(self.request.user, capability.framework):
            raise PermissionDenied()
        serializer.instance = comments.comment_add(
            capability=capability, author=self.request.user, text=serializer.validated_data["text"]
        )

    @extend_schema(request=None, responses={200: CommentSerializer})
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        if not can_resolve_comments(request.user):
            raise PermissionDenied("Only curriculum designers and administrators resolve comments.")
        comment = comments.comment_resolve(comment=self.get_object(), user=request.user)
        return Response(self.get_serializer(comment).data)
