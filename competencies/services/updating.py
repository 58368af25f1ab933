"""Updating a draft framework from a file: a plan to preview, then applying it.

`framework_update_plan` shows what the file would add, change and delete (see `update_plan`), and
what blocks it: a framework that is not a draft, a version number another version has, deleting a
capability that courses use. `framework_update_apply` works the plan out again on the locked
framework and applies it in one transaction, writing only the rows that change, in bulk; matched
rows keep their identifier and lineage.
"""

from django.db import transaction
from django.db.models import CharField, F, Value
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

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
from competencies.services.editing import capability_usages
from competencies.services.rules import FrameworkNotEditable, require_editable
from competencies.services.update_plan import (
    FrameworkDifference,
    UpdatePlan,
)
from eisen.errors import Conflict, StaleEdit
from eisen.rows import PARKING_OFFSET, place_in_order

CAPABILITY_FIELDS = [
    "code",
    "title",
    "description",
    "relevance",
    "notes",
    "domain",
    "parent",
    "position",
    "revision",
]


class UpdateBlocked(Conflict):
    def __init__(self, plan: UpdatePlan):
        self.plan = plan
        super().__init__(" ".join(plan.blocking))


def framework_update_plan(framework: Framework, imported: ImportedFramework) -> UpdatePlan:
    """What applying `imported` (settled) to the framework would change. Writes nothing."""
    difference = FrameworkDifference(Framework.objects.get(pk=framework.pk), imported)
    _find_blocking(difference)
    return difference.plan


@transaction.atomic
def framework_update_apply(
    framework: Framework,
    imported: ImportedFramework,
    *,
    expected_revision: int,
    expected_plan: dict | None = None,
    user=None,
) -> UpdatePlan:
    """Apply `imported` to the draft as previewed at `expected_revision`; returns what changed.

    Raises FrameworkNotEditable for a framework that is not a draft, StaleEdit when the framework
    was saved since the preview or, given `expected_plan` (the previewed plan's `as_data()`),
    when the plan worked out now differs from it; UpdateBlocked when the plan has blocking
    problems. Edits of single capabilities do not raise the framework's revision, so comparing
    plans is what catches them.
    """
    current = Framework.objects.select_for_update().get(pk=framework.pk)
    require_editable(current)
    if current.revision != expected_revision:
        raise StaleEdit(
            _("The framework was changed after the preview; preview the file again."),
            current=current,
        )
    difference = FrameworkDifference(current, imported)
    _find_blocking(difference)
    if expected_plan is not None and difference.plan.as_data() != expected_plan:
        raise StaleEdit(
            _("The framework was changed after the preview; preview the file again."),
            current=current,
        )
    if difference.plan.blocking:
        raise UpdateBlocked(difference.plan)
    _write(difference, user)
    return difference.plan


def _find_blocking(difference: FrameworkDifference) -> None:
    framework, blocking = difference.framework, difference.plan.blocking
    if not framework.is_editable:
        blocking.append(str(FrameworkNotEditable(framework)))
    other_versions = Framework.objects.filter(slug=framework.slug).exclude(pk=framework.pk)
    if other_versions.filter(version_label=framework.version_label).exists():
        blocking.append(
            _("Another version of this framework is already numbered %(version)s.")
            % {"version": framework.version_label}
        )
    gone = list(difference.gone[Capability])
    usages_by_capability = capability_usages(gone)
    for row in gone:
        usages = usages_by_capability.get(row.pk)
        if usages:
            blocking.append(
                _(
                    "%(code)s %(title)s is still used: %(usages)s. Keep its row in the file, "
                    "or remove those uses before deleting it."
                )
                % {"code": row.code, "title": row.title, "usages": "; ".join(usages)}
            )


def _write(difference: FrameworkDifference, user) -> None:
    new, changed, gone = difference.new, difference.changed, difference.gone
    for model in (Theme, Reference):
        model.objects.filter(pk__in=[row.pk for row in gone[model]]).delete()
    place_in_order(Theme, changed[Theme], ["name", "description", "position"])
    bulk_update_with_history(
        changed[Reference], Reference, ["citation", "year", "doi", "url"], default_user=user
    )
    for model in (Theme, Reference):
        bulk_create_with_history(new[model], model, default_user=user)

    # Rows that move, are renamed or go are parked first, so that no unique position or code
    # is held twice while rows take their new places.
    for model in (Domain, Capability):
        model.objects.filter(pk__in=[row.pk for row in changed[model] + gone[model]]).update(
            position=F("position") + PARKING_OFFSET,
            code=Concat(Value("~"), Cast("pk", CharField())),
        )
    _keep_identifiers(difference)
    bulk_create_with_history(new[Domain], Domain, default_user=user)
    bulk_update_with_history(
        changed[Domain],
        Domain,
        ["code", "name", "description", "position", "revision"],
        default_user=user,
    )
    bulk_create_capability_tree(new[Capability], user=user)
    bulk_update_with_history(
        changed[Capability],
        Capability,
        CAPABILITY_FIELDS,
        default_user=user,
    )

    LevelDescriptor.objects.filter(pk__in=[row.pk for row in gone[LevelDescriptor]]).delete()
    bulk_update_with_history(changed[LevelDescriptor], LevelDescriptor, ["text"], default_user=user)
    bulk_create_with_history(new[LevelDescriptor], LevelDescriptor, default_user=user)
    for through, column, sets, rows in (
        (Capability.themes.through, "theme_id", difference.theme_sets, difference.theme_rows),
        (
            Capability.references.through,
            "reference_id",
            difference.reference_sets,
            difference.reference_rows,
        ),
    ):
        through.objects.filter(capability_id__in=[row.pk for row, _codes in sets]).delete()
        through.objects.bulk_create(
            through(capability_id=row.pk, **{column: rows[code].pk})
            for row, codes in sets
            for code in codes
        )

    for model in (CapabilityAssociation, ExternalAssociation):
        model.objects.filter(pk__in=[row.pk for row in gone[model]]).delete()
    bulk_update_with_history(
        changed[CapabilityAssociation], CapabilityAssociation, ["note"], default_user=user
    )
    bulk_update_with_history(
        changed[ExternalAssociation],
        ExternalAssociation,
        ["uri", "title", "note"],
        default_user=user,
    )
    for model in (CapabilityAssociation, ExternalAssociation):
        bulk_create_with_history(new[model], model, default_user=user)

    Capability.objects.filter(pk__in=[row.pk for row in gone[Capability]]).delete()
    Domain.objects.filter(pk__in=[row.pk for row in gone[Domain]]).delete()
    difference.framework.revision += 1
    difference.framework.full_clean(validate_constraints=False)
    difference.framework.save()


def _keep_identifiers(difference: FrameworkDifference) -> None:
    """New rows take the file's identifiers that no domain or capability has yet."""
    wanted = {node.uuid for node, _row in difference.added_nodes if node.uuid}
    taken = set(Domain.objects.filter(uuid__in=wanted).values_list("uuid", flat=True))
    taken |= set(Capability.objects.filter(uuid__in=wanted).values_list("uuid", flat=True))
    for node, row in difference.added_nodes:
        if node.uuid in wanted - taken:
            row.uuid = node.uuid
