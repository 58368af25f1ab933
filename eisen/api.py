"""The one REST API router, under /api/v1/. Each app contributes its viewsets here."""

from rest_framework.routers import DefaultRouter

from competencies.api.capabilities import AssociationViewSet, CapabilityViewSet, CommentViewSet
from competencies.api.frameworks import DomainViewSet, FrameworkViewSet
from competencies.api.interchange import FrameworkImportViewSet

router = DefaultRouter()
router.register("frameworks", FrameworkViewSet, basename="framework")
router.register("domains", DomainViewSet, basename="domain")
router.register("capabilities", CapabilityViewSet, basename="capability")
router.register("associations", AssociationViewSet, basename="association")
router.register("comments", CommentViewSet, basename="comment")
router.register("framework-imports", FrameworkImportViewSet, basename="framework-import")
