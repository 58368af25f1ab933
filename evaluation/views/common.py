"""What every evaluation page shares: only evaluators and administrators get in."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from evaluation.permissions import can_use_evaluation

EVALUATORS_ONLY = _(
    "Evaluation data is personal data of students: only evaluators and administrators see it."
)


def evaluator_required(view):
    """Sign-in first (anonymous users are sent to the login page), then 403 for other roles."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not can_use_evaluation(request.user):
            raise PermissionDenied(EVALUATORS_ONLY)
        return view(request, *args, **kwargs)

    return wrapped
