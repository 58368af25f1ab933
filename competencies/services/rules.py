"""Rules every change of a framework follows: drafts only, no stale saves, ordered siblings."""

from django.db.models import F
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from competencies.models import (
    Capability,
    Framework,
)
from eisen.errors import Conflict, StaleEdit

PARKING_OFFSET = 1_000_000


class FrameworkNotEditable(Conflict):
    def __init__(self, framework: Framework):
        super().__init__(
            _(
                "“%(framework)s” is %(status)s and cannot be changed. "
                "Start a new version of it to make changes."
            )
            % {"framework": framework, "status": framework.get_status_display().lower()}
        )


def require_editable(framework: Framework) -> None:
    if not framework.is_editable:
        raise FrameworkNotEditable(framework)


def locked_for_edit(model, obj, expected_revision: int | None):
    """The row locked for update, checked against the revision the editor started from.

    The lock keeps two saves of the same row from both passing the revision check.
    """
    current = model.objects.select_for_update().get(pk=obj.pk)
    if expected_revision is not None and current.revision != expected_revision:
        raise StaleEdit(
            _("Someone else saved this %(name)s while you were editing it.")
            % {"name": model._meta.verbose_name},
            current=current,
        )
    return current


def place_in_order(model, rows, fields: list[str]) -> None:
    """Save rows whose positions are unique among their siblings, new positions already set.

    PostgreSQL checks such a constraint row by row inside one UPDATE, so the rows are first parked
    above any real position (one UPDATE), then written in their new places (one UPDATE).
    """
    model.objects.filter(pk__in=[row.pk for row in rows]).update(
        position=F("position") + PARKING_OFFSET
    )
    bulk_update_with_history(rows, model, fields)


def close_gaps(ordered: list[Capability]) -> None:
    changed = [item for position, item in enumerate(ordered) if item.position != position]
    if not changed:
        return
    for position, item in enumerate(ordered):
        item.position = position
    place_in_order(Capability, ordered, ["position"])
