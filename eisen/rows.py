"""Row-level rules every app's services follow: no stale saves, and ordered siblings."""

from django.db.models import F
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from eisen.errors import StaleEdit

PARKING_OFFSET = 1_000_000


def taken_by_another(instance, **lookup) -> bool:
    """Whether another row of the instance's model already has these values (for clean())."""
    return type(instance).objects.filter(**lookup).exclude(pk=instance.pk).exists()


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
    if hasattr(model._meta, "simple_history_manager_attribute"):
        bulk_update_with_history(rows, model, fields)
    else:
        # Evaluation rows keep no history: a participant's words must be erasable for good.
        model.objects.bulk_update(rows, fields)
