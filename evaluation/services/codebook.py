"""The codebook: a tree of codes, each linkable to mechanisms and to capabilities.

Every change takes the revision the evaluator started from; a save on a stale copy is refused
with the code as it is now. A code moves under another only when that makes no cycle, and is
deleted only when no excerpt is coded with it and it has no sub-codes.
"""

from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from competencies.models import Capability, Framework
from eisen.errors import Conflict
from eisen.rows import locked_for_edit
from evaluation.models import Code, Mechanism

# Between the names of a code path: a single right-pointing angle quotation mark.
PATH_SEPARATOR = " \u203a "
TEXT_FIELDS = ("name", "definition", "include", "exclude", "colour")
LINK_FIELDS = ("mechanisms", "capabilities")


def codes_in_tree_order(codes) -> list[Code]:
    """The codes depth first, siblings by position then name; each gets `depth` and `path`."""
    children = defaultdict(list)
    for code in codes:
        children[code.parent_id].append(code)
    for siblings in children.values():
        siblings.sort(key=lambda code: (code.position, code.name.lower(), code.pk))
    ordered = []
    stack = [(code, 0, "") for code in reversed(children[None])]
    while stack:
        code, depth, above = stack.pop()
        code.depth = depth
        code.path = f"{above}{PATH_SEPARATOR}{code.name}" if above else code.name
        ordered.append(code)
        stack.extend((child, depth + 1, code.path) for child in reversed(children[code.pk]))
    return ordered


def code_paths() -> dict[int, str]:
    """Every code's place in the tree, its ancestors' names and its own joined by PATH_SEPARATOR,
    by primary key (one query)."""
    rows = Code.objects.order_by().values_list("pk", "parent_id", "name")
    return paths_in_tree(
        parent_of={pk: parent for pk, parent, _name in rows},
        name_of={pk: name for pk, _parent, name in rows},
    )


def paths_in_tree(*, parent_of: dict[int, int | None], name_of: dict[int, str]) -> dict[int, str]:
    """The path of every code of a codebook given as parent and name by primary key."""
    paths: dict[int, str] = {}
    for pk in name_of:
        chain = []
        current = pk
        # Walks up until a known path; parent_of cannot loop (moves refuse cycles).
        while current is not None and current not in paths:
            chain.append(current)
            current = parent_of[current]
        prefix = paths.get(current)
        for step in reversed(chain):
            prefix = name_of[step] if prefix is None else f"{prefix}{PATH_SEPARATOR}{name_of[step]}"
            paths[step] = prefix
    return paths


def _where(parent: Code | None) -> str:
    if parent is None:
        return _("at the top of the codebook")
    return _("under “%(parent)s”") % {"parent": parent.name}


def _check_name_free(code: Code) -> None:
    taken = Code.objects.filter(parent=code.parent, name=code.name).exclude(pk=code.pk).exists()
    if taken:
        raise ValidationError(
            {
                "name": _("There is already a code “%(name)s” %(where)s; choose another name.")
                % {"name": code.name, "where": _where(code.parent)}
            }
        )


def _next_position(parent: Code | None) -> int:
    last = Code.objects.filter(parent=parent).aggregate(last=Max("position"))["last"]
    return 0 if last is None else last + 1


def _check_capabilities(capabilities: list[Capability]) -> None:
    """Codes link to capabilities of published frameworks (or of versions since archived)."""
    draft = (
        Capability.objects.filter(
            pk__in=[capability.pk for capability in capabilities],
            framework__status=Framework.Status.DRAFT,
        )
        .select_related("framework")
        .first()
    )
    if draft is not None:
        raise ValidationError(
            {
                "capabilities": _(
                    "%(code)s belongs to the draft “%(framework)s”; codes link to capabilities "
                    "of published frameworks only."
                )
                % {"code": draft.code, "framework": draft.framework}
            }
        )


def _set_links(code: Code, mechanisms: Iterable[Mechanism], capabilities: Iterable[Capability]):
    if mechanisms is not None:
        code.mechanisms.set(list(mechanisms))
    if capabilities is not None:
        capabilities = list(capabilities)
        _check_capabilities(capabilities)
        code.capabilities.set(capabilities)


@transaction.atomic
def code_create(
    *,
    name: str,
    parent: Code | None = None,
    definition: str = "",
    include: str = "",
    exclude: str = "",
    colour: str = "",
    mechanisms: Iterable[Mechanism] = (),
    capabilities: Iterable[Capability] = (),
) -> Code:
    code = Code(
        parent=parent,
        name=name.strip(),
        definition=definition.strip(),
        include=include.strip(),
        exclude=exclude.strip(),
        colour=colour.strip() or Code._meta.get_field("colour").default,
        position=_next_position(parent),
    )
    _check_name_free(code)
    code.full_clean()
    code.save()
    _set_links(code, mechanisms, capabilities)
    return code


@transaction.atomic
def code_update(*, code: Code, expected_revision: int | None, **changes) -> Code:
    """Change a code's texts, colour and links (`mechanisms`, `capabilities` replace the old).

    The parent changes through code_move only.
    """
    unknown = set(changes) - set(TEXT_FIELDS) - set(LINK_FIELDS)
    if unknown:
        raise ValueError(f"Cannot change {', '.join(sorted(unknown))} here.")
    code = locked_for_edit(Code, code, expected_revision)
    for field in TEXT_FIELDS:
        if changes.get(field) is not None:
            setattr(code, field, changes[field].strip())
    if not code.colour:
        code.colour = Code._meta.get_field("colour").default
    _check_name_free(code)
    code.full_clean()
    code.revision += 1
    code.save()
    _set_links(code, changes.get("mechanisms"), changes.get("capabilities"))
    return code


def _cycle_refusal(code: Code, parent: Code, parent_of: dict, name_of: dict) -> str | None:
    """Why `code` cannot go under `parent`, or None: the parent must not lie inside the code."""
    if parent.pk == code.pk:
        return _("“%(code)s” cannot go under itself.") % {"code": code.name}
    above = []
    current = parent_of.get(parent.pk)
    while current is not None:
        above.append(current)
        if current == code.pk:
            path = PATH_SEPARATOR.join(f"“{name_of[pk]}”" for pk in reversed(above))
            return _(
                "“%(code)s” cannot go under “%(parent)s”: “%(parent)s” is inside %(path)s. "
                "Choose a parent outside “%(code)s”."
            ) % {"code": code.name, "parent": parent.name, "path": path}
        current = parent_of.get(current)
    return None


@transaction.atomic
def code_move(*, code: Code, expected_revision: int | None, parent: Code | None) -> Code:
    """Put the code (with its sub-codes) under another parent, or at the top when None."""
    # Every code is locked: two moves at once (A under B, B under A) would each pass the cycle
    # check on its own and make a loop together.
    rows = list(Code.objects.select_for_update().order_by().values_list("pk", "parent_id", "name"))
    code = locked_for_edit(Code, code, expected_revision)
    if parent is not None:
        parent_of = {pk: parent_pk for pk, parent_pk, _name in rows}
        name_of = {pk: name for pk, _parent, name in rows}
        if parent.pk not in name_of:
            raise Conflict(
                _("“%(parent)s” was deleted by someone else; reload the page.")
                % {"parent": parent.name}
            )
        refusal = _cycle_refusal(code, parent, parent_of, name_of)
        if refusal:
            raise ValidationError({"parent": refusal})
    if code.parent_id == (parent.pk if parent else None):
        return code
    code.parent = parent
    _check_name_free(code)
    code.position = _next_position(parent)
    code.full_clean()
    code.revision += 1
    code.save()
    return code


@transaction.atomic
def code_delete(*, code: Code, expected_revision: int | None) -> None:
    """Delete a code no excerpt is coded with and without sub-codes; its links go with it."""
    code = locked_for_edit(Code, code, expected_revision)
    codings = code.codings.count()
    if codings:
        raise Conflict(
            ngettext(
                "“%(name)s” is used by %(count)s coding; take it off that excerpt before "
                "deleting it.",
                "“%(name)s” is used by %(count)s codings; take it off those excerpts before "
                "deleting it.",
                codings,
            )
            % {"name": code.name, "count": codings}
        )
    children = code.children.count()
    if children:
        raise Conflict(
            ngettext(
                "“%(name)s” has %(count)s sub-code; move or delete it first.",
                "“%(name)s” has %(count)s sub-codes; move or delete them first.",
                children,
            )
            % {"name": code.name, "count": children}
        )
    code.delete()
