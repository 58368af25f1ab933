"""Who may read and change frameworks. Used by pages, the API and templates alike."""

from eisen.roles import Role, has_role


def can_view_drafts(user) -> bool:
    return has_role(user, Role.CURRICULUM_DESIGNER, Role.ADMINISTRATOR)


def can_view_framework(user, framework) -> bool:
    """Published and archived frameworks are public; drafts are for designers and administrators."""
    return not framework.is_draft or can_view_drafts(user)
