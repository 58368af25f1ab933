"""Changing the shape of a draft: order of domains, capabilities' places, and their codes."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from competencies.models import (
    Capability,
    Domain,
    Framework,
)
from competencies.services.rules import require_editable
from eisen.rows import locked_for_edit, place_in_order


@transaction.atomic
def domain_move(*, domain: Domain, index: int) -> None:
    """Put the domain at `index` (0-based) in its framework's order."""
    require_editable(domain.framework)
    domains = list(
        Domain.objects.select_for_update().filter(framework=domain.framework).order_by("position")
    )
    moving = next(item for item in domains if item.pk == domain.pk)
    domains.remove(moving)
    domains.insert(max(0, min(index, len(domains))), moving)
    for position, item in enumerate(domains):
        item.position = position
    place_in_order(Domain, domains, ["position"])


def _descendant_ids(capability: Capability) -> set[int]:
    parent_of = dict(
        Capability.objects.filter(framework=capability.framework_id).values_list("id", "parent_id")
    )
    descendants, frontier = set(), {capability.pk}
    while frontier:
        frontier = {pk for pk, parent in parent_of.items() if parent in frontier}
        descendants |= frontier
    return descendants


@transaction.atomic
def capability_move(
    *,
    capability: Capability,
    index: int,
    parent: Capability | None = None,
    domain: Domain | None = None,
) -> Capability:
    """Put the capability at `index` (0-based) under `parent`, or at the top of `domain`.

    With neither given it stays where it is and only changes place among its siblings. Its
    sub-capabilities move with it. Codes do not change (see capabilities_renumber).
    """
    capability = locked_for_edit(Capability, capability, None)
    framework = capability.framework
    require_editable(framework)
    if parent is not None:
        if parent.pk == capability.pk or parent.pk in _descendant_ids(capability):
            raise ValidationError(
                {
                    "parent": _(
                        "%(code)s cannot go under %(parent)s: that would put it inside itself."
                    )
                    % {"code": capability.code, "parent": parent.code}
                }
            )
        target_domain = parent.domain
    elif domain is not None:
        target_domain = domain
    else:
        target_domain = capability.domain
        parent = capability.parent
    if target_domain.framework_id != framework.pk:
        raise ValidationError({"domain": _("The domain belongs to another framework.")})

    old_siblings = list(
        Capability.objects.filter(domain=capability.domain, parent=capability.parent)
        .exclude(pk=capability.pk)
        .order_by("position")
    )
    new_siblings = [
        item
        for item in Capability.objects.filter(domain=target_domain, parent=parent).order_by(
            "position"
        )
        if item.pk != capability.pk
    ]
    new_siblings.insert(max(0, min(index, len(new_siblings))), capability)

    moved_to_other_domain = capability.domain_id != target_domain.pk
    capability.parent = parent
    capability.domain = target_domain
    capability.revision += 1
    for group in (old_siblings, new_siblings):
        for position, item in enumerate(group):
            item.position = position
    touched = {item.pk: item for item in old_siblings + new_siblings}
    place_in_order(Capability, list(touched.values()), ["position", "parent", "domain", "revision"])
    if moved_to_other_domain:
        Capability.objects.filter(pk__in=_descendant_ids(capability)).update(domain=target_domain)
    return capability


def _siblings(capability: Capability) -> list[Capability]:
    return list(
        Capability.objects.filter(domain=capability.domain, parent=capability.parent).order_by(
            "position"
        )
    )


def capability_move_up(*, capability: Capability) -> Capability:
    return capability_move(capability=capability, index=max(0, capability.position - 1))


def capability_move_down(*, capability: Capability) -> Capability:
    return capability_move(capability=capability, index=capability.position + 1)


def capability_indent(*, capability: Capability) -> Capability:
    """Make the capability the last sub-capability of the sibling above it."""
    siblings = _siblings(capability)
    place = [item.pk for item in siblings].index(capability.pk)
    if place == 0:
        raise ValidationError(
            _("%(code)s is first among its siblings; there is nothing to indent it under.")
            % {"code": capability.code}
        )
    new_parent = siblings[place - 1]
    return capability_move(
        capability=capability, parent=new_parent, index=new_parent.children.count()
    )


def capability_outdent(*, capability: Capability) -> Capability:
    """Move the capability out of its parent, to just after it."""
    parent = capability.parent
    if parent is None:
        raise ValidationError(
            _("%(code)s is already at the top of its domain.") % {"code": capability.code}
        )
    if parent.parent is None:
        return capability_move(
            capability=capability, domain=parent.domain, index=parent.position + 1
        )
    return capability_move(capability=capability, parent=parent.parent, index=parent.position + 1)


@transaction.atomic
def capabilities_renumber(*, framework: Framework) -> int:
    """Give every capability the code of its place: K1, K2, … and K1.1, K1.2 below K1.

    Returns how many codes changed. Codes never change unless a designer asks for this.
    """
    framework = Framework.objects.select_for_update().get(pk=framework.pk)
    require_editable(framework)
    domains = {domain.pk: domain for domain in framework.domains.all()}
    capabilities = list(Capability.objects.filter(framework=framework))
    children: dict = {}
    for capability in capabilities:
        key = capability.parent_id or ("domain", capability.domain_id)
        children.setdefault(key, []).append(capability)

    wanted = {}

    def number(key, prefix, separator):
        for place, capability in enumerate(
            sorted(children.get(key, []), key=lambda item: item.position), start=1
        ):
            code = f"{prefix}{separator}{place}"
            wanted[capability.pk] = code
            number(capability.pk, code, ".")

    for domain in domains.values():
        number(("domain", domain.pk), domain.code, "")

    changed = [item for item in capabilities if item.code != wanted[item.pk]]
    if not changed:
        return 0
    # Codes are unique in the framework and swaps (K1 <-> K2) would collide mid-update.
    for capability in changed:
        Capability.objects.filter(pk=capability.pk).update(code=f"~{capability.pk}")
    for capability in changed:
        capability.code = wanted[capability.pk]
        capability.revision += 1
    bulk_update_with_history(changed, Capability, ["code", "revision"])
    return len(changed)
