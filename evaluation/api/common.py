"""What every evaluation endpoint shares: only evaluators and administrators, read or write;
revisioned objects changed with their ETag in If-Match."""

from drf_spectacular.utils import OpenApiParameter
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.response import Response

from eisen.rest import NamedNotFoundMixin, revision_etag
from evaluation.permissions import can_use_evaluation
from evaluation.views.common import EVALUATORS_ONLY


class EvaluatorsOnly(permissions.BasePermission):
    message = EVALUATORS_ONLY

    def has_permission(self, request, view):
        return can_use_evaluation(request.user)


IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="The object's ETag; a stale one answers 412 with the object as it is now.",
)


def by_uuid(model, missing, **kwargs):
    """A related object named by its uuid; `missing` is the message for an unknown one."""
    return serializers.SlugRelatedField(
        slug_field="uuid",
        queryset=model.objects.all(),
        error_messages={"does_not_exist": missing},
        **kwargs,
    )


class RevisionedViewSet(NamedNotFoundMixin, viewsets.ModelViewSet):
    """Writes validate with the viewset's serializer and answer with `read_serializer_class`,
    read again through get_queryset(); reads of revisioned objects carry the ETag."""

    permission_classes = [EvaluatorsOnly]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    read_serializer_class = None

    def get_serializer(self, *args, **kwargs):
        if args and not isinstance(args[0], list) and "data" not in kwargs and "many" not in kwargs:
            return self.read_serializer_class(
                *args, context=self.get_serializer_context(), **kwargs
            )
        return super().get_serializer(*args, **kwargs)

    def _read(self, instance, status_code=status.HTTP_200_OK):
        instance = self.get_queryset().get(pk=instance.pk)
        data = self.read_serializer_class(instance, context=self.get_serializer_context()).data
        headers = (
            {"ETag": revision_etag(instance.revision)} if hasattr(instance, "revision") else {}
        )
        return Response(data, status=status_code, headers=headers)

    def _valid(self, instance=None, partial=False) -> dict:
        serializer = self.get_serializer_class()(
            instance, data=self.request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def retrieve(self, request, *args, **kwargs):
        return self._read(self.get_object())
