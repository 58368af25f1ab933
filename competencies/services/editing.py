"""Editing a draft framework: metadata, domains, capabilities, level descriptors and links.

Every function here refuses to touch a framework that is not a draft, and every edit of an
existing row takes the revision the editor started from: a save made on a stale copy is refused
with the current row, never silently written over it.
"""

from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from competencies.models import (
    Capability,
    CapabilityAssociation,
    Domain,
    Framework,
    LevelDescriptor,
    Reference,
    Theme,
)
from competencies.services.rules import close_gaps, require_editable
from eisen.rows import locked_for_edit

FRAMEWORK_FIELDS = ("title", "slug", "version_label", "language", "licence", "description")
DOMAIN_FIELDS = ("code", "name", "description")
CAPABILITY_FIELDS = ("code", "title", "description", "relevance")
# Apps above this one (courses) register a function that lists where capabilities are still used,
# so that deleting one can be refused with that list instead of cascading. A finder is given many
# capabilities at once (an update from a file may delete hundreds) and answers, by primary key,
# readable lines for those in use, in a fixed number of queries.
UsageFinder = Callable[[list[Capability]], dict[int, list[str]]]
_capability_usage_finders: list[UsageFinder] = []


def register_capability_usage(finder: UsageFinder) -> None:
    if finder not in _capability_usage_finders:
        _capability_usage_finders.append(finder)


def _apply(obj, changes: dict, allowed: Iterable[str]) -> None:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise ValueError(f"Cannot change {', '.join(sorted(unknown))} here.")
    for field, value in changes.items():
        setattr(obj, field, value)


# Frameworks


@transaction.atomic
def framework_create(
    *,
    title: str,
    slug: str,
    version_label: str = "1.0",
    language: str = "en",
    licence: str = "",
    description: str = "",
) -> Framework:
    """A blank draft framework (see versions.framework_copy for one made from another)."""
    framework = Framework(
        title=title,
        slug=slug,
        version_label=version_label,
        language=language,
        licence=licence,
        description=description,
        status=Framework.Status.DRAFT,
    )
    framework.full_clean(validate_constraints=False)
    framework.save()
    return framework


@transaction.atomic
def framework_update(*, framework: Framework, expected_revision: int, **changes) -> Framework:
    framework = locked_for_edit(Framework, framework, expected_revision)
    require_editable(framework)
    _apply(framework, changes, FRAMEWORK_FIELDS)
    framework.revision += 1
    framework.full_clean(validate_constraints=False)
    framework.save()
    return framework


# Domains


@transaction.atomic
def domain_create(*, framework: Framework, code: str, name: str, description: str = "") -> Domain:
    framework = Framework.objects.select_for_update().get(pk=framework.pk)
    require_editable(framework)
    last = framework.domains.aggregate(last=Max("position"))["last"]
    domain = Domain(
        framework=framework,
        code=code,
        name=name,
        description=description,
        position=0 if last is None else last + 1,
    )
    domain.full_clean(validate_constraints=False)
    domain.save()
    return domain


@transaction.atomic
def domain_update(*, domain: Domain, expected_revision: int, **changes) -> Domain:
    domain = locked_for_edit(Domain, domain, expected_revision)
    require_editable(domain.framework)
    _apply(domain, changes, DOMAIN_FIELDS)
    domain.revision += 1
    domain.full_clean(validate_constraints=False)
    domain.save()
    return domain


@transaction.atomic
def domain_delete(*, domain: Domain) -> None:
    domain = locked_for_edit(Domain, domain, None)
    require_editable(domain.framework)
    count = domain.capabilities.count()
    if count:
        raise ValidationError(
            _(
                "Domain %(code)s still holds %(count)d capabilities; "
                "move or delete them before deleting the domain."
            )
            % {"code": domain.code, "count": count}
        )
    domain.delete()


# Capabilities


def _check_references(framework: Framework, themes, references) -> None:
    if any(theme.framework_id != framework.pk for theme in themes):
        raise ValidationError({"themes": _("Themes must belong to the capability's framework.")})
    if any(reference.framework_id != framework.pk for reference in references):
        raise ValidationError(
            {"references": _("References must belong to the capability's framework.")}
        )


def _set_level_descriptors(capability: Capability, descriptors: dict[int, str]) -> None:
    """Create, change or (for blank text) remove the EQF level descriptors given."""
    for level, text in descriptors.items():
        if level not in LevelDescriptor.EqfLevel.values:
            raise ValidationError(
                {"level_descriptors": _("EQF level %(level)s is not 7 or 8.") % {"level": level}}
            )
        text = (text or "").strip()
        if not text:
            capability.level_descriptors.filter(eqf_level=level).delete()
            continue
        descriptor, _created = LevelDescriptor.objects.get_or_create(
            capability=capability, eqf_level=level, defaults={"text": text}
        )
        if descriptor.text != text:
            descriptor.text = text
            descriptor.full_clean()
            descriptor.save()


def _next_position(domain: Domain, parent: Capability | None) -> int:
    siblings = Capability.objects.filter(domain=domain, parent=parent)
    last = siblings.aggregate(last=Max("position"))["last"]
    return 0 if last is None else last + 1


@transaction.atomic
def capability_create(
    *,
    domain: Domain,
    code: str,
    title: str,
    description: str = "",
    relevance: str = "",
    parent: Capability | None = None,
    themes: Iterable[Theme] = (),
    references: Iterable[Reference] = (),
    level_descriptors: dict[int, str] | None = None,
) -> Capability:
    """A new capability at the end of its domain (or of its parent's sub-capabilities)."""
    framework = Framework.objects.select_for_update().get(pk=domain.framework_id)
    require_editable(framework)
    themes, references = list(themes), list(references)
    _check_references(framework, themes, references)
    capability = Capability(
        framework=framework,
        domain=domain,
        parent=parent,
        code=code,
        title=title,
        description=description,
        relevance=relevance,
        position=_next_position(domain, parent),
    )
    capability.full_clean(validate_constraints=False)
    capability.save()
    capability.themes.set(themes)
    capability.references.set(references)
    _set_level_descriptors(capability, level_descriptors or {})
    return capability


@transaction.atomic
def capability_update(
    *,
    capability: Capability,
    expected_revision: int,
    themes: Iterable[Theme] | None = None,
    references: Iterable[Reference] | None = None,
    level_descriptors: dict[int, str] | None = None,
    **changes,
) -> Capability:
    """Change a capability's text, themes, references or level descriptors.

    Raises StaleEdit when the capability was saved by someone else since `expected_revision`.
    """
    capability = locked_for_edit(Capability, capability, expected_revision)
    require_editable(capability.framework)
    _apply(capability, changes, CAPABILITY_FIELDS)
    capability.revision += 1
    capability.full_clean(validate_constraints=False)
    capability.save()
    if themes is not None or references is not None:
        themes = list(themes if themes is not None else capability.themes.all())
        references = list(references if references is not None else capability.references.all())
        _check_references(capability.framework, themes, references)
        capability.themes.set(themes)
        capability.references.set(references)
    if level_descriptors is not None:
        _set_level_descriptors(capability, level_descriptors)
    return capability


def capability_usages(capabilities: list[Capability]) -> dict[int, list[str]]:
    """Where each of the capabilities is still used, as readable lines, by primary key; those
    used nowhere are left out."""
    usages: dict[int, list[str]] = {}
    for finder in _capability_usage_finders:
        for pk, lines in finder(capabilities).items():
            usages.setdefault(pk, []).extend(lines)
    return usages


@transaction.atomic
def capability_delete(*, capability: Capability) -> None:
    """Delete a capability that has no sub-capabilities and is used nowhere."""
    capability = locked_for_edit(Capability, capability, None)
    require_editable(capability.framework)
    if capability.children.exists():
        raise ValidationError(
            _("%(code)s has sub-capabilities; move or delete them before deleting %(code)s.")
            % {"code": capability.code}
        )
    usages = capability_usages([capability]).get(capability.pk)
    if usages:
        raise ValidationError(
            _("%(code)s is still used: %(usages)s.")
            % {"code": capability.code, "usages": "; ".join(usages)}
        )
    siblings = list(
        Capability.objects.filter(domain=capability.domain, parent=capability.parent)
        .exclude(pk=capability.pk)
        .order_by("position")
    )
    capability.delete()
    close_gaps(siblings)


# Links between capabilities


@transaction.atomic
def association_create(
    *,
    origin: Capability,
    destination: Capability,
    association_type: str,
    note: str = "",
) -> CapabilityAssociation:
    """Link a capability of a draft to another capability, of this framework or any other."""
    require_editable(origin.framework)
    if origin.pk == destination.pk:
        raise ValidationError({"destination": _("A capability cannot be linked to itself.")})
    if CapabilityAssociation.objects.filter(
        origin=origin, destination=destination, association_type=association_type
    ).exists():
        raise ValidationError(
            {
                "destination": _("%(origin)s already has this link to %(destination)s.")
                % {"origin": origin.code, "destination": destination.code}
            }
        )
    association = CapabilityAssociation(
        origin=origin, destination=destination, association_type=association_type, note=note
    )
    association.full_clean(validate_constraints=False)
    association.save()
    return association


@transaction.atomic
def association_delete(*, association: CapabilityAssociation) -> None:
    require_editable(association.origin.framework)
    association.delete()


# Themes and references of a framework


@transaction.atomic
def theme_create(*, framework: Framework, code: str, name: str, description: str = "") -> Theme:
    framework = Framework.objects.select_for_update().get(pk=framework.pk)
    require_editable(framework)
    last = framework.themes.aggregate(last=Max("position"))["last"]
    theme = Theme(
        framework=framework,
        code=code,
        name=name,
        description=description,
        position=1 if last is None else last + 1,
    )
    theme.full_clean(validate_constraints=False)
    theme.save()
    return theme


@transaction.atomic
def reference_create(
    *,
    framework: Framework,
    key: str,
    citation: str,
    year: int | None = None,
    doi: str = "",
    url: str = "",
) -> Reference:
    require_editable(framework)
    reference = Reference(
        framework=framework, key=key, citation=citation, year=year, doi=doi, url=url
    )
    reference.full_clean(validate_constraints=False)
    reference.save()
    return reference


@transaction.atomic
def theme_or_reference_delete(*, item: Theme | Reference) -> None:
    """Delete a theme or reference that no capability uses."""
    require_editable(item.framework)
    users = list(item.capabilities.values_list("code", flat=True))
    if users:
        raise ValidationError(
            _("%(item)s is still used by %(codes)s; remove it there first.")
            % {"item": item, "codes": ", ".join(sorted(users))}
        )
    item.delete()
