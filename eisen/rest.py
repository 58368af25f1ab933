"""Pieces shared by the apps' API views: errors as answers, 404 messages, ETag revisions, and
the schema class that documents those error answers."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import defaults
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, NotFound, ParseError
from rest_framework.fields import empty
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from eisen.errors import Conflict, StaleEdit


class NamedNotFoundMixin:
    """A 404 whose message names the kind of object and the identifier that was asked for."""

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            name = self.get_queryset().model._meta.verbose_name
            value = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
            raise NotFound(
                _("No %(name)s has the identifier %(value)s.") % {"name": name, "value": value}
            ) from None


class PreconditionRequired(APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = gettext_lazy(
        "Send an If-Match header with the ETag you read, so that nobody's edit is overwritten."
    )
    default_code = "precondition_required"


def revision_etag(revision: int) -> str:
    return f'"{revision}"'


def expected_revision(request) -> int:
    """The revision named by the request's If-Match header (the ETag the client read)."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        raise PreconditionRequired()
    tag = header.removeprefix("W/").strip('"')
    if not tag.isdecimal():
        raise ParseError(_('If-Match must be an ETag this API gave out, such as "3".'))
    return int(tag)


def exception_handler(exc, context):
    """DRF's handler, plus the errors services raise: refusals (400), state (409), stale (412)."""
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            body = {
                ("non_field_errors" if field == NON_FIELD_ERRORS else field): messages
                for field, messages in exc.message_dict.items()
            }
        else:
            body = {"non_field_errors": exc.messages}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, StaleEdit):
        view = context["view"]
        return Response(
            {"detail": str(exc), "current": view.get_serializer(exc.current).data},
            status=status.HTTP_412_PRECONDITION_FAILED,
            headers={"ETag": revision_etag(exc.current.revision)},
        )
    if isinstance(exc, Conflict):
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    return drf_exception_handler(exc, context)


def not_found(request, exception):
    """Django's 404 page, or for a URL under /api/ (one no route matches) a JSON answer."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": _("No API operation is at %(path)s.") % {"path": request.path}},
            status=status.HTTP_404_NOT_FOUND,
        )
    return defaults.page_not_found(request, exception)


ERROR = ResolvedComponent(
    name="Error",
    type=ResolvedComponent.SCHEMA,
    object="Error",
    schema={
        "description": "Why the request was refused: `detail`, or each refused field (or "
        "`non_field_errors`) with its messages; a stale edit (412) also has `current`.",
        "anyOf": [
            {
                "type": "object",
                "properties": {"detail": {"type": "string"}},
                "additionalProperties": {},
            },
            {"type": "array", "items": {}},
        ],
    },
)
ERROR_ANSWERS = {
    400: "The request was refused: a field, a parameter or a header is not valid.",
    403: "Not signed in, or not allowed to do this.",
    404: "Nothing is at this address (or this page of the list).",
    409: "The object is not in a state that allows this.",
    412: "The object was changed since the ETag sent in If-Match; `current` is how it is now.",
    428: "The If-Match header is missing.",
}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


class ErrorAnswersAutoSchema(AutoSchema):
    """drf-spectacular's schema, plus the error answers each operation can give, so that a client
    (and the API fuzzing test) knows every status code it may receive."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        self.registry.register_on_missing(ERROR)
        responses = operation["responses"]
        for code in self._error_codes(operation):
            responses.setdefault(
                str(code),
                {
                    "description": ERROR_ANSWERS[code],
                    "content": {"application/json": {"schema": ERROR.ref}},
                },
            )
        return operation

    def _error_codes(self, operation) -> list[int]:
        located = {(p["in"], p["name"]) for p in operation.get("parameters", [])}
        locations = {location for location, _name in located}
        if_match = ("header", "If-Match") in located
        codes = []
        if self.method in WRITES or "query" in locations or if_match:
            codes.append(400)
        if not all(isinstance(p, AllowAny) for p in self.view.get_permissions()):
            codes.append(403)
        if "path" in locations or "query" in locations:
            codes.append(404)
        if self.method in WRITES:
            codes.append(409)
        if if_match:
            codes += [412, 428]
        return codes


class WholeItemSerializer(serializers.Serializer):
    """An item of a nested list, validated whole even in a partial update (PATCH): the request
    replaces the whole list, so every item needs all of its fields."""

    def run_validation(self, data=empty):
        if getattr(self.root, "partial", False) and self.root is not self:
            whole = type(self)(data=data, context=self.context)
            whole.is_valid(raise_exception=True)
            return whole.validated_data
        return super().run_validation(data)
