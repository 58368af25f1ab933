"""The four roles of the app, held as auth groups (created by a data migration)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CURRICULUM_DESIGNER = "Curriculum designers", _("Curriculum designer")
    COURSE_LEAD = "Course leads", _("Course lead")
    EVALUATOR = "Evaluators", _("Evaluator")
    ADMINISTRATOR = "Administrators", _("Administrator")


def has_role(user, *roles: Role) -> bool:
    """True when the user belongs to one of the roles' groups; superusers hold every role.

    Group names are cached on the user object so that a page asking several times costs one query.
    """
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if not hasattr(user, "_eisen_role_names"):
        user._eisen_role_names = set(user.groups.values_list("name", flat=True))
    return any(role.value in user._eisen_role_names for role in roles)
