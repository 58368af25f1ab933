"""Where a passage of one version of a transcript is in the next: text positions through a diff.

The texts are compared with difflib.SequenceMatcher (autojunk off, so frequent words are not
ignored) a line at a time, then character by character inside the lines that changed. A
character-level comparison of whole transcripts would take minutes at 100,000 characters; the
lines that changed are short, and a changed stretch longer than CHARACTER_DIFF_LIMIT on either side
is treated as rewritten.
"""

import difflib
from bisect import bisect_right
from dataclasses import dataclass

CHARACTER_DIFF_LIMIT = 10_000


@dataclass(frozen=True)
class EqualBlock:
    """Text old[old_start:old_start + size] is unchanged at new[new_start:new_start + size]."""

    old_start: int
    new_start: int
    size: int


class PositionMap:
    """Moves ranges of the old text to the new text where they are unchanged."""

    def __init__(self, old: str, new: str):
        self.blocks = _merged(_equal_blocks(old, new))
        self._starts = [block.old_start for block in self.blocks]

    def moved(self, start: int, end: int) -> tuple[int, int] | None:
        """The new (start, end) of old[start:end], or None unless it lies in one unchanged block."""
        index = bisect_right(self._starts, start) - 1
        if index < 0:
            return None
        block = self.blocks[index]
        if end > block.old_start + block.size:
            return None
        shift = block.new_start - block.old_start
        return start + shift, end + shift


def _line_starts(lines: list[str]) -> list[int]:
    starts, offset = [], 0
    for line in lines:
        starts.append(offset)
        offset += len(line)
    starts.append(offset)
    return starts


def _equal_blocks(old: str, new: str) -> list[EqualBlock]:
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    old_at, new_at = _line_starts(old_lines), _line_starts(new_lines)
    blocks = []
    by_line = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in by_line.get_opcodes():
        old_start, old_end, new_start, new_end = old_at[i1], old_at[i2], new_at[j1], new_at[j2]
        if tag == "equal":
            blocks.append(EqualBlock(old_start, new_start, old_end - old_start))
        elif (
            tag == "replace"
            and old_end - old_start <= CHARACTER_DIFF_LIMIT
            and new_end - new_start <= CHARACTER_DIFF_LIMIT
        ):
            by_character = difflib.SequenceMatcher(
                None, old[old_start:old_end], new[new_start:new_end], autojunk=False
            )
            blocks.extend(
                EqualBlock(old_start + match.a, new_start + match.b, match.size)
                for match in by_character.get_matching_blocks()
                if match.size
            )
    return blocks


def _merged(blocks: list[EqualBlock]) -> list[EqualBlock]:
    """Blocks that continue each other in both texts joined, so a passage may span them."""
    merged: list[EqualBlock] = []
    for block in blocks:
        last = merged[-1] if merged else None
        if (
            last
            and last.old_start + last.size == block.old_start
            and last.new_start + last.size == block.new_start
        ):
            merged[-1] = EqualBlock(last.old_start, last.new_start, last.size + block.size)
        else:
            merged.append(block)
    return merged
