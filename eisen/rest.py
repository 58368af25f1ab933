"""Pieces shared by the apps' API views: errors as answers, 404 messages, ETag revisions."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import status
from rest_framework.exceptions import APIException, NotFound, ParseError
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
    if not tag.isdigit():
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
