"""What updating a draft framework from a file would change, worked out without writing.

Domains and capabilities are matched by identifier, else by code; themes by code, references by
key, links by their ends and type. Whatever the file holds is what the draft is to hold: rows
that are not in the file are to be deleted. Reorderings are shown for the fewest rows that explain
the new order, so deleting one row does not show its later siblings as moved.
"""

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from django.utils.translation import gettext as _

from competencies.interchange.imported import ImportedFramework, ImportedNode
from competencies.models import (
    Capability,
    CapabilityAssociation,
    Domain,
    ExternalAssociation,
    Framework,
    LevelDescriptor,
    Reference,
    Theme,
)


class FieldChange(NamedTuple):
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class PlanEntry:
    kind: str  # framework, theme, reference, domain, capability or link
    code: str
    title: str
    changes: tuple[FieldChange, ...] = ()


@dataclass
class UpdatePlan:
    """What an update adds, changes and deletes, and what stops it from being applied."""

    added: list[PlanEntry] = field(default_factory=list)
    changed: list[PlanEntry] = field(default_factory=list)
    deleted: list[PlanEntry] = field(default_factory=list)
    blocking: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.changed or self.deleted)

    def as_data(self) -> dict:
        """The plan as JSON-ready data: what the API answers, and what a preview keeps."""

        def entries(items):
            return [
                {
                    "kind": entry.kind,
                    "code": entry.code,
                    "title": entry.title,
                    "changes": [change._asdict() for change in entry.changes],
                }
                for entry in items
            ]

        return {
            "added": entries(self.added),
            "changed": entries(self.changed),
            "deleted": entries(self.deleted),
            "blocking": [str(problem) for problem in self.blocking],
        }


def _normal(value):
    if not isinstance(value, str):
        return value
    return "\n".join(" ".join(line.split()) for line in value.strip().splitlines())


def _shown(value) -> str:
    return "" if value is None else str(value)


def _assign(row, wanted: dict[str, tuple[str, object]]) -> list[FieldChange]:
    """Set the fields (name → label, value) whose value differs by more than white space."""
    changes = []
    for name, (label, value) in wanted.items():
        old = getattr(row, name)
        if _normal(old) != _normal(value):
            setattr(row, name, value)
            changes.append(FieldChange(label, _shown(old), _shown(value)))
    return changes


def _out_of_order(old_positions: list[int]) -> set[int]:
    """The fewest indexes whose moving explains the new order: those off a longest run in order."""
    tails, tail_index, previous = [], [], []
    for index, position in enumerate(old_positions):
        place = bisect_left(tails, position)
        previous.append(tail_index[place - 1] if place else None)
        if place == len(tails):
            tails.append(position)
            tail_index.append(index)
        else:
            tails[place], tail_index[place] = position, index
    kept, index = set(), tail_index[-1] if tail_index else None
    while index is not None:
        kept.add(index)
        index = previous[index]
    return set(range(len(old_positions))) - kept


def _mark_reordered(group: list[tuple[int, int, list[FieldChange]]], shown_from: int) -> None:
    """Add a position change to the fewest rows of `group` (old, new, changes) that moved."""
    for index in _out_of_order([old for old, _new, _changes in group]):
        old, new, changes = group[index]
        changes.append(FieldChange(_("position"), str(old + shown_from), str(new + shown_from)))


def _match(nodes: list[ImportedNode], rows: list) -> dict:
    """Node key → row, by identifier first, then by code among the rows left."""
    by_uuid = {row.uuid: row for row in rows}
    matched = {node.key: by_uuid[node.uuid] for node in nodes if node.uuid in by_uuid}
    taken = {row.pk for row in matched.values()}
    by_code = {row.code: row for row in rows if row.pk not in taken}
    for node in nodes:
        if node.key not in matched and node.code in by_code:
            matched[node.key] = by_code.pop(node.code)
    return matched


def _target(row):
    """What a foreign key to `row` holds: its primary key, or the row itself while unsaved."""
    return None if row is None else row.pk if row.pk is not None else row


class FrameworkDifference:
    """The difference between a framework and a file, row by row, and its readable plan.

    Rows are loaded (nine queries) and changed in memory only: `new`, `changed` and `gone` hold,
    by model, the rows that applying the plan would insert, update and delete.
    """

    def __init__(self, framework: Framework, imported: ImportedFramework):
        self.framework, self.imported, self.plan = framework, imported, UpdatePlan()
        self.nodes = {node.key: node for node in imported.nodes}
        self.new, self.changed, self.gone = defaultdict(list), defaultdict(list), defaultdict(list)
        self.added_nodes = []  # (node, new domain or capability), to keep the file's identifiers
        self.theme_sets, self.reference_sets = [], []  # (capability, codes) to set
        self._load()
        self._compare_framework()
        self.theme_rows = self._compare_vocabulary(Theme, imported.themes, "code")
        self.reference_rows = self._compare_vocabulary(Reference, imported.references, "key")
        self._compare_domains()
        self._compare_capabilities()
        self._compare_links()

    def _load(self) -> None:
        framework = self.framework
        self.domains = list(framework.domains.order_by("position"))
        self.capabilities = list(framework.capabilities.order_by("position"))
        self.descriptors = defaultdict(dict)
        for descriptor in LevelDescriptor.objects.filter(capability__framework=framework):
            self.descriptors[descriptor.capability_id][descriptor.eqf_level] = descriptor
        self.theme_codes, self.reference_keys = defaultdict(set), defaultdict(set)
        for capability_id, code in Capability.themes.through.objects.filter(
            capability__framework=framework
        ).values_list("capability_id", "theme__code"):
            self.theme_codes[capability_id].add(code)
        for capability_id, key in Capability.references.through.objects.filter(
            capability__framework=framework
        ).values_list("capability_id", "reference__key"):
            self.reference_keys[capability_id].add(key)
        self.associations = list(
            CapabilityAssociation.objects.filter(origin__framework=framework).select_related(
                "destination"
            )
        )
        self.external = list(ExternalAssociation.objects.filter(capability__framework=framework))
        self.old_codes = {row.pk: row.code for row in self.capabilities}
        domain_codes = {row.pk: row.code for row in self.domains}
        self.old_parent_codes = {
            row.pk: self.old_codes[row.parent_id] if row.parent_id else domain_codes[row.domain_id]
            for row in self.capabilities
        }

    def _entry(self, section: str, kind: str, code: str, title: str, changes=()) -> None:
        getattr(self.plan, section).append(PlanEntry(kind, code, title, tuple(changes)))

    def _compare_framework(self) -> None:
        imported = self.imported
        changes = _assign(
            self.framework,
            {
                "title": (_("title"), imported.title[:200]),
                "version_label": (_("version"), imported.version_label[:40] or "1.0"),
                "language": (_("language"), imported.language[:12] or "en"),
                "licence": (_("licence"), imported.licence[:200]),
                "description": (_("description"), imported.description),
                "source": (_("source"), imported.source),
            },
        )
        if changes:
            self._entry("changed", "framework", self.framework.slug, self.framework.title, changes)

    def _compare_vocabulary(self, model, items: list, key: str) -> dict:
        """Themes or references of the file against the framework's; returns all by code/key."""
        kind = model._meta.model_name
        fields = {
            Theme: {"name": _("name"), "description": _("description")},
            Reference: {"citation": _("citation"), "year": _("year"), "doi": "DOI", "url": "URL"},
        }[model]
        current = {getattr(row, key): row for row in model.objects.filter(framework=self.framework)}
        kept, result = [], {}
        for position, item in enumerate(items, start=1):
            values = {name: getattr(item, name) for name in fields}
            if model is Theme:
                values["position"] = position
            row = current.pop(getattr(item, key), None)
            if row is None:
                row = model(framework=self.framework, **{key: getattr(item, key)}, **values)
                self.new[model].append(row)
                self._entry("added", kind, getattr(item, key), str(row))
            else:
                changes = _assign(
                    row, {name: (label, values[name]) for name, label in fields.items()}
                )
                kept.append((row, position, changes))
            result[getattr(item, key)] = row
        if model is Theme:
            _mark_reordered([(row.position, new, changes) for row, new, changes in kept], 0)
        for row, position, changes in kept:
            moved = model is Theme and row.position != position
            if moved:
                row.position = position
            if changes or moved:
                self.changed[model].append(row)
            if changes:
                self._entry("changed", kind, getattr(row, key), str(row), changes)
        for code, row in current.items():
            self.gone[model].append(row)
            self._entry("deleted", kind, code, str(row))
        return result

    def _compare_domains(self) -> None:
        top = [node for node in self.imported.nodes if node.parent is None]
        matched = _match(top, self.domains)
        self.domain_rows, kept = {}, []
        for position, node in enumerate(top):
            row = matched.get(node.key)
            values = {"code": node.code, "name": node.title, "description": node.description}
            if row is None:
                row = Domain(framework=self.framework, position=position, **values)
                self.new[Domain].append(row)
                self.added_nodes.append((node, row))
                self._entry("added", "domain", node.code, node.title)
            else:
                labels = {"code": _("code"), "name": _("title"), "description": _("description")}
                changes = _assign(row, {name: (labels[name], values[name]) for name in values})
                kept.append((row, position, changes))
            self.domain_rows[node.key] = row
        _mark_reordered([(row.position, new, changes) for row, new, changes in kept], 1)
        for row, position, changes in kept:
            if changes or row.position != position:
                row.position, row.revision = position, row.revision + 1
                self.changed[Domain].append(row)
            if changes:
                self._entry("changed", "domain", row.code, row.name, changes)
        kept_pks = {row.pk for row in self.domain_rows.values()}
        for row in self.domains:
            if row.pk not in kept_pks:
                self.gone[Domain].append(row)
                self._entry("deleted", "domain", row.code, row.name)

    def _domain_of(self, node: ImportedNode) -> Domain:
        while node.parent is not None:
            node = self.nodes[node.parent]
        return self.domain_rows[node.key]

    def _compare_capabilities(self) -> None:
        below = [node for node in self.imported.nodes if node.parent is not None]
        matched = _match(below, self.capabilities)
        parent_keys = {row.pk: key for key, row in matched.items()}
        parent_keys |= {("domain", row.pk): key for key, row in self.domain_rows.items() if row.pk}
        self.rows = {}
        for node in below:
            row = matched.get(node.key)
            if row is None:
                row = Capability(
                    framework=self.framework,
                    code=node.code,
                    title=node.title,
                    description=node.description,
                    relevance=node.relevance,
                    notes=node.notes,
                )
                self.new[Capability].append(row)
                self.added_nodes.append((node, row))
                self._entry("added", "capability", node.code, node.title)
            self.rows[node.key] = row
        siblings, groups, compared = defaultdict(int), defaultdict(list), []
        for node in below:
            row, position = self.rows[node.key], siblings[node.parent]
            siblings[node.parent] += 1
            domain, parent = self._domain_of(node), self.rows.get(node.parent)
            was_under = parent_keys.get(row.parent_id or ("domain", row.domain_id))
            placed = (row.domain_id, row.parent_id, row.position) != (
                _target(domain),
                _target(parent),
                position,
            )
            changes = self._compare_capability(row, node)
            if row.pk is not None and was_under != node.parent:
                new_parent = self.nodes[node.parent].code
                changes.append(FieldChange(_("parent"), self.old_parent_codes[row.pk], new_parent))
            elif row.pk is not None:
                groups[node.parent].append((row.position, position, changes))
            row.domain, row.parent, row.position = domain, parent, position
            compared.append((row, changes, placed))
        for group in groups.values():
            _mark_reordered(group, 1)
        for row, changes, placed in compared:
            if row.pk is not None and (changes or placed):
                row.revision += 1
                self.changed[Capability].append(row)
            if row.pk is not None and changes:
                self._entry("changed", "capability", row.code, row.title, changes)
        kept_pks = {row.pk for row in self.rows.values()}
        for row in self.capabilities:
            if row.pk not in kept_pks:
                self.gone[Capability].append(row)
                self._entry("deleted", "capability", row.code, row.title)

    def _compare_capability(self, row: Capability, node: ImportedNode) -> list[FieldChange]:
        """Set the capability's text, descriptors, themes and references; the changes shown."""
        changes = _assign(
            row,
            {
                "code": (_("code"), node.code),
                "title": (_("title"), node.title),
                "description": (_("description"), node.description),
                "relevance": (_("relevance"), node.relevance),
                "notes": (_("notes"), node.notes),
            },
        )
        current = self.descriptors.get(row.pk, {})
        for level in LevelDescriptor.EqfLevel.values:
            old, text = current.get(level), node.level_descriptors.get(level, "")
            if _normal(old.text if old else "") == _normal(text):
                continue
            label = _("EQF %(level)s descriptor") % {"level": level}
            changes.append(FieldChange(label, old.text if old else "", text))
            if old is None:
                self.new[LevelDescriptor].append(
                    LevelDescriptor(capability=row, eqf_level=level, text=text)
                )
            elif not text:
                self.gone[LevelDescriptor].append(old)
            else:
                old.text = text
                self.changed[LevelDescriptor].append(old)
        for label, wanted, current_set, sets in (
            (_("themes"), node.themes, self.theme_codes.get(row.pk, set()), self.theme_sets),
            (
                _("references"),
                node.references,
                self.reference_keys.get(row.pk, set()),
                self.reference_sets,
            ),
        ):
            if set(wanted) != current_set:
                sets.append((row, wanted))
                if row.pk is not None:
                    old = "; ".join(sorted(current_set))
                    changes.append(FieldChange(label, old, "; ".join(sorted(wanted))))
        return changes

    def _compare_links(self) -> None:
        current = {}
        for row in self.associations:
            if row.destination.framework_id == self.framework.pk:
                current[(row.origin_id, row.association_type, row.destination_id)] = row
            else:  # written in a workbook as a link to a node held elsewhere
                destination = str(row.destination.uuid)
                current[(row.origin_id, True, row.association_type, destination)] = row
        for row in self.external:
            is_origin = row.capability_is_origin
            current[(row.capability_id, is_origin, row.association_type, row.identifier)] = row
        for link in self.imported.links:
            kind = link.association_type
            if link.external:
                is_origin = link.origin in self.rows
                capability = self.rows[link.origin if is_origin else link.destination]
                identifier = link.destination if is_origin else link.origin
                key = (capability.pk, is_origin, kind, identifier)
                new_row = ExternalAssociation(
                    capability=capability,
                    capability_is_origin=is_origin,
                    association_type=kind,
                    identifier=identifier,
                    uri=link.external_uri,
                    title=link.external_title,
                )
                ends = (capability.code, identifier) if is_origin else (identifier, capability.code)
            else:
                origin, destination = self.rows[link.origin], self.rows[link.destination]
                key = (origin.pk, kind, destination.pk)
                new_row = CapabilityAssociation(
                    origin=origin, destination=destination, association_type=kind
                )
                ends = (origin.code, destination.code)
            label = f"{ends[0]} {kind} {ends[1]}"
            row = current.pop(key, None) if None not in key else None
            if row is None:
                new_row.note = link.note
                self.new[type(new_row)].append(new_row)
                self._entry("added", "link", label, "")
                continue
            wanted = {"note": (_("note"), link.note)}
            if isinstance(row, ExternalAssociation):
                wanted |= {
                    "uri": (_("external URI"), link.external_uri),
                    "title": (_("external title"), link.external_title),
                }
            changes = _assign(row, wanted)
            if changes:
                self.changed[type(row)].append(row)
                self._entry("changed", "link", label, "", changes)
        for row in current.values():
            self.gone[type(row)].append(row)
            self._entry("deleted", "link", self._old_label(row), "")

    def _old_label(self, row) -> str:
        if isinstance(row, ExternalAssociation):
            code = self.old_codes[row.capability_id]
            ends = (code, row.identifier) if row.capability_is_origin else (row.identifier, code)
        else:
            destination = self.old_codes.get(row.destination_id, row.destination.code)
            ends = (self.old_codes[row.origin_id], destination)
        return f"{ends[0]} {row.association_type} {ends[1]}"
