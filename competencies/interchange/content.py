"""Everything a framework holds, read once in a fixed number of queries, for the exporters.

The CASE, Moodle and workbook exporters all write from `framework_content()`, so each sees the
same order (domains by position, capabilities depth-first by position) and the same links.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from uuid import UUID

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


@dataclass
class DomainContent:
    pk: int
    uuid: UUID
    code: str
    name: str
    description: str
    position: int


@dataclass
class CapabilityContent:
    pk: int
    uuid: UUID
    code: str
    title: str
    description: str
    relevance: str
    notes: str
    position: int
    domain: DomainContent
    parent: "CapabilityContent | None"
    depth: int = 0  # 0 for a capability directly in its domain
    level_descriptors: dict[int, str] = field(default_factory=dict)
    themes: list[Theme] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    replaces: Capability | None = None  # the capability of the previous version it was copied from


@dataclass
class FrameworkContent:
    framework: Framework
    domains: list[DomainContent]
    capabilities: list[CapabilityContent]  # domain by domain, depth-first, siblings by position
    themes: list[Theme]
    references: list[Reference]
    associations: list[CapabilityAssociation]  # with origin and destination loaded
    external_associations: list[ExternalAssociation]

    def capabilities_of(self, domain: DomainContent) -> list[CapabilityContent]:
        return [capability for capability in self.capabilities if capability.domain is domain]


def framework_content(framework: Framework) -> FrameworkContent:
    """Nine queries whatever the size of the framework."""
    themes = list(Theme.objects.filter(framework=framework).order_by("position"))
    references = list(Reference.objects.filter(framework=framework).order_by("key"))
    domains = {
        pk: DomainContent(pk, uuid, code, name, description, position)
        for pk, uuid, code, name, description, position in Domain.objects.filter(
            framework=framework
        )
        .order_by("position")
        .values_list("id", "uuid", "code", "name", "description", "position")
    }
    rows = list(
        Capability.objects.filter(framework=framework)
        .select_related("derived_from")
        .order_by("position")
    )
    capabilities = {
        row.pk: CapabilityContent(
            pk=row.pk,
            uuid=row.uuid,
            code=row.code,
            title=row.title,
            description=row.description,
            relevance=row.relevance,
            notes=row.notes,
            position=row.position,
            domain=domains[row.domain_id],
            parent=None,
            replaces=row.derived_from,
        )
        for row in rows
    }
    children = defaultdict(list)
    for row in rows:
        capabilities[row.pk].parent = capabilities.get(row.parent_id)
        children[row.parent_id or ("domain", row.domain_id)].append(capabilities[row.pk])

    ordered = []

    def visit(key, depth):
        for capability in children[key]:
            capability.depth = depth
            ordered.append(capability)
            visit(capability.pk, depth + 1)

    for domain_pk in domains:
        visit(("domain", domain_pk), 0)

    for capability_id, level, text in LevelDescriptor.objects.filter(
        capability__framework=framework
    ).values_list("capability_id", "eqf_level", "text"):
        capabilities[capability_id].level_descriptors[level] = text
    theme_by_pk = {theme.pk: theme for theme in themes}
    for capability_id, theme_id in Capability.themes.through.objects.filter(
        capability__framework=framework
    ).values_list("capability_id", "theme_id"):
        capabilities[capability_id].themes.append(theme_by_pk[theme_id])
    for capability in capabilities.values():
        capability.themes.sort(key=lambda theme: theme.position)
    reference_by_pk = {reference.pk: reference for reference in references}
    for capability_id, reference_id in (
        Capability.references.through.objects.filter(capability__framework=framework)
        .order_by("reference__key")
        .values_list("capability_id", "reference_id")
    ):
        capabilities[capability_id].references.append(reference_by_pk[reference_id])

    associations = list(
        CapabilityAssociation.objects.filter(origin__framework=framework)
        .select_related("origin", "destination")
        .order_by("origin__code", "association_type", "destination__code")
    )
    external_associations = list(
        ExternalAssociation.objects.filter(capability__framework=framework)
        .select_related("capability")
        .order_by("capability__code", "association_type", "identifier")
    )
    return FrameworkContent(
        framework=framework,
        domains=list(domains.values()),
        capabilities=ordered,
        themes=themes,
        references=references,
        associations=associations,
        external_associations=external_associations,
    )
