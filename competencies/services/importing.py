"""Write a framework read from a file (CASE, Moodle CSV, workbook): as a new draft, or as an
update of a draft that the designer previews before it is applied."""

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from competencies.interchange.formats import read_framework_file
from competencies.interchange.imported import ImportedFramework
from competencies.models import (
    Capability,
    CapabilityAssociation,
    Domain,
    ExternalAssociation,
    Framework,
    FrameworkImport,
    LevelDescriptor,
    Reference,
    Theme,
)
from competencies.services.bulk import bulk_create_capability_tree
from competencies.services.updating import framework_update_apply, framework_update_plan
from eisen.errors import Conflict


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
        title=imported.title,
        version_label=imported.version_label,
        language=imported.language,
        licence=imported.licence,
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
                uri=link.external_uri,
                title=link.external_title,
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


def _record(
    *, framework, imported: ImportedFramework, data: bytes, source_name: str, user, **fields
) -> FrameworkImport:
    return FrameworkImport.objects.create(
        framework=framework,
        source_name=source_name[:255],
        size=len(data),
        imported_by=user,
        report=[[problem.where, problem.message] for problem in imported.report],
        **fields,
    )


@transaction.atomic
def framework_import_file(
    *, data: bytes, source_name: str, file_format: str = "", user=None
) -> FrameworkImport:
    """Read a framework file and create it as a new draft, keeping the import's report.

    ImportRefused when the file cannot be imported; nothing is written then.
    """
    imported, file_format = read_framework_file(
        data, source_name=source_name, file_format=file_format
    )
    return _record(
        framework=framework_import(imported=imported, user=user),
        imported=imported,
        data=data,
        source_name=source_name,
        user=user,
        file_format=file_format,
        action=FrameworkImport.Action.CREATE,
        status=FrameworkImport.Status.APPLIED,
        summary={
            "domains": len(imported.top_level),
            "capabilities": len(imported.nodes) - len(imported.top_level),
            "depth": imported.depth(),
            "links": sum(not link.external for link in imported.links),
            "external_links": sum(link.external for link in imported.links),
            "themes": len(imported.themes),
            "references": len(imported.references),
        },
    )


@transaction.atomic
def framework_update_preview(
    *, framework: Framework, data: bytes, source_name: str, file_format: str = "", user=None
) -> FrameworkImport:
    """Hold a file that would update a draft until the designer applies what it changes.

    The user's earlier previews of the same framework are dropped: only the latest can be applied.
    """
    imported, file_format = read_framework_file(
        data, source_name=source_name, file_format=file_format
    )
    plan = framework_update_plan(framework, imported)
    FrameworkImport.objects.filter(
        framework=framework, imported_by=user, status=FrameworkImport.Status.PREVIEWED
    ).delete()
    return _record(
        framework=framework,
        imported=imported,
        data=data,
        source_name=source_name,
        user=user,
        file_format=file_format,
        action=FrameworkImport.Action.UPDATE,
        status=FrameworkImport.Status.PREVIEWED,
        pending_file=data,
        base_revision=framework.revision,
        summary={"previewed": plan.as_data()},
    )


def previewed_plan(record: FrameworkImport):
    """What applying a previewed file would change now."""
    imported, _format = read_framework_file(
        bytes(record.pending_file), source_name=record.source_name, file_format=record.file_format
    )
    return framework_update_plan(record.framework, imported)


@transaction.atomic
def framework_update_confirm(*, record: FrameworkImport, user=None):
    """Apply a previewed update exactly as it was previewed; StaleEdit if it would now differ."""
    record = FrameworkImport.objects.select_for_update().get(pk=record.pk)
    if record.status != FrameworkImport.Status.PREVIEWED:
        raise Conflict(_("This file has already been applied."))
    imported, _format = read_framework_file(
        bytes(record.pending_file), source_name=record.source_name, file_format=record.file_format
    )
    plan = framework_update_apply(
        record.framework,
        imported,
        expected_revision=record.base_revision,
        expected_plan=record.summary["previewed"],
        user=user,
    )
    record.status = FrameworkImport.Status.APPLIED
    record.pending_file = None
    record.summary = {
        "added": len(plan.added),
        "changed": len(plan.changed),
        "deleted": len(plan.deleted),
    }
    record.save()
    return plan
