"""A framework's life: draft → published → archived, new versions and copies."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

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
from competencies.services.rules import require_editable


def framework_publish_problems(framework: Framework) -> list[str]:
    """What stops the framework from being published, one readable line each."""
    problems = []
    domains = framework.domains.annotate(size=Count("capabilities")).order_by("position")
    if not domains:
        problems.append(_("The framework has no domains."))
    problems += [
        _("Domain %(code)s %(name)s has no capabilities.")
        % {"code": domain.code, "name": domain.name}
        for domain in domains
        if not domain.size
    ]
    capabilities = framework.capabilities.order_by("domain__position", "code")
    problems += [
        _("%(code)s %(title)s has no description.")
        % {"code": capability.code, "title": capability.title}
        for capability in capabilities
        if not capability.description.strip()
    ]
    duplicated = framework.capabilities.values("code").annotate(uses=Count("id")).filter(uses__gt=1)
    problems += [
        _("The code %(code)s is used by more than one capability.") % {"code": row["code"]}
        for row in duplicated
    ]
    return problems


@transaction.atomic
def framework_publish(*, framework: Framework) -> Framework:
    """Publish a draft that passes the checks; from then on it is read-only."""
    framework = Framework.objects.select_for_update().get(pk=framework.pk)
    require_editable(framework)
    problems = framework_publish_problems(framework)
    if problems:
        raise ValidationError(problems)
    framework.status = Framework.Status.PUBLISHED
    framework.published_at = timezone.now()
    framework.revision += 1
    framework.save()
    return framework


@transaction.atomic
def framework_archive(*, framework: Framework) -> Framework:
    """Retire a published version: still readable, no longer offered for new mappings."""
    framework = Framework.objects.select_for_update().get(pk=framework.pk)
    if framework.status != Framework.Status.PUBLISHED:
        raise ValidationError(_("Only a published version can be archived."))
    framework.status = Framework.Status.ARCHIVED
    framework.revision += 1
    framework.save()
    return framework


@transaction.atomic
def framework_new_version(*, framework: Framework, version_label: str) -> Framework:
    """A draft copy of a published (or archived) version, each capability keeping its lineage."""
    if framework.is_draft:
        raise ValidationError(
            _("“%(framework)s” is still a draft; publish it before starting a new version.")
            % {"framework": framework}
        )
    return _framework_copy(
        source=framework,
        slug=framework.slug,
        title=framework.title,
        version_label=version_label,
        previous_version=framework,
    )


@transaction.atomic
def framework_copy(*, source: Framework, slug: str, title: str, version_label: str = "1.0"):
    """A new draft framework with the content of `source` (any status), to adapt freely."""
    return _framework_copy(
        source=source, slug=slug, title=title, version_label=version_label, previous_version=None
    )


def _framework_copy(*, source, slug, title, version_label, previous_version) -> Framework:
    copy = Framework(
        slug=slug,
        title=title,
        version_label=version_label,
        status=Framework.Status.DRAFT,
        previous_version=previous_version,
        language=source.language,
        licence=source.licence,
        description=source.description,
        source=source.source,
    )
    copy.full_clean(validate_constraints=False)
    copy.save()
    _copy_content(source, copy)
    return copy


DOMAIN_FIELDS = ("code", "name", "description", "position")
THEME_FIELDS = ("code", "name", "description", "position")
REFERENCE_FIELDS = ("key", "citation", "year", "doi", "url")
EXTERNAL_ASSOCIATION_FIELDS = (
    "capability_is_origin",
    "association_type",
    "identifier",
    "uri",
    "title",
    "note",
)


def _copy_rows(rows: list, model, target: Framework, fields: tuple[str, ...]) -> dict:
    """Bulk copies of a framework's rows into `target`, by the primary key of their original."""
    copies = bulk_create_with_history(
        [
            model(framework=target, **{field: getattr(row, field) for field in fields})
            for row in rows
        ],
        model,
    )
    return {row.pk: copy for row, copy in zip(rows, copies, strict=True)}


def _copy_content(source: Framework, target: Framework) -> None:
    """Copy domains, themes, references, capabilities and their links in bulk inserts.

    The number of queries grows with the depth of the capability tree, not with its size.
    """
    domain_map = _copy_rows(list(source.domains.all()), Domain, target, DOMAIN_FIELDS)
    theme_map = _copy_rows(list(source.themes.all()), Theme, target, THEME_FIELDS)
    reference_map = _copy_rows(list(source.references.all()), Reference, target, REFERENCE_FIELDS)

    capabilities = list(source.capabilities.all())
    copies = {
        capability.pk: Capability(
            framework=target,
            domain=domain_map[capability.domain_id],
            code=capability.code,
            title=capability.title,
            description=capability.description,
            relevance=capability.relevance,
            notes=capability.notes,
            position=capability.position,
            lineage=capability.lineage,
            derived_from=capability,
        )
        for capability in capabilities
    }
    for capability in capabilities:
        if capability.parent_id:
            copies[capability.pk].parent = copies[capability.parent_id]
    bulk_create_capability_tree(list(copies.values()))
    new_pk = {old_pk: copy.pk for old_pk, copy in copies.items()}

    bulk_create_with_history(
        [
            LevelDescriptor(
                capability_id=new_pk[descriptor.capability_id],
                eqf_level=descriptor.eqf_level,
                text=descriptor.text,
            )
            for descriptor in LevelDescriptor.objects.filter(capability__framework=source)
        ],
        LevelDescriptor,
    )
    ThemeLink = Capability.themes.through
    ThemeLink.objects.bulk_create(
        ThemeLink(capability_id=new_pk[link.capability_id], theme_id=theme_map[link.theme_id].pk)
        for link in ThemeLink.objects.filter(capability__framework=source)
    )
    ReferenceLink = Capability.references.through
    ReferenceLink.objects.bulk_create(
        ReferenceLink(
            capability_id=new_pk[link.capability_id],
            reference_id=reference_map[link.reference_id].pk,
        )
        for link in ReferenceLink.objects.filter(capability__framework=source)
    )
    # Links inside the framework are copied between the copies; links to other frameworks keep
    # pointing where they did.
    bulk_create_with_history(
        [
            CapabilityAssociation(
                origin_id=new_pk[association.origin_id],
                destination_id=new_pk.get(association.destination_id, association.destination_id),
                association_type=association.association_type,
                note=association.note,
            )
            for association in CapabilityAssociation.objects.filter(origin__framework=source)
        ],
        CapabilityAssociation,
    )
    bulk_create_with_history(
        [
            ExternalAssociation(
                capability_id=new_pk[link.capability_id],
                **{field: getattr(link, field) for field in EXTERNAL_ASSOCIATION_FIELDS},
            )
            for link in ExternalAssociation.objects.filter(capability__framework=source)
        ],
        ExternalAssociation,
    )
