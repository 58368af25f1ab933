"""The coverage matrix laid out for WeasyPrint, where every table cell costs time and memory.

Measured with WeasyPrint 70 on a 1,000-capability × 30-course matrix (4 % of cells mapped, tagged
PDF): one `<td>` per course and capability took 14 s and 477 MiB; merging each row's runs of
unmapped courses into one `<td colspan>` took 4.3 s and 171 MiB, for the same picture. So a row
here is its capability (code and shortened title) and a list of runs: a mapped cell is one
`<td>` holding I, R or M, a run of unmapped courses one empty `<td colspan=n>`.

Merged cells have no column lines of their own, so the course columns are drawn once per table
as alternate stripes in the table's background (one linear gradient whose stops fall on the
column edges: the columns have fixed widths in percent, `table-layout: fixed`).

Course columns are numbered and the numbers listed with the courses' codes and titles: a code
does not fit a 7 mm column, and WeasyPrint cannot lay out rotated header text. More than
MAX_COURSES_PER_TABLE courses are split into column groups of equal size, each a table of its
own that repeats the capability column.
"""

import math
from dataclasses import dataclass
from typing import NamedTuple

from django.utils.text import Truncator

from courses.coverage import Coverage, DomainBlock

MAX_COURSES_PER_TABLE = 30
#: Widths in percent of the landscape page's text width (273 mm).
CAPABILITY_COLUMN_WIDTH = 28.0
MAX_COURSE_COLUMN_WIDTH = 5.0
#: What fits on one line of the capability column at the matrix's font size.
SHORT_TITLE_CHARS = 52
#: Sub-capabilities are indented by depth, up to this depth.
MAX_DEPTH = 3
STRIPE_COLOUR = "#ebebeb"


class Run(NamedTuple):
    #: "I", "R" or "M" for a mapped cell, "" for a run of courses that do not map to it.
    emphasis: str
    span: int


class MatrixRow(NamedTuple):
    code: str
    title: str
    depth: int
    runs: list[Run]


@dataclass(frozen=True)
class ColumnGroup:
    """Consecutive course columns shown in one table (0-based indexes into Coverage.courses)."""

    columns: range
    #: Of the table's own width, in percent.
    capability_width: str
    course_width: str
    #: The table's inline style: its width on the page and the column stripes.
    table_style: str

    @property
    def numbers(self) -> range:
        return range(self.columns.start + 1, self.columns.stop + 1)

    @property
    def first(self) -> int:
        return self.columns.start + 1

    @property
    def last(self) -> int:
        return self.columns.stop


@dataclass(frozen=True)
class MatrixTable:
    domain: DomainBlock
    group: ColumnGroup
    rows: list[MatrixRow]
    #: Per course column of the group: how many of the domain's capabilities it maps to.
    totals: list[int]
    #: Whether the courses are split over several tables (whose headings then say which).
    split: bool


def _percent(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".") + "%"


def column_group(columns: range, width_columns: int) -> ColumnGroup:
    """The widths and stripes of a table of `columns`, sized as if it had `width_columns`."""
    course_width = min(MAX_COURSE_COLUMN_WIDTH, (100 - CAPABILITY_COLUMN_WIDTH) / width_columns)
    table_width = CAPABILITY_COLUMN_WIDTH + course_width * len(columns)
    # Within the table, in percent of its own width: what col widths and gradient stops use.
    capability = 100 * CAPABILITY_COLUMN_WIDTH / table_width
    course = (100 - capability) / len(columns)
    stops = [f"transparent {_percent(capability)}"]
    for position in range(0, len(columns), 2):
        start, stop = capability + position * course, capability + (position + 1) * course
        stops.append(
            f"transparent {_percent(start)}, {STRIPE_COLOUR} {_percent(start)}, "
            f"{STRIPE_COLOUR} {_percent(stop)}, transparent {_percent(stop)}"
        )
    return ColumnGroup(
        columns=columns,
        capability_width=_percent(capability),
        course_width=_percent(course),
        table_style=(
            f"width: {_percent(table_width)}; "
            f"background-image: linear-gradient(to right, transparent 0%, {', '.join(stops)})"
        ),
    )


def column_groups(course_count: int) -> list[ColumnGroup]:
    """The course columns in groups of equal size, at most MAX_COURSES_PER_TABLE each."""
    if not course_count:
        return []
    group_count = math.ceil(course_count / MAX_COURSES_PER_TABLE)
    size = math.ceil(course_count / group_count)
    return [
        column_group(range(start, min(start + size, course_count)), size)
        for start in range(0, course_count, size)
    ]


def _runs(cells: dict, columns: range) -> list[Run]:
    runs, empty = [], 0
    for index in columns:
        cell = cells.get(index)
        if cell is None:
            empty += 1
            continue
        if empty:
            runs.append(Run("", empty))
            empty = 0
        runs.append(Run(cell.emphasis, 1))
    if empty:
        runs.append(Run("", empty))
    return runs


def matrix_tables(result: Coverage) -> list[MatrixTable]:
    """One table per column group and domain, in that order, for the matrix pages."""
    shortened = {}
    for row in result.rows:
        capability = row.capability
        shortened[capability.pk] = Truncator(capability.title).chars(SHORT_TITLE_CHARS)
    tables = []
    groups = column_groups(len(result.courses))
    for group in groups:
        empty_row = [Run("", len(group.columns))]
        for block in result.domains:
            rows = [
                MatrixRow(
                    row.capability.code,
                    shortened[row.capability.pk],
                    min(row.depth, MAX_DEPTH),
                    _runs(row.cells, group.columns) if row.cells else empty_row,
                )
                for row in block.rows
            ]
            totals = [block.course_totals[index] for index in group.columns]
            tables.append(MatrixTable(block, group, rows, totals, len(groups) > 1))
    return tables
