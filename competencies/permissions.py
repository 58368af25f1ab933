"""Who may read and change frameworks. Used by pages, the API and templates alike."""

from eisen.roles import Role, has_role


def can_view_drafts(user) -> bool:
    return has_role(user, Role.CURRICULUM_DESIGNER, Role.ADMINISTRATOR)


def can_view_framework(user, framework) -> bool:
    """Published and archived frameworks are public; drafts are for designers and administrators."""
    return not framework.is_draft or can_view_drafts(user)


def can_manage_frameworks(user) -> bool:
    """Create frameworks, publish, archive and start versions: designers and administrators."""
    return has_role(user, Role.CURRICULUM_DESIGNER, Role.ADMINISTRATOR)


def can_edit_framework(user, framework) -> bool:
    """Change the content of a framework: designers and administrators, and only in a draft."""
    return framework.is_editable and can_manage_frameworks(user)


def can_comment(user, framework) -> bool:
    """Anyone signed in who can read the framework may comment on its capabilities."""
    return user.is_authenticated and can_view_framework(user, framework)


def can_resolve_comments(user) -> bool:
    return has_role(user, Role.CURRICULUM_DESIGNER, Role.ADMINISTRATOR)
