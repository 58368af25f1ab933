"""A database that is down (PostgreSQL restarting) answers 503 with a message, not a 500.

Django opens a new connection on the next request (and checks a kept one before reusing it), so
the same app processes serve normally again as soon as the database is back.
"""

import logging

from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

logger = logging.getLogger("eisen.database")

#: Seconds a client is asked to wait; a PostgreSQL restart takes a few.
RETRY_AFTER_SECONDS = 30


def database_unavailable_message() -> str:
    return _("The database is unavailable just now; please try again in a minute.")


def database_is_down() -> bool:
    """Whether the request failed because the database could not be reached (not merely because
    a query failed): it could not connect at all, or its connection was cut (a restart)."""
    if connection.connection is None:
        return True
    return not connection.is_usable()


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        # A deadlock, a timeout or a missing table is a fault of this request, reported as a 500;
        # only a database that cannot be reached at all is an outage.
        if not isinstance(exception, OperationalError | InterfaceError) or not database_is_down():
            return None
        logger.warning(
            "%s %s answered 503: the database is unavailable (%s: %s)",
            request.method,
            request.path,
            type(exception).__name__,
            str(exception).strip(),
        )
        message = database_unavailable_message()
        if request.path_info.startswith("/api/"):
            response = JsonResponse({"detail": message}, status=503)
        else:
            # Rendered without the request's context processors, which would ask the database.
            body = loader.get_template("503.html").render({"message": message})
            response = HttpResponse(body, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
