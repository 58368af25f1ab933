"""Read a 1EdTech CASE package (CFPackage JSON, CASE 1.0 or 1.1) into an ImportedFramework.

Lenient like OpenSALT: sequence numbers may be strings, unknown keys are tolerated (and listed in
the report), an item without `fullStatement` falls back to another label, and associations to
nodes outside the package are kept as external links. The tree comes from `isChildOf`: items
that are children of the document become domains, the rest capabilities beneath them.
"""

import json
import re
from collections import Counter, defaultdict
from uuid import UUID

from competencies.interchange.case_export import (
    EQF_NOTE_PREFIX,
    RELEVANCE_NOTE_PREFIX,
)
from competencies.interchange.imported import (
    ImportedFramework,
    ImportedLink,
    ImportedNode,
    ImportedReference,
    ImportedTheme,
    ImportProblem,
    ImportRefused,
    slug_code,
)

# Keys read into the framework, or that only describe the package itself (URIs, change times).
ITEM_KEYS_USED = {
    "identifier",
    "uri",
    "CFDocumentURI",
    "lastChangeDateTime",
    "fullStatement",
    "abbreviatedStatement",
    "humanCodingScheme",
    "notes",
    "conceptKeywords",
    "CFItemType",
    "CFItemTypeURI",
    "language",
    "extensions",
}
ASSOCIATION_KEYS_USED = {
    "identifier",
    "uri",
    "CFDocumentURI",
    "lastChangeDateTime",
    "associationType",
    "originNodeURI",
    "destinationNodeURI",
    "sequenceNumber",
    "notes",
    "extensions",
}
OWN_ITEM_TYPES = {"Domain", "Capability"}
EQF_NOTE = re.compile(rf"^{re.escape(EQF_NOTE_PREFIX)} ([78]): ", re.ASCII)


def _refuse(where: str, message: str):
    raise ImportRefused(ImportProblem(where, message))


def case_package_parse(data: bytes) -> dict:
    """The package as a dict, or a refusal naming the line and column where the JSON breaks."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        _refuse(f"byte {error.start}", "the file is not UTF-8 text, so it is not CASE JSON")
    try:
        package = json.loads(text)
    except json.JSONDecodeError as error:
        _refuse(
            f"line {error.lineno}, column {error.colno}",
            f"not valid JSON ({error.msg}); is the file complete?",
        )
    if not isinstance(package, dict):
        _refuse("$", "a CASE package is a JSON object with CFDocument and CFItems")
    for key, kind in (("CFDocument", dict), ("CFItems", list)):
        if not isinstance(package.get(key), kind):
            _refuse(f"$.{key}", f"missing or not a JSON {'object' if kind is dict else 'array'}")
    if not isinstance(package.get("CFAssociations", []), list):
        _refuse("$.CFAssociations", "not a JSON array")
    return package


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    return str(value)


def _node_id(reference) -> str:
    """The identifier of a node reference: a LinkURI object, or (leniently) a bare URI string."""
    if isinstance(reference, dict):
        return _text(reference.get("identifier")) or _text(reference.get("uri")).rsplit("/", 1)[-1]
    return _text(reference).rsplit("/", 1)[-1]


def _uuid(identifier: str) -> UUID | None:
    try:
        return UUID(identifier)
    except ValueError:
        return None


def _sequence(association: dict, where: str, imported: ImportedFramework) -> float | None:
    value = association.get("sequenceNumber")
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        imported.not_taken(f"{where}.sequenceNumber", f"{value!r} is not a number; ignored")
        return None


def _split_notes(notes: str) -> tuple[str, str, dict[int, str]]:
    """(notes, relevance, level descriptors) from the notes of a CASE 1.0 export."""
    relevance, descriptors, rest = "", {}, []
    for paragraph in notes.split("\n\n"):
        level = EQF_NOTE.match(paragraph)
        if paragraph.startswith(RELEVANCE_NOTE_PREFIX):
            relevance = paragraph.removeprefix(RELEVANCE_NOTE_PREFIX)
        elif level:
            descriptors[int(level.group(1))] = paragraph[level.end() :]
        else:
            rest.append(paragraph)
    return "\n\n".join(rest).strip(), relevance, descriptors


def _keywords(value) -> list[str]:
    if isinstance(value, list):
        return [_text(word) for word in value if _text(word)]
    return [word.strip() for word in _text(value).split(",") if word.strip()]


def _check_identifiers(package: dict) -> None:
    """Refuse a package where two nodes share an identifier (naming both places)."""
    seen, problems = {}, []
    document_id = _text(package["CFDocument"].get("identifier"))
    if document_id:
        seen[document_id] = "$.CFDocument"
    for key in ("CFItems", "CFAssociations"):
        for index, node in enumerate(package.get(key, [])):
            where = f"$.{key}[{index}]"
            if not isinstance(node, dict):
                _refuse(where, "not a JSON object")
            identifier = _text(node.get("identifier"))
            if not identifier:
                _refuse(f"{where}.identifier", "missing")
            if identifier in seen:
                problems.append(
                    ImportProblem(
                        f"{where}.identifier",
                        f"{identifier} is used again (first at {seen[identifier]})",
                    )
                )
            else:
                seen[identifier] = where
    if problems:
        raise ImportRefused(problems)


def case_package_read(data: bytes, *, source_name: str = "") -> ImportedFramework:
    """An ImportedFramework from CASE package bytes, settled; ImportRefused if it cannot be."""
    package = case_package_parse(data)
    _check_identifiers(package)
    document = package["CFDocument"]
    document_id = _text(document.get("identifier"))
    document_extensions = document.get("extensions") or {}
    title = _text(document.get("title"))
    imported = ImportedFramework(
        title=title or source_name or "Imported framework",
        version_label=_text(document.get("version")) or "1.0",
        language=_text(document.get("language")) or "en",
        licence=_text((document.get("licenseURI") or {}).get("title"))
        if isinstance(document.get("licenseURI"), dict)
        else "",
        description=_text(document.get("description")),
        source=_text(document.get("notes"))
        or "Imported from the CASE package "
        + (_text(document.get("uri")) or source_name)
        + (f" (creator: {_text(document['creator'])})" if document.get("creator") else ""),
        uuid=_uuid(document_id),
    )
    if not title:
        imported.not_taken(
            "$.CFDocument.title", f"missing; the framework is called {imported.title}"
        )

    for theme in document_extensions.get("themes") or []:
        imported.themes.append(
            ImportedTheme(
                code=slug_code(_text(theme.get("code")) or _text(theme.get("name"))),
                name=_text(theme.get("name"))[:120],
                description=_text(theme.get("description")),
            )
        )
    for reference in document_extensions.get("references") or []:
        imported.references.append(
            ImportedReference(
                key=slug_code(_text(reference.get("key")), 80),
                citation=_text(reference.get("citation")),
                year=reference.get("year") if isinstance(reference.get("year"), int) else None,
                doi=_text(reference.get("doi"))[:200],
                url=_text(reference.get("url"))[:500],
            )
        )

    unused_keys, item_types, keywords = Counter(), Counter(), {}
    for index, item in enumerate(package["CFItems"]):
        item_types[_text(item.get("CFItemType"))] += 1
        node = _item_node(item, f"$.CFItems[{index}]", imported)
        imported.nodes.append(node)
        keywords.update({slug_code(word): word for word in _keywords(item.get("conceptKeywords"))})
        unused_keys.update(key for key in item if key not in ITEM_KEYS_USED)
    for key, count in sorted(unused_keys.items()):
        imported.not_taken("$.CFItems", f"{key} (on {count} items) is not kept")
    for item_type, count in sorted(item_types.items()):
        if item_type and item_type not in OWN_ITEM_TYPES:
            imported.not_taken(
                "$.CFItems", f"the item type {item_type} (of {count} items) is not kept"
            )
    if not imported.themes:  # CASE 1.0: concept keywords become themes
        imported.themes = [ImportedTheme(code, name[:120]) for code, name in keywords.items()]
    item_ids = {node.key for node in imported.nodes}

    _read_associations(package, imported, document_id, item_ids)
    return imported.settle()


def _item_node(item: dict, where: str, imported: ImportedFramework) -> ImportedNode:
    identifier = _text(item["identifier"])
    full = _text(item.get("fullStatement"))
    abbreviated = _text(item.get("abbreviatedStatement"))
    extensions = item.get("extensions") if isinstance(item.get("extensions"), dict) else {}
    notes, relevance, descriptors = _split_notes(_text(item.get("notes")))
    if extensions:
        relevance = _text(extensions.get("relevance")) or relevance
        for level, text in (extensions.get("levelDescriptors") or {}).items():
            if str(level) in ("7", "8") and _text(text):
                descriptors[int(level)] = _text(text)
    if not full:
        fallback = abbreviated or _text(item.get("humanCodingScheme"))
        imported.not_taken(
            f"{where}.fullStatement",
            "missing; "
            + (f"the item is called {fallback!r}" if fallback else "the item has no statement"),
        )
    node = ImportedNode(
        key=_text(item["identifier"]),
        code=_text(item.get("humanCodingScheme")),
        title=abbreviated or full,
        description=full if abbreviated else "",
        relevance=relevance,
        notes=notes,
        level_descriptors=descriptors,
        where=where,
        uuid=_uuid(identifier),
    )
    node.themes = [
        slug_code(word)
        for word in extensions.get("themes") or _keywords(item.get("conceptKeywords"))
    ]
    node.references = [slug_code(_text(key)) for key in extensions.get("references") or []]
    return node


def _read_associations(package, imported, document_id: str, item_ids: set) -> None:
    by_key = {node.key: node for node in imported.nodes}
    places = defaultdict(list)  # child → [(sequence, index, parent, where)]
    unused_keys = Counter()
    for index, association in enumerate(package.get("CFAssociations", [])):
        where = f"$.CFAssociations[{index}]"
        unused_keys.update(key for key in association if key not in ASSOCIATION_KEYS_USED)
        kind = _text(association.get("associationType"))
        origin = _node_id(association.get("originNodeURI"))
        destination = _node_id(association.get("destinationNodeURI"))
        if not origin or not destination:
            imported.not_taken(where, "the association has no origin or no destination")
            continue
        if kind == "isChildOf":
            if origin not in item_ids:
                imported.not_taken(where, f"isChildOf from {origin}, which is not an item here")
                continue
            sequence = _sequence(association, where, imported)
            places[origin].append((sequence, index, destination, where))
            continue
        external = (
            association.get("destinationNodeURI")
            if origin in item_ids
            else association.get("originNodeURI")
        )
        external = external if isinstance(external, dict) else {"uri": _text(external)}
        imported.links.append(
            ImportedLink(
                origin=origin,
                association_type=kind,
                destination=destination,
                where=where,
                note=_text(association.get("notes")),
                external_uri=_text(external.get("uri")),
                external_title=_text(external.get("title")),
                external=(origin in item_ids) != (destination in item_ids),
                uuid=_uuid(_text(association["identifier"])),
            )
        )

    for key, count in sorted(unused_keys.items()):
        imported.not_taken("$.CFAssociations", f"{key} (on {count} associations) is not kept")
    unplaced = [node for node in imported.nodes if node.key not in places]
    for node in unplaced:
        imported.not_taken(node.where, "no isChildOf association; placed at the top level")
    order = {}
    for child, candidates in places.items():
        candidates.sort(key=lambda place: (place[0] is None, place[0] or 0, place[1]))
        sequence, index, parent, _where = candidates[0]
        for _sequence_number, _index, other, other_where in candidates[1:]:
            imported.not_taken(
                other_where, f"a second place of {child} (under {other}); only the first is kept"
            )
        by_key[child].parent = None if parent == document_id else parent
        order[child] = (sequence is None, sequence or 0, index)
    # Siblings keep the order of their sequence numbers; those without one follow, as listed.
    imported.nodes.sort(key=lambda node: order.get(node.key, (True, 0, len(order))))
