"""How the coverage is built from the database: cells, rows, domain totals, the gap lists and the
progression check, in a fixed number of queries. `courses.coverage` is the way in.

Courses may map to different versions of one framework (a course not yet remapped): mappings are
matched to the rows of the chosen version by capability lineage. Courses of another framework
altogether are left out and listed.

A curriculum of 2,000 capabilities and 200 courses has 400,000 cells, of which a few percent hold
a mapping: rows keep only those (`CapabilityRow.cells` maps a course's column to its cell), and
capabilities and mappings are read as plain values, not model instances.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import NamedTuple
from uuid import UUID

from django.db.models import CharField
from django.db.models.functions import Cast

from competencies.models import Capability, Framework
from courses.models import EMPHASIS_RANK, Course, Emphasis, LearningOutcome, OutcomeMapping

PREPARING = frozenset({Emphasis.INTRODUCED, Emphasis.REINFORCED})


class DomainRef(NamedTuple):
    code: str
    name: str


class CapabilityRef(NamedTuple):
    """A capability of the chosen version, as much of it as coverage shows."""

    pk: int
    uuid: UUID
    code: str
    title: str
    # As text, the way coverage reads it: only compared, never shown.
    lineage: str
    parent_id: int | None
    domain: DomainRef


class MappedOutcome(NamedTuple):
    # The outcome's primary key: the page reads the texts of the outcomes it shows.
    pk: int
    code: str
    emphasis: str


@dataclass(slots=True)
class Cell:
    """What one course does for one capability: its highest emphasis and the outcomes behind it
    (in the course's outcome order)."""

    emphasis: str
    outcomes: list[MappedOutcome]
    # Whether one of the outcomes Introduces or Reinforces it (what progression looks for).
    prepares: bool


@dataclass(slots=True)
class CapabilityRow:
    capability: CapabilityRef
    depth: int
    # Course column (index into Coverage.courses) → cell; columns without a mapping are absent.
    cells: dict[int, Cell]
    # The highest emphasis over all the courses, "" when none maps to the capability.
    highest: str

    def cells_in_column_order(self) -> list[tuple[int, Cell]]:
        return sorted(self.cells.items())


@dataclass
class DomainBlock:
    name: str
    code: str
    rows: list[CapabilityRow]
    # Per course column: how many of the domain's capabilities it maps to.
    course_totals: list[int]

    @property
    def covered(self) -> int:
        return sum(1 for row in self.rows if row.highest)


@dataclass(frozen=True)
class ProgressionProblem:
    capability: CapabilityRef
    course: Course
    outcomes: list[MappedOutcome]


@dataclass
class Coverage:
    framework: Framework | None
    courses: list[Course]
    # Selected courses left out because they map to another framework altogether.
    other_framework_courses: list[Course]
    domains: list[DomainBlock]
    # Dicts with uuid, code, text, course__uuid, course__code, course__title.
    unmapped_outcomes: list[dict]
    progression: list[ProgressionProblem]
    # Mappings to capabilities the chosen version does not have (courses on another version).
    mappings_outside_version: int = 0

    @property
    def rows(self) -> list[CapabilityRow]:
        return [row for domain in self.domains for row in domain.rows]

    @property
    def unmapped_capabilities(self) -> list[CapabilityRef]:
        return [row.capability for row in self.rows if not row.highest]

    @property
    def introduced_only(self) -> list[CapabilityRef]:
        return [row.capability for row in self.rows if row.highest == Emphasis.INTRODUCED]

    @property
    def other_version_courses(self) -> list[Course]:
        """Included courses that map to another version, matched to this one by lineage."""
        if self.framework is None:
            return []
        return [course for course in self.courses if course.framework_id != self.framework.pk]


def default_framework(courses: list[Course]) -> Framework | None:
    """The newest version of the framework most of the courses map to."""
    if not courses:
        return None
    slug = Counter(course.framework.slug for course in courses).most_common(1)[0][0]
    versions = [course.framework for course in courses if course.framework.slug == slug]
    return max(
        versions,
        key=lambda framework: (
            framework.published_at is not None,
            framework.published_at,
            framework.pk,
        ),
    )


def split_by_framework(
    courses: list[Course], framework: Framework
) -> tuple[list[Course], list[Course]]:
    """The courses on any version of `framework`, and those on another framework."""
    included = [course for course in courses if course.framework.slug == framework.slug]
    others = [course for course in courses if course.framework.slug != framework.slug]
    return included, others


def _capabilities(framework: Framework) -> list[tuple[CapabilityRef, int]]:
    """The version's capabilities depth first within each domain, each with its depth."""
    domains: dict[int, DomainRef] = {}
    children: dict[int | None, list[CapabilityRef]] = defaultdict(list)
    roots_by_domain: dict[int, list[CapabilityRef]] = defaultdict(list)
    values = (
        Capability.objects.filter(framework=framework)
        .order_by("domain__position", "position")
        .values_list(
            "pk",
            "uuid",
            "code",
            "title",
            _as_text("lineage"),
            "parent_id",
            "domain_id",
            "domain__code",
            "domain__name",
        )
    )
    for pk, uuid, code, title, lineage, parent_id, domain_id, domain_code, domain_name in values:
        domain = domains.get(domain_id)
        if domain is None:
            domain = domains[domain_id] = DomainRef(domain_code, domain_name)
        capability = CapabilityRef(pk, uuid, code, title, lineage, parent_id, domain)
        if parent_id is None:
            roots_by_domain[domain_id].append(capability)
        else:
            children[parent_id].append(capability)
    ordered = []

    def visit(capability: CapabilityRef, depth: int) -> None:
        ordered.append((capability, depth))
        for child in children[capability.pk]:
            visit(child, depth + 1)

    for roots in roots_by_domain.values():
        for capability in roots:
            visit(capability, 0)
    return ordered


def build_coverage(courses: list[Course], framework: Framework | None) -> Coverage:
    """The coverage of `framework` (by default, see `default_framework`) by `courses`."""
    framework = framework or default_framework(courses)
    if framework is None:
        return Coverage(None, [], [], [], [], [])
    included, others = split_by_framework(courses, framework)
    column = {course.pk: index for index, course in enumerate(included)}
    capabilities = _capabilities(framework)
    lineages = {capability.lineage for capability, _depth in capabilities}

    # Ordered by outcome position, so that each cell lists its outcomes in the course's order.
    mappings = (
        OutcomeMapping.objects.filter(outcome__course_id__in=list(column))
        .order_by("outcome__position", "outcome_id")
        .values_list(
            "outcome__course_id",
            "outcome_id",
            "outcome__code",
            _as_text("capability__lineage"),
            "emphasis",
        )
    )
    rank = EMPHASIS_RANK
    cells_by_lineage: dict[str, dict[int, Cell]] = {}
    outside = 0
    for course_id, outcome_id, code, lineage, emphasis in mappings:
        row_cells = cells_by_lineage.get(lineage)
        if row_cells is None:
            if lineage not in lineages:
                outside += 1
                continue
            row_cells = cells_by_lineage[lineage] = {}
        index = column[course_id]
        cell = row_cells.get(index)
        prepares = emphasis in PREPARING
        if cell is None:
            row_cells[index] = Cell(emphasis, [MappedOutcome(outcome_id, code, emphasis)], prepares)
        else:
            cell.outcomes.append(MappedOutcome(outcome_id, code, emphasis))
            cell.prepares = cell.prepares or prepares
            if rank[emphasis] > rank[cell.emphasis]:
                cell.emphasis = emphasis

    blocks: dict[DomainRef, DomainBlock] = {}
    for capability, depth in capabilities:
        block = blocks.get(capability.domain)
        if block is None:
            block = blocks[capability.domain] = DomainBlock(
                capability.domain.name, capability.domain.code, [], [0] * len(included)
            )
        row_cells = cells_by_lineage.get(capability.lineage, {})
        highest = ""
        for index, cell in row_cells.items():
            block.course_totals[index] += 1
            if not highest or rank[cell.emphasis] > rank[highest]:
                highest = cell.emphasis
        block.rows.append(CapabilityRow(capability, depth, row_cells, highest))

    domains = list(blocks.values())
    return Coverage(
        framework=framework,
        courses=included,
        other_framework_courses=others,
        domains=domains,
        unmapped_outcomes=_unmapped_outcomes(included, column),
        progression=_progression(included, domains),
        mappings_outside_version=outside,
    )


def _as_text(field_name: str) -> Cast:
    # Lineages are only compared: as text they skip making 20,000 UUID objects.
    return Cast(field_name, output_field=CharField())


def _unmapped_outcomes(courses: list[Course], column: dict[int, int]) -> list[dict]:
    """Outcomes of the courses that map to nothing, in course order, then outcome position."""
    unmapped = sorted(
        (column[course_id], position, uuid, code, text)
        for course_id, position, uuid, code, text in LearningOutcome.objects.filter(
            course_id__in=list(column), mappings__isnull=True
        ).values_list("course_id", "position", "uuid", "code", "text")
    )
    return [
        {
            "uuid": uuid,
            "code": code,
            "text": text,
            "course__uuid": courses[index].uuid,
            "course__code": courses[index].code,
            "course__title": courses[index].title,
        }
        for index, _position, uuid, code, text in unmapped
    ]


def _progression(courses: list[Course], domains: list[DomainBlock]) -> list[ProgressionProblem]:
    """Within each programme: capabilities Mastered in a course with no course of an earlier
    semester Introducing or Reinforcing them.

    Only programmes whose selected courses span two semesters or more are checked: with a single
    semester there is no sequence to check, and every Mastered would be reported.
    """
    semesters_of = defaultdict(set)
    for course in courses:
        semesters_of[course.programme_id].add(course.semester)
    programmes = [
        course.programme_id if len(semesters_of[course.programme_id]) > 1 else None
        for course in courses
    ]
    semesters = [course.semester for course in courses]
    mastered = Emphasis.MASTERED
    problems = []
    for row in (row for domain in domains for row in domain.rows):
        if row.highest != mastered:
            continue
        # The earliest semester, per programme, in which a course prepares the capability.
        first_prepared: dict[int, int] = {}
        for index, cell in row.cells.items():
            programme = programmes[index]
            if cell.prepares and programme:
                semester = semesters[index]
                if semester < first_prepared.get(programme, semester + 1):
                    first_prepared[programme] = semester
        unprepared = [
            (index, cell)
            for index, cell in row.cells.items()
            if cell.emphasis == mastered
            and programmes[index]
            and first_prepared.get(programmes[index], semesters[index]) >= semesters[index]
        ]
        problems.extend(
            ProgressionProblem(
                row.capability,
                courses[index],
                [outcome for outcome in cell.outcomes if outcome.emphasis == mastered],
            )
            for index, cell in sorted(unprepared, key=lambda item: item[0])
        )
    return problems
