"""The one REST API router, under /api/v1/. Each app contributes its viewsets here."""

from rest_framework.routers import DefaultRouter

from competencies.api.capabilities import AssociationViewSet, CapabilityViewSet, CommentViewSet
from competencies.api.frameworks import DomainViewSet, FrameworkViewSet
from competencies.api.interchange import FrameworkImportViewSet
from courses.api.catalogue import CourseViewSet, InstitutionViewSet, ProgrammeViewSet
from courses.api.coverage import CoverageViewSet
from courses.api.mapping import MappingViewSet
from courses.api.outcomes import OutcomeViewSet
from eisen.export_api import ExportJobViewSet
from evaluation.api.routes import register_evaluation_routes

router = DefaultRouter()
router.register("frameworks", FrameworkViewSet, basename="framework")
router.register("domains", DomainViewSet, basename="domain")
router.register("capabilities", CapabilityViewSet, basename="capability")
router.register("associations", AssociationViewSet, basename="association")
router.register("comments", CommentViewSet, basename="comment")
router.register("framework-imports", FrameworkImportViewSet, basename="framework-import")
router.register("institutions", InstitutionViewSet, basename="institution")
router.register("programmes", ProgrammeViewSet, basename="programme")
router.register("courses", CourseViewSet, basename="course")
router.register("outcomes", OutcomeViewSet, basename="outcome")
router.register("mappings", MappingViewSet, basename="mapping")
router.register("coverage", CoverageViewSet, basename="coverage")
register_evaluation_routes(router)
router.register("exports", ExportJobViewSet, basename="export")
