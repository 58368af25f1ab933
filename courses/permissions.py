"""Who may read and change courses. Used by pages, the API and templates alike.

Everyone signed in reads every course, its outcomes, mappings and the coverage built from them.
Administrators and curriculum designers change every course; anyone else changes only the courses
they lead.
"""

from eisen.roles import Role, has_role


def can_view_courses(user) -> bool:
    return user.is_authenticated and user.is_active


def can_manage_all_courses(user) -> bool:
    return has_role(user, Role.CURRICULUM_DESIGNER, Role.ADMINISTRATOR)


def can_create_course(user) -> bool:
    """Designers and administrators, and course leads (who lead what they create)."""
    return has_role(user, Role.CURRICULUM_DESIGNER, Role.ADMINISTRATOR, Role.COURSE_LEAD)


def can_manage_catalogue(user) -> bool:
    """Institutions and programmes: designers and administrators."""
    return can_manage_all_courses(user)


def leads_course(user, course) -> bool:
    """Whether the user is one of the course's leads.

    Uses the course's prefetched leads when there are any (lists ask for many courses at once).
    """
    if not user.is_authenticated:
        return False
    cache = getattr(course, "_prefetched_objects_cache", {})
    if "leads" in cache:
        return any(lead.pk == user.pk for lead in cache["leads"])
    return course.leads.filter(pk=user.pk).exists()


def can_edit_course(user, course) -> bool:
    """Change the course, its outcomes and mappings, roll it over or remap it."""
    if not (user.is_authenticated and user.is_active):
        return False
    return can_manage_all_courses(user) or leads_course(user, course)


def can_start_curriculum_export(user) -> bool:
    """Ask for a curriculum PDF: administrators only."""
    return has_role(user, Role.ADMINISTRATOR)


def can_download_curriculum_export(user) -> bool:
    """Download a finished curriculum PDF: administrators, curriculum designers and course leads."""
    return has_role(user, Role.ADMINISTRATOR, Role.CURRICULUM_DESIGNER, Role.COURSE_LEAD)
