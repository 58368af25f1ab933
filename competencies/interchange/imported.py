"""A framework as read from a file, before anything is written.

Every importer (CASE JSON, Moodle CSV, workbook) reads its format into an `ImportedFramework`;
`ImportedFramework.settle()` then applies the rules that hold whatever the format (unique keys,
no cycles, codes present and unique, links between known nodes), and `framework_import` writes
the result in one transaction. What could not be taken is collected in `report`, with where it
was in the file, so that nothing is dropped silently.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from uuid import UUID

from competencies.models import CODE_MAX_LENGTH, TITLE_MAX_LENGTH, CapabilityAssociation

ASSOCIATION_TYPES = frozenset(CapabilityAssociation.Type.values)
EXTERNAL_URI_MAX_LENGTH = 500
EXTERNAL_IDENTIFIER_MAX_LENGTH = 200
FRAMEWORK_LIMITS = {"title": 200, "version_label": 40, "language": 12, "licence": 200}


@dataclass(frozen=True)
class ImportProblem:
    where: str  # "line 12", "row 5", "CFItems[3].identifier", "sheet Items, row 7"
    message: str

    def __str__(self):
        return f"{self.where}: {self.message}" if self.where else self.message


class ImportRefused(Exception):
    """The file cannot be imported; nothing has been written."""

    def __init__(self, problems: list[ImportProblem] | ImportProblem):
        self.problems = problems if isinstance(problems, list) else [problems]
        super().__init__("; ".join(str(problem) for problem in self.problems))


@dataclass
class ImportedNode:
    """A top-level node (it becomes a domain) or a capability beneath one."""

    key: str  # the node's identifier in the file: CASE identifier, Moodle ID number, …
    code: str
    title: str
    where: str
    description: str = ""
    relevance: str = ""
    notes: str = ""
    level_descriptors: dict[int, str] = field(default_factory=dict)
    themes: list[str] = field(default_factory=list)  # theme codes
    references: list[str] = field(default_factory=list)  # reference keys
    parent: str | None = None  # the parent's key; None for a top-level node
    uuid: UUID | None = None  # kept when no row of this installation has it yet


@dataclass
class ImportedLink:
    """A typed link from one node of the file to another, or to a node held elsewhere."""

    origin: str  # a node key, or the external node's identifier when `incoming`
    association_type: str
    destination: str  # a node key, or the external node's identifier
    where: str
    note: str = ""
    external_uri: str = ""
    external_title: str = ""
    external: bool = False
    uuid: UUID | None = None


@dataclass
class ImportedTheme:
    code: str
    name: str
    description: str = ""


@dataclass
class ImportedReference:
    key: str
    citation: str
    year: int | None = None
    doi: str = ""
    url: str = ""


@dataclass
class ImportedFramework:
    title: str
    version_label: str = "1.0"
    language: str = "en"
    licence: str = ""
    description: str = ""
    source: str = ""
    uuid: UUID | None = None
    nodes: list[ImportedNode] = field(default_factory=list)  # siblings in their order
    links: list[ImportedLink] = field(default_factory=list)
    themes: list[ImportedTheme] = field(default_factory=list)
    references: list[ImportedReference] = field(default_factory=list)
    report: list[ImportProblem] = field(default_factory=list)

    def not_taken(self, where: str, message: str) -> None:
        self.report.append(ImportProblem(where, message))

    @property
    def top_level(self) -> list[ImportedNode]:
        return [node for node in self.nodes if node.parent is None]

    def depth(self) -> int:
        """Levels of the tree, the top level counting as one."""
        parent_of = {node.key: node.parent for node in self.nodes}
        deepest = 0
        for key in parent_of:
            depth = 1
            while parent_of[key] is not None:
                key, depth = parent_of[key], depth + 1
            deepest = max(deepest, depth)
        return deepest

    def settle(self) -> "ImportedFramework":
        """Apply the rules every format shares; refuse the file if it breaks a hard one."""
        self._settle_framework()
        self._refuse_duplicate_keys()
        self._attach_orphans()
        self._refuse_cycles()
        self._settle_codes()
        self._settle_titles()
        self._settle_links()
        self._settle_vocabulary()
        return self

    def _settle_framework(self) -> None:
        for name, limit in FRAMEWORK_LIMITS.items():
            value = " ".join(getattr(self, name).split())
            if len(value) > limit:
                self.not_taken(
                    "", f"the framework's {name.replace('_', ' ')} was cut to {limit} characters"
                )
                value = _shortened(value, limit)
            setattr(self, name, value)
        self.title = self.title or "Imported framework"
        self.version_label = self.version_label or "1.0"
        self.language = self.language or "en"

    def _refuse_duplicate_keys(self) -> None:
        first_seen, problems = {}, []
        for node in self.nodes:
            if node.key in first_seen:
                problems.append(
                    ImportProblem(
                        node.where,
                        f"the identifier {node.key} is used again "
                        f"(first at {first_seen[node.key]})",
                    )
                )
            else:
                first_seen[node.key] = node.where
        if problems:
            raise ImportRefused(problems)

    def _attach_orphans(self) -> None:
        keys = {node.key for node in self.nodes}
        for node in self.nodes:
            if node.parent is not None and node.parent not in keys:
                self.not_taken(
                    node.where,
                    f"its parent {node.parent} is not in the file; it was placed at the top level",
                )
                node.parent = None

    def _refuse_cycles(self) -> None:
        parent_of = {node.key: node.parent for node in self.nodes}
        where = {node.key: node.where for node in self.nodes}
        settled: set[str] = set()
        for start in parent_of:
            path, key = [], start
            while key is not None and key not in settled:
                if key in path:
                    cycle = [*path[path.index(key) :], key]
                    raise ImportRefused(
                        ImportProblem(where[key], "the hierarchy has a cycle: " + " → ".join(cycle))
                    )
                path.append(key)
                key = parent_of[key]
            settled.update(path)

    def _settle_codes(self) -> None:
        problems = [
            ImportProblem(
                node.where,
                f"the code {node.code[:40]}… is longer than {CODE_MAX_LENGTH} characters",
            )
            for node in self.nodes
            if len(node.code) > CODE_MAX_LENGTH
        ]
        if problems:
            raise ImportRefused(problems)
        by_key = {node.key: node for node in self.nodes}
        used = {node.code for node in self.nodes if node.code}
        kept: set[str] = set()
        siblings: Counter = Counter()
        for node in self.nodes:
            siblings[node.parent] += 1
            if node.code and node.code not in kept:
                kept.add(node.code)  # the first node with a code keeps it
                continue
            if node.code:
                base = node.code
            elif node.parent is None:
                base = f"D{siblings[None]}"
            else:
                base = _fitted(by_key[node.parent].code or "C", f".{siblings[node.parent]}")
            code, suffix = _fitted(base, ""), 2
            while code in used:
                code, suffix = _fitted(base, f"-{suffix}"), suffix + 1
            used.add(code)
            kept.add(code)
            self.not_taken(
                node.where,
                f"the code {node.code} is used more than once; this one became {code}"
                if node.code
                else f"it has no code; it was given {code}",
            )
            node.code = code

    def _settle_titles(self) -> None:
        for node in self.nodes:
            title = " ".join(node.title.split()) or " ".join(node.description.split())
            if not title:
                title = node.code
            if len(title) > TITLE_MAX_LENGTH:
                # The whole text is kept: as the description, or else ahead of the notes.
                if not node.description:
                    node.description = node.title
                else:
                    node.notes = "\n\n".join(filter(None, [node.title, node.notes]))
                title = _shortened(title, TITLE_MAX_LENGTH)
            node.title = title

    def _settle_links(self) -> None:
        top_level = {node.key for node in self.top_level}
        keys = {node.key for node in self.nodes}
        seen, kept = set(), []
        for link in self.links:
            ends = (link.origin, link.destination)
            inside = [end for end in ends if end in keys]
            problem = None
            if link.association_type not in ASSOCIATION_TYPES:
                problem = f"the association type {link.association_type} is not supported"
            elif not inside:
                problem = "neither end is in the file"
            elif any(end in top_level for end in inside):
                problem = "links to or from a top-level group (a domain) are not kept"
            elif len(inside) == 1 and not link.external:
                problem = f"{(set(ends) - keys).pop()} is not in the file"
            elif any(len(end) > EXTERNAL_IDENTIFIER_MAX_LENGTH for end in ends):
                problem = "the identifier of the other end is too long"
            elif link.origin == link.destination:
                problem = "a link from a node to itself is not kept"
            elif (link.origin, link.association_type, link.destination) in seen:
                problem = "the same link is given twice; the first is kept"
            if problem:
                self.not_taken(link.where, f"{link.association_type} link not taken: {problem}")
                continue
            link.external = len(inside) == 1
            if len(link.external_uri) > EXTERNAL_URI_MAX_LENGTH:
                self.not_taken(link.where, "the URI of the other end is too long; it is left out")
                link.external_uri = ""
            link.external_title = _shortened(link.external_title, TITLE_MAX_LENGTH)
            seen.add((link.origin, link.association_type, link.destination))
            kept.append(link)
        self.links = kept

    def _settle_vocabulary(self) -> None:
        for theme in self.themes:
            theme.code = slug_code(theme.code, 60)
            theme.name = _shortened(" ".join(theme.name.split()) or theme.code, 120)
        for reference in self.references:
            reference.key = slug_code(reference.key, 80)
            where = f"reference {reference.key}"
            if reference.year is not None and not 1800 <= reference.year <= 2200:
                self.not_taken(where, f"the year {reference.year} is not plausible; left out")
                reference.year = None
            for name, limit in (("doi", 200), ("url", 500)):
                if len(getattr(reference, name)) > limit:
                    self.not_taken(where, f"the {name.upper()} is too long; left out")
                    setattr(reference, name, "")
        self.themes = _first_of_each(self.themes, "code")
        self.references = _first_of_each(self.references, "key")
        themes = {theme.code for theme in self.themes}
        references = {reference.key for reference in self.references}
        for node in self.nodes:
            for code in node.themes:
                if code not in themes:
                    self.not_taken(node.where, f"the theme {code} is not defined in the file")
            for key in node.references:
                if key not in references:
                    self.not_taken(node.where, f"the reference {key} is not defined in the file")
            node.themes = [code for code in dict.fromkeys(node.themes) if code in themes]
            node.references = [key for key in dict.fromkeys(node.references) if key in references]


def _first_of_each(items: list, key: str) -> list:
    """The items without those whose `key` an earlier one already has."""
    seen = set()
    kept = []
    for item in items:
        if getattr(item, key) not in seen:
            seen.add(getattr(item, key))
            kept.append(item)
    return kept


def _fitted(base: str, tail: str) -> str:
    """`base` + `tail`, with `base` cut so that the code fits its column."""
    return base[: CODE_MAX_LENGTH - len(tail)] + tail


def _shortened(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.") + "…"


def slug_code(name: str, limit: int = 60) -> str:
    """A theme code or reference key from any text, as a slug."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:limit].strip("-") or "untitled"
