"""What every evaluation endpoint shares: only evaluators and administrators, read or write."""

from rest_framework import permissions

from evaluation.permissions import can_use_evaluation
from evaluation.views.common import EVALUATORS_ONLY


class EvaluatorsOnly(permissions.BasePermission):
    message = EVALUATORS_ONLY

    def has_permission(self, request, view):
        return can_use_evaluation(request.user)
