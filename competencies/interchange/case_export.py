"""A framework as a 1EdTech CASE package (CFPackage), in CASE 1.0 or 1.1 JSON.

Mapping: framework → CFDocument; domain → CFItem of type "Domain"; capability → CFItem
(`humanCodingScheme` code, `abbreviatedStatement` title, `fullStatement` description, themes as
`conceptKeywords`); relevance and level descriptors go in `notes` for 1.0 and in `extensions` for
1.1, which also carries the themes and references whole; the tree → `isChildOf` with
`sequenceNumber`; links → their association types, links kept from an import to nodes held
elsewhere included; a version's capabilities → `replacedBy` from the ones they were copied from.

Identifiers are the rows' UUIDs, or UUIDs derived from them (uuid5) for associations that have no
row, so exporting twice gives the same identifiers.
"""

import uuid

from competencies.interchange.content import CapabilityContent, FrameworkContent, framework_content
from competencies.models import Framework

CASE_VERSIONS = ("1.0", "1.1")
# Fixed namespace for identifiers derived from other identifiers (never change it).
DERIVED_IDS = uuid.UUID("6f1f0c1e-1d3b-5c7a-9e4f-2a8b0c6d4e10")
ADOPTION_STATUS = {
    Framework.Status.DRAFT: "Draft",
    Framework.Status.PUBLISHED: "Adopted",
    Framework.Status.ARCHIVED: "Deprecated",
}
CREATOR = "EISEN Curriculum"


def derived_id(*parts) -> str:
    return str(uuid.uuid5(DERIVED_IDS, ":".join(str(part) for part in parts)))


class CaseUris:
    """The URIs of a package's nodes, under the provider API's base URL."""

    def __init__(self, base_url: str):
        self.base = base_url.rstrip("/")

    def document(self, identifier) -> str:
        return f"{self.base}/CFDocuments/{identifier}"

    def package(self, identifier) -> str:
        return f"{self.base}/CFPackages/{identifier}"

    def item(self, identifier) -> str:
        return f"{self.base}/CFItems/{identifier}"

    def association(self, identifier) -> str:
        return f"{self.base}/CFAssociations/{identifier}"


def _timestamp(moment) -> str:
    return moment.isoformat(timespec="seconds")


RELEVANCE_NOTE_PREFIX = "Relevance to research co-production: "
EQF_NOTE_PREFIX = "EQF"


def _capability_notes(capability: CapabilityContent) -> str:
    """CASE 1.0 has no place for relevance and level descriptors: they go in `notes`."""
    parts = [capability.notes] if capability.notes else []
    if capability.relevance:
        parts.append(RELEVANCE_NOTE_PREFIX + capability.relevance)
    parts += [
        f"{EQF_NOTE_PREFIX} {level}: {text}"
        for level, text in sorted(capability.level_descriptors.items())
    ]
    return "\n\n".join(parts)


def _link(title: str, identifier, uri: str) -> dict:
    return {"title": title, "identifier": str(identifier), "uri": uri}


def _statements(label: str, description: str) -> dict:
    """A node's statements: the description in full, the label as its short form.

    Without a description the label is the full statement, so nothing is written twice.
    """
    if description:
        return {"fullStatement": description, "abbreviatedStatement": label}
    return {"fullStatement": label}


def case_document(framework: Framework, uris: CaseUris) -> dict:
    """The framework's CFDocument."""
    identifier = str(framework.uuid)
    document = {
        "identifier": identifier,
        "uri": uris.document(identifier),
        "CFPackageURI": _link(framework.title, identifier, uris.package(identifier)),
        "creator": CREATOR,
        "title": framework.title,
        "lastChangeDateTime": _timestamp(framework.updated_at),
        "version": framework.version_label,
        "adoptionStatus": ADOPTION_STATUS[framework.status],
        "language": framework.language,
    }
    for key, value in (("description", framework.description), ("notes", framework.source)):
        if value:
            document[key] = value
    return document


def _document_extensions(content: FrameworkContent) -> dict:
    return {
        "themes": [
            {"code": theme.code, "name": theme.name, "description": theme.description}
            for theme in content.themes
        ],
        "references": [
            {
                "key": reference.key,
                "citation": reference.citation,
                "year": reference.year,
                "doi": reference.doi,
                "url": reference.url,
            }
            for reference in content.references
        ],
    }


def framework_case_package(framework: Framework, *, case_version: str, uris: CaseUris) -> dict:
    """The whole framework as a CFPackage dict, ready for json.dumps, in a fixed number of
    queries."""
    if case_version not in CASE_VERSIONS:
        raise ValueError(f"CASE version {case_version!r} is not one of {', '.join(CASE_VERSIONS)}")
    content = framework_content(framework)
    changed = _timestamp(framework.updated_at)
    document = case_document(framework, uris)
    if case_version == "1.1":
        document["extensions"] = _document_extensions(content)
    document_link = _link(framework.title, framework.uuid, document["uri"])

    items, domain_links, capability_links = [], {}, {}
    for domain in content.domains:
        item = {
            "identifier": str(domain.uuid),
            "uri": uris.item(domain.uuid),
            "CFDocumentURI": document_link,
            **_statements(domain.name, domain.description),
            "humanCodingScheme": domain.code,
            "CFItemType": "Domain",
            "language": framework.language,
            "lastChangeDateTime": changed,
        }
        items.append(item)
        domain_links[domain.pk] = _link(domain.name, domain.uuid, item["uri"])
    for capability in content.capabilities:
        item = {
            "identifier": str(capability.uuid),
            "uri": uris.item(capability.uuid),
            "CFDocumentURI": document_link,
            **_statements(capability.title, capability.description),
            "humanCodingScheme": capability.code,
            "CFItemType": "Capability",
            "language": framework.language,
            "lastChangeDateTime": changed,
        }
        if capability.themes:
            # By name: CASE 1.0 cannot carry the themes' order (1.1 does, in extensions).
            item["conceptKeywords"] = sorted(theme.name for theme in capability.themes)
        if case_version == "1.0":
            notes = _capability_notes(capability)
            if notes:
                item["notes"] = notes
        else:
            if capability.notes:
                item["notes"] = capability.notes
            item["extensions"] = {
                "relevance": capability.relevance,
                "levelDescriptors": {
                    str(level): text for level, text in sorted(capability.level_descriptors.items())
                },
                "themes": [theme.code for theme in capability.themes],
                "references": [reference.key for reference in capability.references],
            }
        items.append(item)
        capability_links[capability.pk] = _link(capability.title, capability.uuid, item["uri"])

    def association(identifier, kind, origin, destination, sequence=None, note=""):
        node = {
            "identifier": str(identifier),
            "associationType": kind,
            "uri": uris.association(identifier),
            "originNodeURI": origin,
            "destinationNodeURI": destination,
            "lastChangeDateTime": changed,
        }
        if sequence is not None:
            node["sequenceNumber"] = sequence
        if note:
            node["notes"] = note
        return node

    associations = [
        association(
            derived_id(domain.uuid, "isChildOf", framework.uuid),
            "isChildOf",
            domain_links[domain.pk],
            document_link,
            domain.position + 1,
        )
        for domain in content.domains
    ]
    for capability in content.capabilities:
        parent = (
            capability_links[capability.parent.pk]
            if capability.parent
            else domain_links[capability.domain.pk]
        )
        associations.append(
            association(
                derived_id(capability.uuid, "isChildOf", parent["identifier"]),
                "isChildOf",
                capability_links[capability.pk],
                parent,
                capability.position + 1,
            )
        )
        if capability.replaces:
            old = capability.replaces
            associations.append(
                association(
                    derived_id(old.uuid, "replacedBy", capability.uuid),
                    "replacedBy",
                    _link(old.title, old.uuid, uris.item(old.uuid)),
                    capability_links[capability.pk],
                )
            )
    for link in content.associations:
        destination = link.destination
        associations.append(
            association(
                link.uuid,
                link.association_type,
                capability_links[link.origin_id],
                capability_links.get(destination.pk)
                or _link(destination.title, destination.uuid, uris.item(destination.uuid)),
                note=link.note,
            )
        )
    for link in content.external_associations:
        own = capability_links[link.capability_id]
        other = {"title": link.title, "identifier": link.identifier, "uri": link.uri}
        associations.append(
            association(
                link.uuid,
                link.association_type,
                own if link.capability_is_origin else other,
                other if link.capability_is_origin else own,
                note=link.note,
            )
        )

    return {
        "CFDocument": document,
        "CFItems": items,
        "CFAssociations": associations,
        "CFDefinitions": {
            "CFItemTypes": [_item_type(name, changed, uris) for name in ("Domain", "Capability")]
        },
    }


def _item_type(name: str, changed: str, uris: CaseUris) -> dict:
    identifier = derived_id("CFItemType", name)
    return {
        "identifier": identifier,
        "uri": f"{uris.base}/CFItemTypes/{identifier}",
        "title": name,
        "hierarchyCode": name,
        "lastChangeDateTime": changed,
    }


def case_node_index(framework: Framework, uris: CaseUris) -> dict[str, dict]:
    """Every node of a framework's 1.0 package by identifier (items and associations)."""
    package = framework_case_package(framework, case_version="1.0", uris=uris)
    index = {node["identifier"]: ("item", node) for node in package["CFItems"]}
    index.update({node["identifier"]: ("association", node) for node in package["CFAssociations"]})
    return index
