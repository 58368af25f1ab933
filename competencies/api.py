from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, viewsets
from rest_framework.response import Response

from competencies import selectors
from competencies.filters import CapabilityFilter
from competencies.models import Capability, Framework
from competencies.permissions import can_view_framework
from competencies.serializers import (
    CapabilitySerializer,
    FrameworkSummarySerializer,
    FrameworkTreeSerializer,
)
from eisen.rest import NamedNotFoundMixin


class CanReadFramework(permissions.BasePermission):
    """Anyone may read published frameworks; drafts only designers and administrators."""

    message = _(
        "This framework is a draft, readable only by curriculum designers and administrators."
    )

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS

    def has_object_permission(self, request, view, obj):
        framework = obj if isinstance(obj, Framework) else obj.framework
        return can_view_framework(request.user, framework)


class FrameworkViewSet(NamedNotFoundMixin, viewsets.ReadOnlyModelViewSet):
    """Competency frameworks. A framework's detail nests its domains and capabilities."""

    permission_classes = [CanReadFramework]
    lookup_field = "uuid"
    filterset_fields = ["status", "slug", "language"]
    serializer_class = FrameworkSummarySerializer

    def get_queryset(self):
        # Drafts are left out of lists; their detail answers 403 instead of 404.
        if self.action == "list":
            frameworks = selectors.frameworks_visible_to(self.request.user)
        else:
            frameworks = Framework.objects.all()
        return frameworks.select_related("previous_version").order_by("title", "version_label")

    @extend_schema(responses=FrameworkTreeSerializer)
    def retrieve(self, request, *args, **kwargs):
        # framework_tree() is already in the documented shape; serialising it field by field
        # would double the cost of a large framework for nothing.
        return Response(selectors.framework_tree(self.get_object()))


class CapabilityViewSet(NamedNotFoundMixin, viewsets.ReadOnlyModelViewSet):
    """Capabilities of the frameworks you may read; filter by framework, domain, theme or text."""

    permission_classes = [CanReadFramework]
    lookup_field = "uuid"
    serializer_class = CapabilitySerializer
    filterset_class = CapabilityFilter

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
