"""How the coverage page, the coverage API and the coverage JSON scale, against a one-query floor.

`make bench` runs this. A generated curriculum of 2,000 capabilities, 200 courses, 5,000 outcomes
and 20,000 mappings, and a small one to show that the query counts do not grow. Targets:
- page: /coverage/ through the test client (its first COURSES_PER_PAGE course columns; totals and
  gap lists of the whole selection);
- api: /api/v1/coverage/ through the test client;
- json: `coverage_json`, i.e. json.dumps(coverage_as_data(coverage(...))) of the same selection;
- floor: one raw SQL aggregate, the highest emphasis per course and capability over the mappings,
  plus `json.dumps` of its rows.
It prints median times, query counts, ratios and what the coverage holds, and asserts only what is
deterministic: statuses, sizes, equal answers and query counts that do not grow. Times never fail
it.
"""

import gc
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from competencies.models import Capability, Domain, Framework
from courses.coverage import coverage_json, cyclic_gc_paused
from courses.coverage_selection import CoverageSelectionForm
from courses.coverage_views import COURSES_PER_PAGE
from courses.models import Course, Emphasis, Institution, LearningOutcome, OutcomeMapping, Programme
from tests.bench.timing import median_ms_in_turns, query_count
from tests.factories import UserFactory


@dataclass(frozen=True)
class Size:
    capabilities: int
    courses: int
    outcomes: int
    mappings: int

    @property
    def label(self) -> str:
        return f"{self.capabilities}x{self.courses}"


SIZES = (Size(30, 8, 40, 120), Size(2000, 200, 5000, 20000))
TARGETS = ("page", "api", "json", "floor")
DOMAIN_CODES = ("K", "S", "A")
CHILDREN_PER_CAPABILITY = 4
COURSES_PER_PROGRAMME = 20
SEMESTERS = 4
EMPHASIS_BY_SEMESTER = {
    1: Emphasis.INTRODUCED,
    2: Emphasis.REINFORCED,
    3: Emphasis.REINFORCED,
    4: Emphasis.MASTERED,
}
GAP_EVERY = 10
WARM_UPS = 2
RUNS = 7
MAX_RATIO_TO_FLOOR = 3

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Measurement:
    target: str
    size: Size
    median_ms: float
    queries: int


@dataclass(frozen=True)
class Content:
    """What the coverage of a generated curriculum holds, printed next to the timings."""

    size: Size
    cells: int
    json_bytes: int
    floor_bytes: int
    gaps: dict[str, int]


def build_curriculum(size: Size, seed: int = 5) -> Framework:
    """A published framework and the courses mapping to it, written with bulk_create.

    Shaped like a curriculum rather than noise: capabilities come in families of a parent and
    CHILDREN_PER_CAPABILITY children; each programme of twenty courses over SEMESTERS semesters
    draws on its own pool of capabilities, Introducing them early and Mastering them late, with
    one mapping in ten at a random emphasis (which makes progression problems). Every tenth
    capability and outcome is left unmapped, so the gap lists have content.
    """
    generator = random.Random(seed)
    tag = size.label
    framework = Framework.objects.create(
        slug=f"bench-coverage-{tag}",
        title=f"Coverage benchmark {tag}",
        version_label="1.0",
        status=Framework.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    domains = Domain.objects.bulk_create(
        Domain(framework=framework, code=code, name=f"Domain {code}", position=position)
        for position, code in enumerate(DOMAIN_CODES)
    )
    families = size.capabilities // (1 + CHILDREN_PER_CAPABILITY)

    def capability(index, domain, parent=None, child=0):
        code = f"{domain.code}{index}" + (f".{child}" if parent else "")
        return Capability(
            framework=framework,
            domain=domain,
            parent=parent,
            code=code,
            title=f"Capability {code}: co-produce and evaluate an implementation strategy",
            position=index * (1 + CHILDREN_PER_CAPABILITY) + child,
        )

    parents = Capability.objects.bulk_create(
        capability(index, domains[index % len(domains)]) for index in range(families)
    )
    Capability.objects.bulk_create(
        capability(index, parent.domain, parent, child)
        for index, parent in enumerate(parents)
        for child in range(1, CHILDREN_PER_CAPABILITY + 1)
    )
    capabilities = list(Capability.objects.filter(framework=framework).order_by("pk"))
    mappable = [c for position, c in enumerate(capabilities) if position % GAP_EVERY]

    institution = Institution.objects.create(name=f"Bench university {tag}", country="Norway")
    programme_count = max(1, size.courses // COURSES_PER_PROGRAMME)
    programmes = Programme.objects.bulk_create(
        Programme(institution=institution, name=f"MSc {number}", award="MSc", eqf_level=7, ects=120)
        for number in range(programme_count)
    )
    courses = Course.objects.bulk_create(
        Course(
            institution=institution,
            programme=programmes[number % programme_count],
            code=f"BEN{number:03d}",
            title=f"Benchmark course {number}",
            eqf_level=7,
            ects=10,
            academic_year=2026,
            semester=1 + (number // programme_count) % SEMESTERS,
            delivery_mode=Course.DeliveryMode.BLENDED,
            framework=framework,
        )
        for number in range(size.courses)
    )
    outcomes = LearningOutcome.objects.bulk_create(
        LearningOutcome(
            course=courses[number % size.courses],
            code=f"LO{number // size.courses + 1}",
            position=number // size.courses + 1,
            text=f"Critically appraise the evidence for implementation strategy {number} with "
            "partners from practice & explain the choice <in writing>.",
            bloom_level="evaluate",
        )
        for number in range(size.outcomes)
    )
    # Overlapping windows of the capabilities, so that every mappable one is in some pool.
    stride = len(mappable) // programme_count
    pool_size = min(len(mappable), stride * 20 // 9)
    pools = {
        programme.pk: [mappable[(number * stride + k) % len(mappable)] for k in range(pool_size)]
        for number, programme in enumerate(programmes)
    }
    mapped = [outcome for position, outcome in enumerate(outcomes) if position % GAP_EVERY]
    chosen = {}
    while len(chosen) < size.mappings:
        outcome = mapped[len(chosen) % len(mapped)]
        course = outcome.course
        capability = generator.choice(pools[course.programme_id])
        if generator.random() < 0.1:
            emphasis = generator.choice(Emphasis.values)
        else:
            emphasis = EMPHASIS_BY_SEMESTER[course.semester]
        chosen.setdefault((outcome, capability), emphasis)
    OutcomeMapping.objects.bulk_create(
        OutcomeMapping(outcome=outcome, capability=capability, emphasis=emphasis)
        for (outcome, capability), emphasis in chosen.items()
    )
    return framework


FLOOR_SQL = """
    SELECT o.course_id, m.capability_id,
           MAX(CASE m.emphasis WHEN 'M' THEN 3 WHEN 'R' THEN 2 ELSE 1 END)
    FROM courses_outcomemapping m
    JOIN courses_learningoutcome o ON o.id = m.outcome_id
    JOIN courses_course c ON c.id = o.course_id
    WHERE c.framework_id = %s
    GROUP BY o.course_id, m.capability_id
"""


def floor_json(framework: Framework) -> str:
    """The floor's answer. Timed with the cycle collector paused, as the coverage is built: the
    floor's 17,000 rows would otherwise set off collections of the whole heap now and then, and
    the ratios would flatter the coverage."""
    with cyclic_gc_paused():
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_SQL, [framework.pk])
            rows = cursor.fetchall()
        return json.dumps(rows)


def selection_json(query: dict) -> str:
    """The coverage JSON of a selection: the query string read, the coverage built, serialised."""
    form = CoverageSelectionForm(query)
    assert form.is_valid(), form.errors
    return coverage_json(form.selected_courses(), form.cleaned_data["framework"])


def check_answers(size: Size, actions: dict[str, Callable]) -> Content:
    """What every target answers is complete and the same; what the coverage holds."""
    page = actions["page"]()
    assert page.status_code == 200
    assert page.content.count(b'<th scope="row" class="heatmap__capability') == size.capabilities
    api = actions["api"]()
    assert api.status_code == 200
    document = actions["json"]()
    data = json.loads(document)
    assert api.json() == data
    assert len(data["capabilities"]) == size.capabilities
    assert len(data["courses"]) == size.courses
    floor = actions["floor"]()
    cells = sum(len(item["cells"]) for item in data["capabilities"])
    assert cells == len(json.loads(floor))
    assert sum(len(o["outcomes"]) for c in data["capabilities"] for o in c["cells"]) == (
        size.mappings
    )
    return Content(
        size,
        cells,
        len(document),
        len(floor),
        {name: len(items) for name, items in data["gaps"].items()},
    )


def measure(client, size: Size, framework: Framework) -> tuple[list[Measurement], Content]:
    query = {"framework": str(framework.uuid)}
    page_url = reverse("coverage:coverage")
    api_url = reverse("api:coverage-list")

    def get_page():
        return client.get(page_url, query)

    def get_api():
        return client.get(api_url, query, HTTP_ACCEPT="application/json")

    def get_json():
        return selection_json(query)

    def get_floor():
        return floor_json(framework)

    actions = {"page": get_page, "api": get_api, "json": get_json, "floor": get_floor}
    content = check_answers(size, actions)
    # Nothing from the checks is left for the cycle collector to walk while the targets are timed.
    gc.collect()
    medians = median_ms_in_turns(actions, runs=RUNS, warm_ups=WARM_UPS)
    measurements = [
        Measurement(target, size, medians[target], query_count(action))
        for target, action in actions.items()
    ]
    return measurements, content


def test_coverage_page_and_json_against_floor(client):
    client.force_login(UserFactory(username="bench-reader"))
    start = time.perf_counter()
    frameworks = [(size, build_curriculum(size)) for size in SIZES]
    build_seconds = time.perf_counter() - start
    # Statistics, as a database that has been running for a while has them: without, PostgreSQL
    # plans the floor's join for tables it believes empty.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    measurements, contents = [], []
    for size, framework in frameworks:
        size_measurements, content = measure(client, size, framework)
        measurements += size_measurements
        contents.append(content)

    print_report(measurements, contents, build_seconds)
    for target in ("page", "api", "json"):
        counts = {m.queries for m in measurements if m.target == target}
        assert len(counts) == 1, f"{target} query count grows with the curriculum: {counts}"


def print_report(
    measurements: list[Measurement], contents: list[Content], build_seconds: float
) -> None:
    floor_ms = {m.size: m.median_ms for m in measurements if m.target == "floor"}
    print()
    print(f"Database: {connection.vendor} ({connection.settings_dict['NAME']})")
    print(f"Curricula built with bulk_create in {build_seconds:.1f} s")
    for content in contents:
        gaps = ", ".join(f"{name} {count}" for name, count in content.gaps.items())
        print(
            f"  {content.size.label}: {content.cells} cells with a mapping, "
            f"JSON {content.json_bytes / 1024:.0f} KB (floor {content.floor_bytes / 1024:.0f} KB); "
            f"gaps: {gaps}"
        )
    print(f"Page: the first {COURSES_PER_PAGE} course columns; JSON: the whole selection")
    print(f"Median of {RUNS} runs after {WARM_UPS} warm-ups")
    print(
        f"{'target':<7}{'capabilities':>13}{'courses':>8}{'outcomes':>9}{'mappings':>9}"
        f"{'median ms':>11}{'queries':>8}{'x floor':>8}"
    )
    for m in sorted(measurements, key=lambda m: (TARGETS.index(m.target), m.size.capabilities)):
        ratio = m.median_ms / floor_ms[m.size]
        print(
            f"{m.target:<7}{m.size.capabilities:>13}{m.size.courses:>8}{m.size.outcomes:>9}"
            f"{m.size.mappings:>9}{m.median_ms:>11.1f}{m.queries:>8}{ratio:>8.1f}"
        )
    print("Targets:")
    for target in ("page", "api", "json"):
        counts = [m.queries for m in measurements if m.target == target]
        print(
            f"  {target} same query count at every size: "
            f"{verdict(len(set(counts)) == 1)} ({', '.join(map(str, counts))})"
        )
    for m in measurements:
        if m.target != "floor" and m.size == SIZES[-1]:
            ratio = m.median_ms / floor_ms[m.size]
            print(
                f"  {m.target} within {MAX_RATIO_TO_FLOOR}x of floor at "
                f"{m.size.label}: {verdict(ratio <= MAX_RATIO_TO_FLOOR)} ({ratio:.1f}x)"
            )


def verdict(met: bool) -> str:
    return "meets" if met else "misses"
