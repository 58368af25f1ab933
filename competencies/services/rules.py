"""Rules every change of a framework follows: drafts only, and siblings without gaps."""

from django.utils.translation import gettext as _

from competencies.models import (
    Capability,
    Framework,
)
from eisen.errors import Conflict
from eisen.rows import place_in_order


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


def close_gaps(ordered: list[Capability]) -> None:
    changed = [item for position, item in enumerate(ordered) if item.position != position]
    if not changed:
        return
    for position, item in enumerate(ordered):
        item.position = position
    place_in_order(Capability, ordered, ["position"])
