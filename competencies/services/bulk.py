"""Bulk inserts of a whole capability tree, shared by copies of a framework and by imports."""

from simple_history.utils import bulk_create_with_history

from competencies.models import Capability


def bulk_create_capability_tree(capabilities: list[Capability], *, user=None) -> None:
    """Insert unsaved capabilities whose `parent` is None or another capability of the list.

    One insert per level of the tree, parents before their children, so the number of queries
    grows with the depth of the tree, not with its size.
    """
    children: dict[int | None, list[Capability]] = {}
    for capability in capabilities:
        parent = capability.parent if capability.parent_id is None else None
        children.setdefault(id(parent) if parent is not None else None, []).append(capability)
    level = children.get(None, [])
    while level:
        bulk_create_with_history(level, Capability, default_user=user)
        level = [child for parent in level for child in children.get(id(parent), [])]
