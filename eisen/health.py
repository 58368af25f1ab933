"""/healthz: is the database (and the broker, when one is configured) answering?"""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from eisen.celery import broker_error


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        return f"down: {type(error).__name__}"
    return "ok"


def broker_status() -> str:
    if not settings.CELERY_BROKER_URL:
        return "not configured"
    error = broker_error(settings.CELERY_BROKER_URL, timeout=settings.HEALTHZ_TIMEOUT_SECONDS)
    return "ok" if error is None else f"down: {type(error).__name__}"


@never_cache
@require_safe
def healthz(request):
    checks = {"database": database_status(), "broker": broker_status()}
    healthy = all(not value.startswith("down") for value in checks.values())
    body = {"status": "ok" if healthy else "unavailable", **checks}
    return JsonResponse(body, status=200 if healthy else 503)
