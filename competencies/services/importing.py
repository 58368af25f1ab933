"""Write a framework read from a file (CASE, Moodle CSV, workbook) as a new draft."""

from django.db import transaction
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history

from competencies.interchange.imported import ImportedFramework
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
from competencies.services.bulk import bulk_create_capability_tree


def _free_slug(title: str, version_label: str) -> str:
    base = slugify(title)[:70].strip("-") or "framework"
    taken = set(
        Framework.objects.filter(slug__startswith=base, version_label=version_label).values_list(
            "slug", flat=True
        )
    )
    slug, suffix = base, 2
    while slug in taken:
        slug, suffix = f"{base}-{suffix}", suffix + 1
    return slug


def _unused(wanted: set, *models) -> set:
    """The identifiers of `wanted` that no row of `models` has."""
    taken = set()
    for model in models:
        taken |= set(model.objects.filter(uuid__in=wanted).values_list("uuid", flat=True))
    return wanted - taken


def _free_uuids(imported: ImportedFramework) -> set:
    """The identifiers from the file that no domain or capability of this installation has."""
    wanted = {node.uuid for node in imported.nodes if node.uuid}
    free = _unused(wanted, Domain, Capability)
    if len(free) < len(wanted):
        imported.not_taken(
            "",
            f"{len(wanted) - len(free)} identifiers of the file are already used here (was it "
            "exported from this installation?); those items were given new identifiers",
        )
    return free


@transaction.atomic
def framework_import(*, imported: ImportedFramework, user=None) -> Framework:
    """Create a draft framework holding everything `imported` (already settled) carries.

    Bulk inserts throughout: the number of queries grows with the depth of the tree, not with
    the number of items.
    """
    framework_uuid = imported.uuid
    if framework_uuid and Framework.objects.filter(uuid=framework_uuid).exists():
        framework_uuid = None
    framework = Framework(
        slug=_free_slug(imported.title, imported.version_label),
        title=imported.title[:200],
        version_label=imported.version_label[:40] or "1.0",
        language=imported.language[:12] or "en",
        licence=imported.licence[:200],
        description=imported.description,
        source=imported.source,
        status=Framework.Status.DRAFT,
    )
    if framework_uuid:
        framework.uuid = framework_uuid
    framework.full_clean(validate_constraints=False)
    framework.save()

    themes = bulk_create_with_history(
        [
            Theme(framework=framework, position=position, **vars(theme))
            for position, theme in enumerate(imported.themes, start=1)
        ],
        Theme,
        default_user=user,
    )
    references = bulk_create_with_history(
        [Reference(framework=framework, **vars(reference)) for reference in imported.references],
        Reference,
        default_user=user,
    )

    free = _free_uuids(imported)
    positions: dict[str | None, int] = {}

    def next_position(parent_key):
        positions[parent_key] = positions.get(parent_key, -1) + 1
        return positions[parent_key]

    def identified(row, node):
        if node.uuid in free:
            row.uuid = node.uuid
        return row

    domains = {}
    for node in imported.top_level:
        domains[node.key] = identified(
            Domain(
                framework=framework,
                code=node.code,
                name=node.title,
                description=node.description,
                position=next_position(None),
            ),
            node,
        )
    bulk_create_with_history(list(domains.values()), Domain, default_user=user)

    by_key = {node.key: node for node in imported.nodes}

    def domain_of(node):
        while node.parent is not None:
            node = by_key[node.parent]
        return domains[node.key]

    capabilities = {}
    for node in imported.nodes:
        if node.parent is None:
            continue
        capabilities[node.key] = identified(
            Capability(
                framework=framework,
                domain=domain_of(node),
                code=node.code,
                title=node.title,
                description=node.description,
                relevance=node.relevance,
                notes=node.notes,
                position=next_position(node.parent),
            ),
            node,
        )
    for key, capability in capabilities.items():
        capability.parent = capabilities.get(by_key[key].parent)
    bulk_create_capability_tree(list(capabilities.values()), user=user)

    bulk_create_with_history(
        [
            LevelDescriptor(capability=capabilities[node.key], eqf_level=level, text=text)
            for node in imported.nodes
            if node.key in capabilities
            for level, text in sorted(node.level_descriptors.items())
        ],
        LevelDescriptor,
        default_user=user,
    )
    theme_pk = {theme.code: theme.pk for theme in themes}
    reference_pk = {reference.key: reference.pk for reference in references}
    ThemeLink = Capability.themes.through
    ThemeLink.objects.bulk_create(
        ThemeLink(capability_id=capabilities[node.key].pk, theme_id=theme_pk[code])
        for node in imported.nodes
        if node.key in capabilities
        for code in node.themes
    )
    ReferenceLink = Capability.references.through
    ReferenceLink.objects.bulk_create(
        ReferenceLink(capability_id=capabilities[node.key].pk, reference_id=reference_pk[key])
        for node in imported.nodes
        if node.key in capabilities
        for key in node.references
    )
    _create_links(imported, capabilities, user)
    return framework


def _create_links(imported: ImportedFramework, capabilities: dict, user) -> None:
    free = _unused(
        {link.uuid for link in imported.links if link.uuid},
        CapabilityAssociation,
        ExternalAssociation,
    )
    internal, external = [], []
    for link in imported.links:
        if link.external:
            is_origin = link.origin in capabilities
            row = ExternalAssociation(
                capability=capabilities[link.origin if is_origin else link.destination],
                capability_is_origin=is_origin,
                association_type=link.association_type,
                identifier=link.destination if is_origin else link.origin,
                uri=link.external_uri[:500],
                title=link.external_title[:255],
                note=link.note,
            )
            external.append(row)
        else:
            row = CapabilityAssociation(
                origin=capabilities[link.origin],
                destination=capabilities[link.destination],
                association_type=link.association_type,
                note=link.note,
            )
            internal.append(row)
        if link.uuid in free:
            row.uuid = link.uuid
    bulk_create_with_history(internal, CapabilityAssociation, default_user=user)
    bulk_create_with_history(external, ExternalAssociation, default_user=user)
