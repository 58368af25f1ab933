"""The codebook as a tree, read in one query: paths for the quote bank, branches for REFI-QDA."""

from collections.abc import Iterator
from dataclasses import dataclass, field

from evaluation.models import Code
from evaluation.services.codebook import codes_in_tree_order, paths_in_tree


@dataclass
class CodeTree:
    codes: dict[int, Code]
    children: dict[int | None, list[Code]]
    _paths: dict[int, str] = field(default_factory=dict)

    def path(self, code_id: int) -> str:
        """The names from the top of the codebook down to the code (see code_paths)."""
        if not self._paths:
            self._paths = paths_in_tree(
                parent_of={pk: code.parent_id for pk, code in self.codes.items()},
                name_of={pk: code.name for pk, code in self.codes.items()},
            )
        return self._paths[code_id]

    def subtree_ids(self, code_id: int) -> set[int]:
        """The code and every code below it."""
        ids, pending = set(), [code_id]
        while pending:
            current = pending.pop()
            if current not in ids:
                ids.add(current)
                pending.extend(child.pk for child in self.children.get(current, []))
        return ids

    def walk(self) -> Iterator[tuple[Code, int]]:
        """Every code with its depth, parents before children, siblings in codebook order."""
        for code in codes_in_tree_order(self.codes.values()):
            yield code, code.depth


def code_tree() -> CodeTree:
    codes = list(Code.objects.order_by("position", "name", "pk"))
    children: dict[int | None, list[Code]] = {}
    for code in codes:
        children.setdefault(code.parent_id, []).append(code)
    return CodeTree(codes={code.pk: code for code in codes}, children=children)
