from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from competencies.models import Capability, CapabilityAssociation, Comment, Domain, Framework
from competencies.permissions import can_comment, can_manage_frameworks, can_view_framework


def framework_of(obj) -> Framework:
    if isinstance(obj, Framework):
        return obj
    if isinstance(obj, Domain | Capability):
        return obj.framework
    if isinstance(obj, CapabilityAssociation):
        return obj.origin.framework
    if isinstance(obj, Comment):
        return obj.capability.framework
    raise TypeError(f"No framework for {type(obj).__name__}")


class FrameworkAccess(permissions.BasePermission):
    """Reading: published frameworks for anyone, drafts for designers and administrators.

    Changing: designers and administrators; the services then refuse any change to a framework
    that is not a draft (409, with how to start a new version).
    """

    message = _("Only curriculum designers and administrators may change frameworks.")

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or can_manage_frameworks(request.user)

    def has_object_permission(self, request, view, obj):
        if not can_view_framework(request.user, framework_of(obj)):
            self.message = _(
                "This framework is a draft, readable only by curriculum designers and "
                "administrators."
            )
            return False
        return True


class CommentAccess(permissions.BasePermission):
    """Comments: read and written by anyone signed in who can read the framework."""

    def has_permission(self, request, view):
        return request.user.is_authenticated

    def has_object_permission(self, request, view, obj):
        return can_comment(request.user, framework_of(obj))
