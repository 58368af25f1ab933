"""Frameworks in and out of the API as files: import, export, and a previewed update of a draft."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from competencies.downloads import framework_file_response
from competencies.interchange.formats import (
    EXPORT_KINDS,
)
from competencies.interchange.imported import ImportRefused
from competencies.models import FrameworkImport
from competencies.permissions import can_manage_frameworks
from competencies.services import importing
from competencies.services.rules import require_editable
from eisen.rest import NamedNotFoundMixin
from eisen.uploads import FRAMEWORK_FILE, UploadValidator


class FrameworkFileSerializer(serializers.Serializer):
    file = serializers.FileField(validators=[UploadValidator(FRAMEWORK_FILE, label="file")])
    file_format = serializers.ChoiceField(
        choices=FrameworkImport.Format.choices,
        required=False,
        allow_blank=True,
        help_text="Left out: recognised from the content.",
    )


class FrameworkImportSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    framework = serializers.UUIDField(source="framework.uuid", read_only=True)
    framework_title = serializers.CharField(source="framework.__str__", read_only=True)
    imported_by = serializers.CharField(source="imported_by.username", default=None)
    report = serializers.SerializerMethodField()

    class Meta:
        model = FrameworkImport
        fields = [
            "id",
            "framework",
            "framework_title",
            "file_format",
            "action",
            "status",
            "source_name",
            "size",
            "imported_by",
            "created_at",
            "summary",
            "report",
        ]
        read_only_fields = fields

    def get_report(self, record) -> list[dict[str, str]]:
        return [{"where": where, "message": message} for where, message in record.report]


def _uploaded(request) -> dict:
    serializer = FrameworkFileSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    upload = serializer.validated_data["file"]
    return {
        "data": upload.read(),
        "source_name": upload.name,
        "file_format": serializer.validated_data.get("file_format", ""),
        "user": request.user,
    }


def _refused(refused: ImportRefused) -> ValidationError:
    return ValidationError({"file": [str(problem) for problem in refused.problems]})


class FrameworkInterchangeMixin:
    """File actions of the framework endpoint."""

    @extend_schema(
        request={"multipart/form-data": FrameworkFileSerializer},
        responses={201: FrameworkImportSerializer},
    )
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser])
    def import_file(self, request):
        """Create a draft framework from a CASE JSON, Moodle CSV or workbook file.

        Answers 400 naming the line, row or JSON path when the file cannot be imported; then
        nothing is written. The report lists what was read but not taken.
        """
        try:
            record = importing.framework_import_file(**_uploaded(request))
        except ImportRefused as refused:
            raise _refused(refused) from None
        return Response(FrameworkImportSerializer(record).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=list(EXPORT_KINDS))],
        responses={
            (200, kind.content_type.split(";")[0]): (
                OpenApiTypes.OBJECT if kind.extension == "json" else OpenApiTypes.BINARY
            )
            for kind in EXPORT_KINDS.values()
        },
    )
    @action(detail=True, methods=["get"], url_path=r"export/(?P<kind>[a-z0-9.-]+)")
    def export(self, request, uuid=None, kind=None):
        """The framework as a file: case-1.0, case-1.1, moodle (CSV) or workbook (XLSX)."""
        return framework_file_response(request, self.get_object(), kind)

    @extend_schema(
        request={"multipart/form-data": FrameworkFileSerializer},
        responses={201: OpenApiTypes.OBJECT},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="update-preview",
        parser_classes=[MultiPartParser],
    )
    def update_preview(self, request, uuid=None):
        """What a file would add, change and delete in this draft; apply it with
        POST /framework-imports/{id}/apply/."""
        framework = self.get_object()
        require_editable(framework)
        try:
            record = importing.framework_update_preview(framework=framework, **_uploaded(request))
        except ImportRefused as refused:
            raise _refused(refused) from None
        return Response(
            {
                "import": FrameworkImportSerializer(record).data,
                "plan": importing.previewed_plan(record).as_data(),
            },
            status=status.HTTP_201_CREATED,
        )


class DesignersOnly(BasePermission):
    message = _("Only curriculum designers and administrators see and apply imports.")

    def has_permission(self, request, view):
        return can_manage_frameworks(request.user)


class FrameworkImportViewSet(
    NamedNotFoundMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Imports of framework files with their reports, and previewed updates to apply."""

    permission_classes = [DesignersOnly]
    serializer_class = FrameworkImportSerializer
    lookup_field = "uuid"
    filterset_fields = ["status", "action", "file_format"]
    queryset = FrameworkImport.objects.select_related("framework", "imported_by").defer(
        "pending_file"
    )

    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"])
    def apply(self, request, uuid=None):
        """Apply a previewed update. 412 if the framework changed since the preview."""
        record = self.get_object()
        try:
            plan = importing.framework_update_confirm(record=record, user=request.user)
        except ImportRefused as refused:
            raise _refused(refused) from None
        record.refresh_from_db()
        return Response({"import": FrameworkImportSerializer(record).data, "plan": plan.as_data()})
