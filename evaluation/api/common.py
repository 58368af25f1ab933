"""What every evaluation endpoint shares: only evaluators and administrators, read or write;
revisioned objects changed with their ETag in If-Match."""

from django.db.models import Model
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
    kwargs.setdefault("queryset", model.objects.all())
    return serializers.SlugRelatedField(
        slug_field="uuid", error_messages={"does_not_exist": missing}, **kwargs
    )


class RevisionedViewSet(NamedNotFoundMixin, viewsets.ModelViewSet):
    """Writes validate with the viewset's serializer and answer with `read_serializer_class`;
    reads of revisioned objects carry the ETag.

    A row answered on its own (just saved, or the current row of a stale edit answering 412)
    is read again through get_queryset(), for the annotations and prefetches the answer needs.
    """

    permission_classes = [EvaluatorsOnly]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    read_serializer_class = None

    def get_serializer(self, *args, **kwargs):
        if args and isinstance(args[0], Model) and "data" not in kwargs:
            instance = self.get_queryset().get(pk=args[0].pk)
            return self.read_serializer_class(
                instance, *args[1:], context=self.get_serializer_context(), **kwargs
            )
        return super().get_serializer(*args, **kwargs)

    def _read(self, instance, status_code=status.HTTP_200_OK):
        serializer = self.get_serializer(instance)
        instance = serializer.instance
        headers = (
            {"ETag": revision_etag(instance.revision)} if hasattr(instance, "revision") else {}
        )
        return Response(serializer.data, status=status_code, headers=headers)

    def _valid(self, instance=None, partial=False) -> dict:
        serializer = self.get_serializer_class()(
            instance, data=self.request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def retrieve(self, request, *args, **kwargs):
        return self._read(self.get_object())
