"""Who changed what and when: readable change lists built from django-simple-history records.

A fixed number of queries per page: the records are read once and compared in Python.
"""

from django.utils.translation import gettext_lazy as _

from competencies.models import Capability, Domain, Framework

TRACKED_FIELDS = {
    Framework: ["title", "slug", "version_label", "status", "language", "licence", "description"],
    Domain: ["code", "name", "description", "position"],
    Capability: ["code", "title", "description", "relevance", "position", "parent_id", "domain_id"],
}
RESTORABLE_FIELDS = ("code", "title", "description", "relevance")
ACTIONS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}


def _entries(records, fields: list[str], label) -> list[dict]:
    """One entry per record, with the fields that differ from the object's previous record."""
    previous_by_object = {}
    entries = []
    for record in records:
        previous = previous_by_object.get(record.id)
        changes = [
            {"field": field, "old": getattr(previous, field), "new": getattr(record, field)}
            for field in fields
            if previous is not None and getattr(previous, field) != getattr(record, field)
        ]
        previous_by_object[record.id] = record
        if record.history_type == "~" and not changes:
            continue
        entries.append(
            {
                "record": record,
                "when": record.history_date,
                "who": record.history_user,
                "action": ACTIONS[record.history_type],
                "object": label(record),
                "changes": changes,
            }
        )
    return entries


def framework_history(framework: Framework, *, limit: int = 300) -> list[dict]:
    """Changes to the framework, its domains and capabilities, newest first."""
    sources = [
        (Framework.history.filter(id=framework.pk), Framework, lambda r: str(_("Framework"))),
        (
            Domain.history.filter(framework_id=framework.pk),
            Domain,
            lambda r: f"{_('Domain')} {r.code} {r.name}",
        ),
        (
            Capability.history.filter(framework_id=framework.pk),
            Capability,
            lambda r: f"{r.code} {r.title}",
        ),
    ]
    entries = []
    for records, model, label in sources:
        ordered = records.select_related("history_user").order_by("history_date", "history_id")
        entries += _entries(ordered, TRACKED_FIELDS[model], label)
    entries.sort(key=lambda entry: entry["when"], reverse=True)
    return entries[:limit]


def capability_history(capability: Capability) -> list[dict]:
    records = capability.history.select_related("history_user").order_by(
        "history_date", "history_id"
    )
    entries = _entries(records, TRACKED_FIELDS[Capability], lambda r: f"{r.code} {r.title}")
    for entry in entries:
        for change in entry["changes"]:
            change["restorable"] = change["field"] in RESTORABLE_FIELDS
    return list(reversed(entries))


def history_value(capability: Capability, history_id: int, field: str):
    """The value `field` had in one of the capability's history records (before that change)."""
    if field not in RESTORABLE_FIELDS:
        raise KeyError(field)
    record = capability.history.get(history_id=history_id)
    previous = record.prev_record
    return getattr(previous if previous is not None else record, field)
