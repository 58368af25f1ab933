"""Comparing two versions of a framework: what was added, removed, moved and changed.

Capabilities are matched by lineage, which every version and copy of a capability shares, so
any two versions compare, not only neighbours. Six queries whatever the size.
"""

import re
from collections import defaultdict
from difflib import SequenceMatcher

from django.utils.translation import gettext_lazy as _

from competencies.models import Capability, Framework, LevelDescriptor

TEXT_FIELDS = {
    "code": _("code"),
    "title": _("capability"),
    "description": _("description"),
    "relevance": _("relevance to research co-production"),
    "eqf_7": _("EQF 7 descriptor"),
    "eqf_8": _("EQF 8 descriptor"),
    "themes": _("themes"),
}
WORDS_AND_SPACES = re.compile(r"\S+|\s+")


def word_diff(old: str, new: str) -> list[dict]:
    """The new text as segments: unchanged words, and words deleted or inserted."""
    before, after = WORDS_AND_SPACES.findall(old), WORDS_AND_SPACES.findall(new)
    segments = []
    matcher = SequenceMatcher(a=before, b=after, autojunk=False)
    for operation, i1, i2, j1, j2 in matcher.get_opcodes():
        if operation == "equal":
            segments.append({"kind": "equal", "text": "".join(before[i1:i2])})
            continue
        if i2 > i1:
            segments.append({"kind": "delete", "text": "".join(before[i1:i2])})
        if j2 > j1:
            segments.append({"kind": "insert", "text": "".join(after[j1:j2])})
    return segments


def _snapshot(framework: Framework) -> dict:
    capabilities, by_id = {}, {}
    for row in (
        Capability.objects.filter(framework=framework)
        .order_by()
        .values(
            "id",
            "lineage",
            "uuid",
            "code",
            "title",
            "description",
            "relevance",
            "position",
            "domain__code",
            "domain__name",
            "parent__lineage",
            "parent__code",
        )
    ):
        by_id[row.pop("id")] = row["lineage"]
        capabilities[row["lineage"]] = {**row, "eqf_7": "", "eqf_8": "", "themes": []}
    for capability_id, level, text in (
        LevelDescriptor.objects.filter(capability__framework=framework)
        .order_by()
        .values_list("capability_id", "eqf_level", "text")
    ):
        capabilities[by_id[capability_id]][f"eqf_{level}"] = text
    for capability_id, theme_name in (
        Capability.themes.through.objects.filter(capability__framework=framework)
        .order_by("theme__position")
        .values_list("capability_id", "theme__name")
    ):
        capabilities[by_id[capability_id]]["themes"].append(theme_name)
    for capability in capabilities.values():
        capability["themes"] = ", ".join(capability["themes"])
    return capabilities


def _place(capability: dict) -> str:
    where = f"{capability['domain__code']} {capability['domain__name']}"
    if capability["parent__code"]:
        where += f" / {capability['parent__code']}"
    return f"{where} #{capability['position'] + 1}"


def _moved(before: dict, after: dict, common: set) -> set:
    """Lineages of capabilities that changed place: another domain or parent, or another order.

    Within one group of siblings only the fewest capabilities that explain the new order count
    as moved (those outside the longest common subsequence): moving one capability up does not
    make every sibling "moved" because their positions shifted.
    """

    def group(item):
        return item["domain__code"], item["parent__lineage"]

    moved = {key for key in common if group(before[key]) != group(after[key])}
    orders_before, orders_after = defaultdict(list), defaultdict(list)
    for key in common - moved:
        orders_before[group(before[key])].append((before[key]["position"], key))
        orders_after[group(after[key])].append((after[key]["position"], key))
    for siblings, order in orders_after.items():
        old_order = [key for _position, key in sorted(orders_before[siblings])]
        new_order = [key for _position, key in sorted(order)]
        matcher = SequenceMatcher(a=old_order, b=new_order, autojunk=False)
        kept = {
            old_order[start + offset]
            for start, _other, size in matcher.get_matching_blocks()
            for offset in range(size)
        }
        moved |= set(new_order) - kept
    return moved


def framework_compare(old: Framework, new: Framework) -> dict:
    before, after = _snapshot(old), _snapshot(new)
    common = before.keys() & after.keys()
    added = sorted((after[key] for key in after.keys() - before.keys()), key=lambda c: c["code"])
    removed = sorted((before[key] for key in before.keys() - after.keys()), key=lambda c: c["code"])
    moved_keys = _moved(before, after, common)
    moved = [
        {"capability": after[key], "from": _place(before[key]), "to": _place(after[key])}
        for key in sorted(moved_keys, key=lambda key: after[key]["code"])
    ]
    changed = []
    for key in sorted(common, key=lambda key: after[key]["code"]):
        old_item, new_item = before[key], after[key]
        fields = [
            {
                "field": field,
                "label": label,
                "old": old_item[field],
                "new": new_item[field],
                "segments": word_diff(old_item[field], new_item[field]),
            }
            for field, label in TEXT_FIELDS.items()
            if old_item[field] != new_item[field]
        ]
        if fields:
            changed.append(
                {"capability": new_item, "previous_code": old_item["code"], "fields": fields}
            )
    return {
        "old": old,
        "new": new,
        "added": added,
        "removed": removed,
        "moved": moved,
        "changed": changed,
        "unchanged": len(common - moved_keys - {c["capability"]["lineage"] for c in changed}),
    }
