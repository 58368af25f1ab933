"""A framework as a 1EdTech CASE package (CFPackage), in CASE 1.0 or 1.1 JSON.

Mapping: framework → CFDocument; domain → CFItem of type "Domain"; capability → CFItem
(`humanCodingScheme` code, `abbreviatedStatement` title, `fullStatement` description, themes as
`conceptKeywords`); relevance and level descriptors go in `notes` for 1.0 and in `extensions` for
1.1; the tree → `isChildOf` with `sequenceNumber`; links → their association types; a version's
capabilities → `replacedBy` from the capabilities they were copied from.

Identifiers are the rows' UUIDs, or UUIDs derived from them (uuid5) for associations that have no
row, so exporting twice gives the same identifiers.
"""

import uuid
from collections import defaultdict

from competencies.models import Capability, CapabilityAssociation, Framework, LevelDescriptor

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


def _capability_notes(relevance: str, descriptors: dict[int, str]) -> str:
    parts = []
    if relevance:
        parts.append(f"Relevance to research co-production: {relevance}")
    parts += [f"EQF {level}: {text}" for level, text in sorted(descriptors.items())]
    return "\n\n".join(parts)


def _link(title: str, identifier, uri: str) -> dict:
    return {"title": title, "identifier": str(identifier), "uri": uri}


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


def framework_case_package(framework: Framework, *, case_version: str, uris: CaseUris) -> dict:
    """The whole framework as a CFPackage dict, ready for json.dumps. Seven queries."""
    if case_version not in CASE_VERSIONS:
        raise ValueError(f"CASE version {case_version!r} is not one of {', '.join(CASE_VERSIONS)}")
    changed = _timestamp(framework.updated_at)
    document = case_document(framework, uris)
    document_link = _link(framework.title, framework.uuid, document["uri"])

    domains = list(framework.domains.order_by("position"))
    capabilities = list(
        Capability.objects.filter(framework=framework)
        .select_related("parent", "derived_from")
        .order_by("domain__position", "position")
    )
    descriptors = defaultdict(dict)
    for capability_id, level, text in LevelDescriptor.objects.filter(
        capability__framework=framework
    ).values_list("capability_id", "eqf_level", "text"):
        descriptors[capability_id][level] = text
    themes = defaultdict(list)
    for capability_id, name in (
        Capability.themes.through.objects.filter(capability__framework=framework)
        .order_by("theme__position")
        .values_list("capability_id", "theme__name")
    ):
        themes[capability_id].append(name)

    items, domain_links, capability_links = [], {}, {}
    for domain in domains:
        item = {
            "identifier": str(domain.uuid),
            "uri": uris.item(domain.uuid),
            "CFDocumentURI": document_link,
            "fullStatement": domain.name,
            "humanCodingScheme": domain.code,
            "CFItemType": "Domain",
            "language": framework.language,
            "lastChangeDateTime": changed,
        }
        if domain.description:
            item["notes"] = domain.description
        items.append(item)
        domain_links[domain.pk] = _link(domain.name, domain.uuid, item["uri"])
    for capability in capabilities:
        item = {
            "identifier": str(capability.uuid),
            "uri": uris.item(capability.uuid),
            "CFDocumentURI": document_link,
            "fullStatement": capability.description or capability.title,
            "abbreviatedStatement": capability.title,
            "humanCodingScheme": capability.code,
            "CFItemType": "Capability",
            "language": framework.language,
            "lastChangeDateTime": changed,
        }
        if themes[capability.pk]:
            item["conceptKeywords"] = themes[capability.pk]
        levels = descriptors[capability.pk]
        if case_version == "1.0":
            notes = _capability_notes(capability.relevance, levels)
            if notes:
                item["notes"] = notes
        else:
            item["extensions"] = {
                "relevance": capability.relevance,
                "levelDescriptors": {str(level): text for level, text in sorted(levels.items())},
            }
        items.append(item)
        capability_links[capability.pk] = _link(capability.title, capability.uuid, item["uri"])

    def association(identifier, kind, origin, destination, sequence=None):
        node = {
            "identifier": identifier,
            "associationType": kind,
            "uri": uris.association(identifier),
            "originNodeURI": origin,
            "destinationNodeURI": destination,
            "lastChangeDateTime": changed,
        }
        if sequence is not None:
            node["sequenceNumber"] = sequence
        return node

    associations = [
        association(
            derived_id(domain.uuid, "isChildOf", framework.uuid),
            "isChildOf",
            domain_links[domain.pk],
            document_link,
            domain.position + 1,
        )
        for domain in domains
    ]
    for capability in capabilities:
        parent = (
            capability_links[capability.parent_id]
            if capability.parent_id
            else domain_links[capability.domain_id]
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
        if capability.derived_from_id:
            old = capability.derived_from
            associations.append(
                association(
                    derived_id(old.uuid, "replacedBy", capability.uuid),
                    "replacedBy",
                    _link(old.title, old.uuid, uris.item(old.uuid)),
                    capability_links[capability.pk],
                )
            )
    for link in CapabilityAssociation.objects.filter(origin__framework=framework).select_related(
        "destination"
    ):
        destination = link.destination
        associations.append(
            association(
                str(link.uuid),
                link.association_type,
                capability_links[link.origin_id],
                capability_links.get(destination.pk)
                or _link(destination.title, destination.uuid, uris.item(destination.uuid)),
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
