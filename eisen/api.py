"""The one REST API router, under /api/v1/. Each app contributes its viewsets here."""

from rest_framework.routers import DefaultRouter

from competencies.api import CapabilityViewSet, FrameworkViewSet

router = DefaultRouter()
router.register("frameworks", FrameworkViewSet, basename="framework")
router.register("capabilities", CapabilityViewSet, basename="capability")
