"""The capability report: each capability of a framework version, the feedback evidence about it
beside its coverage by the courses, and where one goes without the other.

Capabilities are matched by lineage, as coverage matches them: evidence linked to a capability of
another version of the framework counts for the same capability of this one.
"""

from dataclasses import dataclass
from uuid import UUID

from django.db.models import Count, Exists, F, OuterRef

from competencies.models import Framework
from courses.coverage import course_selection, coverage, default_framework
from courses.models import Emphasis
from evaluation.models import Coding, ExcerptCapability, Stance, Valence
from evaluation.selectors.reports import STANCES, VALENCES, analysed, labelled, zero_counts


@dataclass
class CapabilityEvidence:
    """Excerpts that are evidence for a capability: by valence, and by stance of direct links."""

    stances: dict[str, int]
    valence: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.valence.values())

    @property
    def valence_counts(self) -> list[tuple[str, int]]:
        return labelled(self.valence, Valence)

    @property
    def stance_counts(self) -> list[tuple[str, int]]:
        return labelled(self.stances, Stance)


def no_evidence() -> CapabilityEvidence:
    return CapabilityEvidence(zero_counts(STANCES), zero_counts(VALENCES))


def capability_evidence(framework: Framework, *, courses=None) -> dict[UUID, CapabilityEvidence]:
    """Capability lineage → its evidence, over every version of `framework` (two queries).

    `courses` narrows the evidence to their focus groups; None or empty means every course.
    """
    evidence: dict[UUID, CapabilityEvidence] = {}

    def of(lineage) -> CapabilityEvidence:
        lineage = UUID(str(lineage))
        if lineage not in evidence:
            evidence[lineage] = no_evidence()
        return evidence[lineage]

    direct = (
        ExcerptCapability.objects.filter(
            analysed("excerpt__", courses=courses), capability__framework__slug=framework.slug
        )
        .values("stance", lineage=F("capability__lineage"), valence=F("excerpt__valence"))
        .annotate(excerpts=Count("excerpt_id", distinct=True))
        .order_by()
    )
    for row in direct:
        found = of(row["lineage"])
        found.stances[row["stance"]] += row["excerpts"]
        found.valence[row["valence"]] += row["excerpts"]
    # Both annotations read the same join, so they are the same linked capability.
    coded = (
        Coding.objects.annotate(
            lineage=F("code__capabilities__lineage"),
            framework_slug=F("code__capabilities__framework__slug"),
        )
        .filter(
            analysed("excerpt__", courses=courses),
            ~Exists(
                ExcerptCapability.objects.filter(
                    excerpt_id=OuterRef("excerpt_id"),
                    capability__lineage=OuterRef("lineage"),
                    capability__framework__slug=OuterRef("framework_slug"),
                )
            ),
            framework_slug=framework.slug,
        )
        .values("lineage", valence=F("excerpt__valence"))
        .annotate(excerpts=Count("excerpt_id", distinct=True))
        .order_by()
    )
    for row in coded:
        of(row["lineage"]).valence[row["valence"]] += row["excerpts"]
    return evidence


@dataclass
class CapabilityReportRow:
    uuid: UUID
    code: str
    title: str
    depth: int
    # How many courses and learning outcomes map to it, and the highest emphasis ("" for none).
    courses: int
    outcomes: int
    highest: str
    evidence: CapabilityEvidence

    @property
    def highest_label(self) -> str:
        return Emphasis(self.highest).label if self.highest else ""

    @property
    def taught_not_discussed(self) -> bool:
        return bool(self.courses) and not self.evidence.total

    @property
    def discussed_not_taught(self) -> bool:
        return bool(self.evidence.total) and not self.courses


@dataclass
class CapabilityReportDomain:
    code: str
    name: str
    rows: list[CapabilityReportRow]


@dataclass
class CapabilityReport:
    framework: Framework | None
    # The courses on a version of the framework, whose outcomes the coverage counts.
    courses: int
    domains: list[CapabilityReportDomain]

    @property
    def rows(self) -> list[CapabilityReportRow]:
        return [row for domain in self.domains for row in domain.rows]

    @property
    def most_evidence(self) -> int:
        return max((row.evidence.total for row in self.rows), default=0)

    @property
    def most_courses(self) -> int:
        return max((row.courses for row in self.rows), default=0)

    @property
    def taught_not_discussed(self) -> list[CapabilityReportRow]:
        return [row for row in self.rows if row.taught_not_discussed]

    @property
    def discussed_not_taught(self) -> list[CapabilityReportRow]:
        return [row for row in self.rows if row.discussed_not_taught]


def default_report_framework(courses) -> Framework | None:
    """The newest version of the framework most courses map to; with no course, the newest
    published framework."""
    return (
        default_framework(list(courses))
        or Framework.objects.filter(status=Framework.Status.PUBLISHED)
        .order_by("-published_at", "-pk")
        .first()
    )


def capability_report(framework: Framework | None = None) -> CapabilityReport:
    """Per capability of `framework` (by default see `default_report_framework`), in framework
    order grouped by domain: its coverage by every course and the feedback evidence about it.

    Seven queries at most, whatever the number of courses, capabilities and excerpts.
    """
    courses = list(course_selection())
    framework = framework or default_report_framework(courses)
    if framework is None:
        return CapabilityReport(None, 0, [])
    mapped = coverage(courses, framework)
    evidence = capability_evidence(framework)
    domains = [
        CapabilityReportDomain(
            code=block.code,
            name=block.name,
            rows=[
                CapabilityReportRow(
                    uuid=row.capability.uuid,
                    code=row.capability.code,
                    title=row.capability.title,
                    depth=row.depth,
                    courses=len(row.cells),
                    outcomes=sum(len(cell.outcomes) for cell in row.cells.values()),
                    highest=row.highest,
                    evidence=evidence.get(UUID(row.capability.lineage)) or no_evidence(),
                )
                for row in block.rows
            ],
        )
        for block in mapped.domains
    ]
    return CapabilityReport(framework, len(mapped.courses), domains)
