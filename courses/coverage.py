"""Coverage of a framework by a set of courses: the heatmap, the gap lists and the progression
check. Read by the coverage page, its downloads and the API alike, in a fixed number of queries.

Courses may map to different versions of one framework (a course not yet remapped): mappings are
matched to the rows of the chosen version by capability lineage.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from competencies.models import Capability, Framework
from courses.models import EMPHASIS_RANK, Course, Emphasis, LearningOutcome, OutcomeMapping


@dataclass(frozen=True)
class MappedOutcome:
    code: str
    text: str
    emphasis: str


@dataclass
class Cell:
    """What one course does for one capability: its highest emphasis and the outcomes behind it."""

    emphasis: str = ""
    outcomes: list[MappedOutcome] = field(default_factory=list)

    def add(self, outcome: MappedOutcome) -> None:
        self.outcomes.append(outcome)
        if EMPHASIS_RANK[outcome.emphasis] > EMPHASIS_RANK.get(self.emphasis, 0):
            self.emphasis = outcome.emphasis


@dataclass
class CapabilityRow:
    capability: Capability
    depth: int
    cells: list[Cell | None]

    @property
    def highest(self) -> str:
        ranks = [EMPHASIS_RANK[cell.emphasis] for cell in self.cells if cell]
        return {1: Emphasis.INTRODUCED, 2: Emphasis.REINFORCED, 3: Emphasis.MASTERED}.get(
            max(ranks, default=0), ""
        )


@dataclass
class DomainBlock:
    name: str
    code: str
    rows: list[CapabilityRow]
    # Per course: how many of the domain's capabilities it maps to.
    course_totals: list[int]

    @property
    def covered(self) -> int:
        return sum(1 for row in self.rows if row.highest)


@dataclass(frozen=True)
class ProgressionProblem:
    capability: Capability
    course: Course
    outcomes: list[MappedOutcome]


@dataclass
class Coverage:
    framework: Framework | None
    courses: list[Course]
    # Selected courses left out because they map to another framework altogether.
    other_framework_courses: list[Course]
    domains: list[DomainBlock]
    unmapped_outcomes: list[dict]
    progression: list[ProgressionProblem]
    # Mappings to capabilities the chosen version no longer has (courses still on an older one).
    mappings_outside_version: int = 0

    @property
    def rows(self):
        return [row for domain in self.domains for row in domain.rows]

    @property
    def unmapped_capabilities(self) -> list[Capability]:
        return [row.capability for row in self.rows if not row.highest]

    @property
    def introduced_only(self) -> list[Capability]:
        return [row.capability for row in self.rows if row.highest == Emphasis.INTRODUCED]


def course_selection(
    *,
    programme=None,
    institution=None,
    eqf_level: int | None = None,
    academic_year: int | None = None,
    courses=None,
):
    """The courses a coverage is asked for; filters combine, none means every course."""
    queryset = Course.objects.select_related("institution", "programme", "framework")
    if programme is not None:
        queryset = queryset.filter(programme=programme)
    if institution is not None:
        queryset = queryset.filter(institution=institution)
    if eqf_level is not None:
        queryset = queryset.filter(eqf_level=eqf_level)
    if academic_year is not None:
        queryset = queryset.filter(academic_year=academic_year)
    if courses:
        queryset = queryset.filter(Q(uuid__in=[course.uuid for course in courses]))
    return queryset.order_by("semester", "code", "academic_year")


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


def _tree_order(capabilities: list[Capability]) -> list[tuple[Capability, int]]:
    """Capabilities depth first within each domain, each with its depth."""
    children = defaultdict(list)
    for capability in capabilities:
        children[capability.parent_id].append(capability)
    ordered = []

    def visit(capability, depth):
        ordered.append((capability, depth))
        for child in children[capability.pk]:
            visit(child, depth + 1)

    for capability in children[None]:
        visit(capability, 0)
    return ordered


def coverage(courses: list[Course], framework: Framework | None = None) -> Coverage:
    """The coverage of `framework` (by default, see `default_framework`) by `courses`."""
    courses = list(courses)
    framework = framework or default_framework(courses)
    if framework is None:
        return Coverage(None, [], [], [], [], [])
    included = [course for course in courses if course.framework.slug == framework.slug]
    others = [course for course in courses if course.framework.slug != framework.slug]
    column = {course.pk: index for index, course in enumerate(included)}

    capabilities = list(
        Capability.objects.filter(framework=framework)
        .select_related("domain")
        .order_by("domain__position", "position")
    )
    mapped = (
        OutcomeMapping.objects.filter(
            outcome__course__in=list(column), capability__framework__slug=framework.slug
        )
        .values_list(
            "outcome__course_id",
            "outcome__code",
            "outcome__text",
            "capability__lineage",
            "emphasis",
        )
        .order_by("outcome__course_id", "outcome__position")
    )
    cells: dict[tuple, Cell] = {}
    outside = 0
    lineages = {capability.lineage for capability in capabilities}
    for course_id, code, text, lineage, emphasis in mapped:
        if lineage not in lineages:
            outside += 1
            continue
        cells.setdefault((lineage, column[course_id]), Cell()).add(
            MappedOutcome(code, text, emphasis)
        )

    blocks: dict[int, DomainBlock] = {}
    for capability, depth in _tree_order(capabilities):
        block = blocks.get(capability.domain_id)
        if block is None:
            block = blocks[capability.domain_id] = DomainBlock(
                capability.domain.name, capability.domain.code, [], [0] * len(included)
            )
        row_cells = [cells.get((capability.lineage, index)) for index in range(len(included))]
        for index, cell in enumerate(row_cells):
            if cell:
                block.course_totals[index] += 1
        block.rows.append(CapabilityRow(capability, depth, row_cells))

    unmapped_outcomes = list(
        LearningOutcome.objects.filter(course__in=list(column), mappings__isnull=True)
        .order_by("course__semester", "course__code", "position")
        .values("uuid", "code", "text", "course__uuid", "course__code", "course__title")
    )
    return Coverage(
        framework=framework,
        courses=included,
        other_framework_courses=others,
        domains=list(blocks.values()),
        unmapped_outcomes=unmapped_outcomes,
        progression=_progression(included, list(blocks.values())),
        mappings_outside_version=outside,
    )


def _progression(courses: list[Course], domains: list[DomainBlock]) -> list[ProgressionProblem]:
    """Within each programme: capabilities Mastered in a course with no course of an earlier
    semester Introducing or Reinforcing them."""
    preparing = (Emphasis.INTRODUCED, Emphasis.REINFORCED)
    problems = []
    for row in (row for domain in domains for row in domain.rows):
        mapped = [(courses[index], cell) for index, cell in enumerate(row.cells) if cell]
        # The earliest semester, per programme, in which a course prepares the capability.
        first_prepared: dict[int, int] = {}
        for course, cell in mapped:
            if course.programme_id and any(o.emphasis in preparing for o in cell.outcomes):
                semester = first_prepared.get(course.programme_id, course.semester)
                first_prepared[course.programme_id] = min(semester, course.semester)
        for course, cell in mapped:
            if course.programme_id is None or cell.emphasis != Emphasis.MASTERED:
                continue
            if first_prepared.get(course.programme_id, course.semester) >= course.semester:
                problems.append(
                    ProgressionProblem(
                        row.capability,
                        course,
                        [o for o in cell.outcomes if o.emphasis == Emphasis.MASTERED],
                    )
                )
    return problems


def progression_message(problem: ProgressionProblem) -> str:
    return _(
        "%(capability)s is Mastered in %(course)s (semester %(semester)s) but no earlier course "
        "of the programme Introduces or Reinforces it."
    ) % {
        "capability": problem.capability.code,
        "course": problem.course.code,
        "semester": problem.course.semester,
    }


def _capability_data(capability: Capability) -> dict:
    return {
        "uuid": str(capability.uuid),
        "code": capability.code,
        "title": capability.title,
        "domain": capability.domain.name,
    }


def gaps_as_data(result: Coverage) -> dict:
    """The gap lists and progression problems, as JSON-ready data."""
    return {
        "unmapped_capabilities": [_capability_data(item) for item in result.unmapped_capabilities],
        "introduced_only": [_capability_data(item) for item in result.introduced_only],
        "unmapped_outcomes": [
            {
                "uuid": str(item["uuid"]),
                "code": item["code"],
                "text": item["text"],
                "course": str(item["course__uuid"]),
                "course_code": item["course__code"],
            }
            for item in result.unmapped_outcomes
        ],
        "progression": [
            {
                "capability": _capability_data(problem.capability),
                "course": str(problem.course.uuid),
                "course_code": problem.course.code,
                "semester": problem.course.semester,
                "outcomes": [outcome.code for outcome in problem.outcomes],
                "message": progression_message(problem),
            }
            for problem in result.progression
        ],
    }


def coverage_as_data(result: Coverage) -> dict:
    """The coverage as JSON-ready data: only cells that hold a mapping are listed."""
    framework = result.framework
    return {
        "framework": None
        if framework is None
        else {
            "uuid": str(framework.uuid),
            "title": framework.title,
            "version": framework.version_label,
        },
        "courses": [
            {
                "uuid": str(course.uuid),
                "code": course.code,
                "title": course.title,
                "academic_year": course.academic_year,
                "semester": course.semester,
                "eqf_level": course.eqf_level,
            }
            for course in result.courses
        ],
        "other_framework_courses": [str(course.uuid) for course in result.other_framework_courses],
        "mappings_outside_version": result.mappings_outside_version,
        "domains": [
            {
                "code": block.code,
                "name": block.name,
                "capabilities": len(block.rows),
                "covered": block.covered,
                "course_totals": block.course_totals,
            }
            for block in result.domains
        ],
        "capabilities": [
            {
                **_capability_data(row.capability),
                "highest": row.highest,
                "cells": [
                    {
                        "course": index,
                        "emphasis": cell.emphasis,
                        "outcomes": [
                            {"code": outcome.code, "emphasis": outcome.emphasis}
                            for outcome in cell.outcomes
                        ],
                    }
                    for index, cell in enumerate(row.cells)
                    if cell
                ],
            }
            for row in result.rows
        ],
        "gaps": gaps_as_data(result),
    }
