"""How the framework page and the nested framework API scale, measured against a one-query floor.

`make bench` runs this. It prints median times and query counts for a small and a large framework
and checks the targets, but asserts only what is deterministic: statuses, that every capability is
in the response, and that the query count does not grow with the framework. Times never fail it.
"""

import json
from dataclasses import dataclass

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from competencies.models import Capability, Domain, Framework, LevelDescriptor, Theme
from tests.bench.timing import median_ms_in_turns, query_count

SIZES = (10, 2000)
TARGETS = ("page", "api", "floor")
DOMAIN_CODES = ("K", "S", "A")
THEME_COUNT = 4
WARM_UPS = 2
RUNS = 15
MAX_QUERIES = 12
MAX_API_TO_FLOOR_RATIO = 3

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Measurement:
    target: str
    size: int
    median_ms: float
    queries: int


def build_framework(capability_count: int) -> Framework:
    """A published framework of `capability_count` capabilities over three domains and four themes.

    Each capability has an EQF 7 and an EQF 8 descriptor and one or two themes.
    """
    framework = Framework.objects.create(
        slug=f"bench-{capability_count}",
        title=f"Benchmark framework of {capability_count} capabilities",
        version_label="1.0",
        status=Framework.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    domains = Domain.objects.bulk_create(
        Domain(framework=framework, code=code, name=f"Domain {code}", position=position)
        for position, code in enumerate(DOMAIN_CODES)
    )
    themes = Theme.objects.bulk_create(
        Theme(
            framework=framework,
            code=f"theme-{position}",
            name=f"Theme {position}",
            description="A cross-cutting theme that capabilities contribute to.",
            position=position,
        )
        for position in range(THEME_COUNT)
    )
    capabilities = Capability.objects.bulk_create(
        Capability(
            framework=framework,
            domain=domains[index % len(domains)],
            code=f"{domains[index % len(domains)].code}{index // len(domains) + 1}",
            title=f"Capability {index}: plan and evaluate an implementation strategy",
            description="Selects, adapts and evaluates implementation strategies with partners "
            "from practice, taking the context, the evidence and the stakeholders into account.",
            relevance="Co-production depends on this capability when research questions are "
            "shaped together with services and their users.",
            position=index // len(domains),
        )
        for index in range(capability_count)
    )
    LevelDescriptor.objects.bulk_create(
        LevelDescriptor(
            capability=capability,
            eqf_level=level,
            text=f"At EQF {level}, applies this capability independently in complex settings "
            "and reflects critically on the choices made.",
        )
        for capability in capabilities
        for level in LevelDescriptor.EqfLevel.values
    )
    CapabilityTheme = Capability.themes.through
    CapabilityTheme.objects.bulk_create(
        CapabilityTheme(capability=capability, theme=themes[theme_index % THEME_COUNT])
        for index, capability in enumerate(capabilities)
        # Every capability has one theme, every other one a second.
        for theme_index in ((index, index + 1) if index % 2 == 0 else (index,))
    )
    return framework


# Descriptors and themes joined together multiply the rows; pivoting the fixed EQF levels into
# columns and keeping distinct theme codes brings them back to one row per capability.
FLOOR_SQL = """
    SELECT d.uuid, d.code, d.name, c.uuid, c.code, c.title, c.description, c.relevance,
           c.position, {theme_codes}, {level_columns}
    FROM competencies_capability c
    JOIN competencies_domain d ON d.id = c.domain_id
    LEFT JOIN competencies_leveldescriptor l ON l.capability_id = c.id
    LEFT JOIN competencies_capability_themes ct ON ct.capability_id = c.id
    LEFT JOIN competencies_theme t ON t.id = ct.theme_id
    WHERE c.framework_id = %s
    GROUP BY d.id, c.id
    ORDER BY d.position, c.position
"""
LEVEL_COLUMNS = ", ".join(
    f"MAX(CASE WHEN l.eqf_level = {level} THEN l.text END)"
    for level in LevelDescriptor.EqfLevel.values
)
DISTINCT_THEME_CODES = {
    "postgresql": "string_agg(DISTINCT t.code, ',')",
    "sqlite": "group_concat(DISTINCT t.code)",
}


def floor_json(framework: Framework) -> str:
    """The framework's domains and capabilities as nested JSON from one raw query."""
    sql = FLOOR_SQL.format(
        level_columns=LEVEL_COLUMNS, theme_codes=DISTINCT_THEME_CODES[connection.vendor]
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [framework.pk])
        rows = cursor.fetchall()
    domains = {}
    for (
        domain_uuid,
        domain_code,
        domain_name,
        uuid,
        code,
        title,
        description,
        relevance,
        position,
        theme_codes,
        *level_texts,
    ) in rows:
        domain = domains.setdefault(
            domain_uuid,
            {"id": domain_uuid, "code": domain_code, "name": domain_name, "capabilities": []},
        )
        domain["capabilities"].append(
            {
                "id": uuid,
                "code": code,
                "title": title,
                "description": description,
                "relevance": relevance,
                "position": position,
                "themes": sorted(theme_codes.split(",")) if theme_codes else [],
                "level_descriptors": [
                    {"eqf_level": level, "text": text}
                    for level, text in zip(
                        LevelDescriptor.EqfLevel.values, level_texts, strict=True
                    )
                    if text is not None
                ],
            }
        )
    return json.dumps(
        {"id": framework.uuid, "title": framework.title, "domains": list(domains.values())},
        default=str,
    )


@pytest.fixture
def frameworks_by_size():
    return {size: build_framework(size) for size in SIZES}


def test_framework_page_and_api_against_floor(anonymous_client, frameworks_by_size):
    measurements = [
        measurement
        for size, framework in frameworks_by_size.items()
        for measurement in measure_framework(anonymous_client, size, framework)
    ]

    print_report(measurements)
    for target in ("page", "api"):
        counts = {m.queries for m in measurements if m.target == target}
        assert len(counts) == 1, f"{target} query count grows with the framework: {counts}"


def measure_framework(client, size: int, framework: Framework) -> list[Measurement]:
    page_url = reverse("competencies:framework_detail", args=[framework.uuid])
    api_url = reverse("api:framework-detail", kwargs={"uuid": framework.uuid})

    def get_page():
        return client.get(page_url)

    def get_api():
        return client.get(api_url, HTTP_ACCEPT="application/json")

    def get_floor():
        return floor_json(framework)

    page = get_page()
    assert page.status_code == 200
    assert page.content.count(b"<tr data-capability=") == size
    api = get_api()
    assert api.status_code == 200
    assert sum(len(domain["capabilities"]) for domain in api.json()["domains"]) == size
    floor = json.loads(get_floor())
    assert sum(len(domain["capabilities"]) for domain in floor["domains"]) == size

    actions = {"page": get_page, "api": get_api, "floor": get_floor}
    medians = median_ms_in_turns(actions, runs=RUNS, warm_ups=WARM_UPS)
    return [
        Measurement(target, size, medians[target], query_count(action))
        for target, action in actions.items()
    ]


def print_report(measurements: list[Measurement]) -> None:
    floor_ms = {m.size: m.median_ms for m in measurements if m.target == "floor"}
    print()
    print(f"Database: {connection.vendor} ({connection.settings_dict['NAME']})")
    print(f"Median of {RUNS} runs after {WARM_UPS} warm-ups")
    print(f"{'target':<8}{'N':>6}{'median ms':>12}{'queries':>9}{'x floor':>9}")
    for m in sorted(measurements, key=lambda m: (TARGETS.index(m.target), m.size)):
        ratio = m.median_ms / floor_ms[m.size]
        print(f"{m.target:<8}{m.size:>6}{m.median_ms:>12.2f}{m.queries:>9}{ratio:>9.1f}")

    print("Targets:")
    for target in ("page", "api"):
        counts = [m.queries for m in measurements if m.target == target]
        met = len(set(counts)) == 1 and max(counts) <= MAX_QUERIES
        print(
            f"  {target} same query count at every size, at most {MAX_QUERIES}: "
            f"{verdict(met)} ({', '.join(map(str, counts))})"
        )
    for m in measurements:
        if m.target == "api":
            ratio = m.median_ms / floor_ms[m.size]
            print(
                f"  api within {MAX_API_TO_FLOOR_RATIO}x of floor at N={m.size}: "
                f"{verdict(ratio <= MAX_API_TO_FLOOR_RATIO)} ({ratio:.1f}x)"
            )


def verdict(met: bool) -> str:
    return "meets" if met else "misses"
