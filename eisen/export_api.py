"""/api/v1/exports/: ask for a PDF (202 with the job), follow it, download it, remove it.

Who may do what is each kind's to say, as on the export pages.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from eisen import export_kinds, exports
from eisen.export_views import QUEUE_RETRY_AFTER_SECONDS, pdf_response
from eisen.models import ExportJob
from eisen.rest import NamedNotFoundMixin


class ExportJobSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    requested_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "kind",
            "summary",
            "parameters",
            "title",
            "language",
            "status",
            "stage",
            "stage_label",
            "progress",
            "attempts",
            "error",
            "pages",
            "size",
            "sha256",
            "filename",
            "requested_by",
            "created_at",
            "started_at",
            "finished_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, job) -> str | None:
        if job.status != ExportJob.Status.READY:
            return None
        url = reverse("api:export-download", kwargs={"uuid": job.uuid})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class ExportRequestSerializer(serializers.Serializer):
    kind = serializers.CharField(
        help_text=gettext_lazy("The kind of document: `curriculum` or `evaluation-report`.")
    )
    parameters = serializers.DictField(
        required=False,
        default=dict,
        help_text=gettext_lazy(
            "What to put in it, as the export page's form asks. Curriculum: `framework` (uuid), "
            "`programme`, `institution`, `eqf_level`, `academic_year`, `course` (list of uuids), "
            "`sections`, `language`. Evaluation report: `logic_model` (uuid), `courses`, "
            "`sections`, `language`."
        ),
    )


class MaySeeExports(permissions.BasePermission):
    message = exports.WHO_SEES_EXPORTS

    def has_permission(self, request, view):
        return exports.may_see_exports(request.user)


@extend_schema_view(
    list=extend_schema(summary="Exports the user may see, newest first"),
    retrieve=extend_schema(summary="One export: status, progress and, when ready, its link"),
    destroy=extend_schema(summary="Remove an export and its file"),
)
class ExportJobViewSet(
    NamedNotFoundMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ExportJobSerializer
    permission_classes = [permissions.IsAuthenticated, MaySeeExports]
    lookup_field = "uuid"
    lookup_url_kwarg = "uuid"
    lookup_value_regex = "[0-9a-fA-F-]{36}"
    filterset_fields = ["kind", "status"]

    def get_queryset(self):
        if self.action == "list":
            return exports.visible_exports(self.request.user)
        return ExportJob.objects.select_related("requested_by")

    def get_object(self):
        job = super().get_object()
        if not exports.may_download(self.request.user, job):
            raise PermissionDenied(_("You may not see this export."))
        if not job.is_finished and exports.fail_stalled_exports():
            job.refresh_from_db()
        return job

    def filter_queryset(self, queryset):
        # ?status= and ?kind= narrow the list; they must not hide the one export asked for.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def perform_content_negotiation(self, request, force=False):
        if self.action == "download":
            # The PDF is not rendered by DRF; only refusals are, always as JSON, so that a
            # client asking for application/pdf gets the file rather than 406.
            renderer = JSONRenderer()
            return renderer, renderer.media_type
        return super().perform_content_negotiation(request, force)

    def list(self, request, *args, **kwargs):
        exports.fail_stalled_exports()
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="Ask for a PDF export; it is built in the background",
        request=ExportRequestSerializer,
        responses={
            202: ExportJobSerializer,
            503: OpenApiResponse(description="The task queue does not answer; nothing was saved."),
        },
    )
    def create(self, request, *args, **kwargs):
        asked = ExportRequestSerializer(data=request.data)
        asked.is_valid(raise_exception=True)
        kind_name = asked.validated_data["kind"]
        try:
            kind = export_kinds.get(kind_name)
        except KeyError:
            names = ", ".join(kind.name for kind in export_kinds.all_kinds())
            raise serializers.ValidationError(
                {
                    "kind": [
                        _("There is no export of the kind “%(kind)s”; there are: %(names)s.")
                        % {"kind": kind_name, "names": names}
                    ]
                }
            ) from None
        if not kind.may_start(request.user):
            raise PermissionDenied(_("You may not start this kind of export."))
        try:
            with transaction.atomic():
                parameters = asked.validated_data["parameters"]
                job = exports.start_export(kind.name, parameters, request.user)
        except ValidationError as refusal:
            raise serializers.ValidationError({"parameters": refusal.message_dict}) from None
        except DjangoPermissionDenied as refusal:
            raise PermissionDenied(str(refusal)) from None
        except exports.ExportQueueUnavailable as refusal:
            return Response(
                {"detail": str(refusal)},
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
                headers={"Retry-After": str(QUEUE_RETRY_AFTER_SECONDS)},
            )
        job.refresh_from_db()
        body = self.get_serializer(job).data
        location = reverse("api:export-detail", kwargs={"uuid": job.uuid})
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": location})

    def perform_destroy(self, job):
        try:
            with transaction.atomic():
                exports.delete_export(job, self.request.user)
        except DjangoPermissionDenied as refusal:
            raise PermissionDenied(str(refusal)) from None

    @extend_schema(
        summary="The PDF of a ready export",
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY),
            409: OpenApiResponse(description="The export is not ready (yet)."),
        },
    )
    @action(detail=True, methods=["get"])
    def download(self, request, uuid=None):
        job = self.get_object()
        if job.status != ExportJob.Status.READY:
            return Response(
                {
                    "detail": _("This export has no file (status: %(status)s).")
                    % {"status": job.get_status_display()}
                },
                status=status.HTTP_409_CONFLICT,
            )
        return pdf_response(job)
