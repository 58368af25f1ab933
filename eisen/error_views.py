"""Error pages that need more than a template."""

from django.contrib.auth.views import redirect_to_login
from django.views import defaults


def permission_denied(request, exception):
    """A visitor who is not signed in is sent to sign in; whom the app knows gets the 403 page."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return defaults.permission_denied(request, exception)
