from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from competencies import selectors
from competencies.api.interchange import FrameworkInterchangeMixin
from competencies.api.permissions import FrameworkAccess
from competencies.comparison import framework_compare
from competencies.models import Domain, Framework
from competencies.permissions import can_view_framework
from competencies.serializers import (
    DomainSerializer,
    FrameworkSummarySerializer,
    FrameworkTreeSerializer,
    FrameworkWriteSerializer,
    MoveSerializer,
    NewVersionSerializer,
)
from competencies.services import editing, structure, versions
from eisen.rest import NamedNotFoundMixin, expected_revision, revision_etag


class FrameworkViewSet(
    FrameworkInterchangeMixin,
    NamedNotFoundMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Competency frameworks. A framework's detail nests its domains and capabilities.

    Changing one needs its ETag in If-Match; published and archived frameworks are read-only.
    """

    permission_classes = [FrameworkAccess]
    lookup_field = "uuid"
    filterset_fields = ["status", "slug", "language"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_class(self):
        if self.action in ("create", "partial_update"):
            return FrameworkWriteSerializer
        return FrameworkSummarySerializer

    def get_queryset(self):
        # Drafts are left out of lists; their detail answers 403 instead of 404.
        if self.action == "list":
            frameworks = selectors.frameworks_visible_to(self.request.user)
        else:
            frameworks = Framework.objects.all()
        return frameworks.select_related("previous_version").order_by("title", "version_label")

    def _summary(self, framework, status_code=status.HTTP_200_OK):
        data = FrameworkSummarySerializer(framework, context=self.get_serializer_context()).data
        return Response(
            data, status=status_code, headers={"ETag": revision_etag(framework.revision)}
        )

    @extend_schema(responses=FrameworkTreeSerializer)
    def retrieve(self, request, *args, **kwargs):
        framework = self.get_object()
        # framework_tree() is already in the documented shape; serialising it field by field
        # would double the cost of a large framework for nothing.
        return Response(
            selectors.framework_tree(framework),
            headers={"ETag": revision_etag(framework.revision)},
        )

    @extend_schema(responses={201: FrameworkSummarySerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        source = data.pop("copy_of", None)
        if source is None:
            framework = editing.framework_create(**data)
        else:
            if not can_view_framework(request.user, source):
                raise PermissionDenied()
            framework = versions.framework_copy(
                source=source,
                slug=data["slug"],
                title=data["title"],
                version_label=data.get("version_label", "1.0"),
            )
        return self._summary(framework, status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=True)],
        responses={200: FrameworkSummarySerializer},
    )
    def partial_update(self, request, *args, **kwargs):
        framework = self.get_object()
        serializer = self.get_serializer(framework, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        changes.pop("copy_of", None)
        framework = editing.framework_update(
            framework=framework, expected_revision=expected_revision(request), **changes
        )
        return self._summary(framework)

    @extend_schema(request=None, responses={200: FrameworkSummarySerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request, uuid=None):
        """Publish a draft; answers 400 with every problem that stops it."""
        return self._summary(versions.framework_publish(framework=self.get_object()))

    @extend_schema(request=None, responses={200: FrameworkSummarySerializer})
    @action(detail=True, methods=["post"])
    def archive(self, request, uuid=None):
        return self._summary(versions.framework_archive(framework=self.get_object()))

    @extend_schema(request=NewVersionSerializer, responses={201: FrameworkSummarySerializer})
    @action(detail=True, methods=["post"], url_path="new-version")
    def new_version(self, request, uuid=None):
        """Start a draft copy of a published version; capabilities keep their lineage."""
        serializer = NewVersionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        draft = versions.framework_new_version(
            framework=self.get_object(), version_label=serializer.validated_data["version_label"]
        )
        return self._summary(draft, status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={
            200: inline_serializer("RenumberResult", {"changed": serializers.IntegerField()})
        },
    )
    @action(detail=True, methods=["post"])
    def renumber(self, request, uuid=None):
        """Give every capability the code of its place (K1, K1.1, …)."""
        changed = structure.capabilities_renumber(framework=self.get_object())
        return Response({"changed": changed})

    @extend_schema(
        parameters=[
            OpenApiParameter("with", OpenApiTypes.UUID, required=True, description="Newer version")
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    @action(detail=True, methods=["get"])
    def compare(self, request, uuid=None):
        """What changed from this version to the one named by `with`."""
        old = self.get_object()
        other_id = request.query_params.get("with", "")
        new = get_object_or_404(Framework, uuid=other_id) if _is_uuid(other_id) else None
        if new is None:
            return Response(
                {"with": [_("Give the identifier of the framework to compare with.")]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        self.check_object_permissions(request, new)
        comparison = framework_compare(old, new)
        comparison["old"] = FrameworkSummarySerializer(old, context={"request": request}).data
        comparison["new"] = FrameworkSummarySerializer(new, context={"request": request}).data
        return Response(comparison)


def _is_uuid(value: str) -> bool:
    try:
        serializers.UUIDField().to_internal_value(value)
    except serializers.ValidationError:
        return False
    return True


class DomainViewSet(NamedNotFoundMixin, viewsets.ModelViewSet):
    """Domains of frameworks (Knowledge, Skills, Attitudes…). Edits need If-Match."""

    permission_classes = [FrameworkAccess]
    serializer_class = DomainSerializer
    lookup_field = "uuid"
    filterset_fields = {"framework__uuid": ["exact"]}
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        domains = Domain.objects.select_related("framework").order_by("framework", "position")
        if self.action == "list":
            domains = domains.filter(
                framework__in=selectors.frameworks_visible_to(self.request.user)
            )
        return domains

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = revision_etag(response.data["revision"])
        return response

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        if not can_view_framework(self.request.user, data["framework"]):
            raise PermissionDenied()
        serializer.instance = editing.domain_create(**data)

    @extend_schema(
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=True)]
    )
    def partial_update(self, request, *args, **kwargs):
        domain = self.get_object()
        serializer = self.get_serializer(domain, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        domain = editing.domain_update(
            domain=domain,
            expected_revision=expected_revision(request),
            **serializer.validated_data,
        )
        return Response(
            self.get_serializer(domain).data, headers={"ETag": revision_etag(domain.revision)}
        )

    def perform_destroy(self, instance):
        editing.domain_delete(domain=instance)

    @extend_schema(request=MoveSerializer, responses={200: DomainSerializer})
    @action(detail=True, methods=["post"])
    def move(self, request, uuid=None):
        """Put the domain at `index` (0-based) among its framework's domains."""
        domain = self.get_object()
        serializer = MoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        structure.domain_move(domain=domain, index=serializer.validated_data["index"])
        domain.refresh_from_db()
        return Response(self.get_serializer(domain).data)
