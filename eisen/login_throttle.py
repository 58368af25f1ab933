"""Sign-in throttling (django-axes): the client's address, the lockout page and the API's answer.

Axes counts failed sign-ins per username and address and refuses the pair once there are
AXES_FAILURE_LIMIT of them; these functions say who the client is and when they may try again.
"""

import ipaddress
import math
from datetime import datetime

from axes.helpers import get_client_username, get_cool_off, get_credentials
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import ngettext
from rest_framework import status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response


def client_ip(request: HttpRequest) -> str:
    """The address the nearest trusted proxy saw, or the peer's when none is trusted.

    Each proxy appends the address it received from to X-Forwarded-For, so only the last
    TRUSTED_PROXY_COUNT entries were written by our own proxies; anything before them is
    whatever the client sent.
    """
    peer = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    # Fewer entries than proxies: the first is the client's own claim, so it is not believed.
    if count <= 0 or len(forwarded) < count:
        return peer
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return peer


def lockout_ends(request: HttpRequest, username: str) -> datetime:
    """When the lockout of this username from this address ends: the cool-off after its last
    counted failure (failures during the lockout are not counted, so the time does not move)."""
    last = AccessAttempt.objects.filter(
        username=username, ip_address=request.axes_ip_address
    ).aggregate(last=Max("attempt_time"))["last"]
    return (last or timezone.now()) + get_cool_off(request)


def _wait(ends: datetime) -> tuple[int, str]:
    seconds = max(0, math.ceil((ends - timezone.now()).total_seconds()))
    minutes = max(1, math.ceil(seconds / 60))
    local_time = time_format(timezone.localtime(ends), "H:i")
    message = ngettext(
        "Too many failed sign-ins for this username from your address. "
        "Try again at %(time)s, in %(minutes)d minute.",
        "Too many failed sign-ins for this username from your address. "
        "Try again at %(time)s, in %(minutes)d minutes.",
        minutes,
    ) % {"time": local_time, "minutes": minutes}
    return seconds, message


def lockout_response(request: HttpRequest, original_response, credentials) -> HttpResponse:
    """The sign-in page's (and the admin's) answer while locked out: 429 with the time to wait."""
    username = get_client_username(request, credentials) or ""
    ends = lockout_ends(request, username)
    seconds, message = _wait(ends)
    response = render(
        request,
        "registration/locked_out.html",
        {"message": message, "ends": ends, "username": username},
        status=status.HTTP_429_TOO_MANY_REQUESTS,
    )
    response["Retry-After"] = str(seconds)
    return response


class ObtainAuthTokenThrottled(ObtainAuthToken):
    """DRF's token endpoint, answering 429 with the time to wait while the sign-in is locked out.

    Axes marks the DRF request it was given, which its middleware (looking at Django's request)
    does not see, so the lockout is answered here.
    """

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except ValidationError:
            if not getattr(request, "axes_locked_out", False):
                raise
        credentials = get_credentials(request.data.get("username"))
        ends = lockout_ends(request, get_client_username(request, credentials) or "")
        seconds, message = _wait(ends)
        return Response(
            {"detail": message},
            status=status.HTTP_429_TOO_MANY_REQUESTS,
            headers={"Retry-After": str(seconds)},
        )
