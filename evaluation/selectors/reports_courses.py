"""The course report: one course's focus groups, its evidence per mechanism, its top quotes, its
formative action log and the capabilities its participants talked about most."""

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from django.db.models import Count, Q

from competencies.models import Capability
from courses.models import Course
from evaluation.models import Excerpt, FocusGroup, FormativeAction, LogicModel, Phase
from evaluation.selectors.reports import (
    ReportQuote,
    analysed,
    code_count,
    quotable_speakers,
    quote_ranking,
    quote_values,
    quotes_with_consent,
)
from evaluation.selectors.reports_capabilities import CapabilityEvidence, capability_evidence
from evaluation.selectors.reports_mechanisms import (
    MechanismEvidence,
    default_logic_model,
    mechanism_evidence,
)

QUOTES_PER_COURSE = 5
CAPABILITIES_PER_COURSE = 10


def courses_with_focus_groups():
    """Courses that held a focus group, with how many and how many excerpts are counted."""
    counted = Q(
        focus_groups__transcripts__excerpts__in_analysis=True,
        focus_groups__transcripts__is_current=True,
    )
    return (
        Course.objects.select_related("institution")
        .annotate(
            focus_group_count=Count("focus_groups", distinct=True),
            excerpt_count=Count(
                "focus_groups__transcripts__excerpts", filter=counted, distinct=True
            ),
        )
        .filter(focus_group_count__gt=0)
        .order_by("-academic_year", "semester", "code", "pk")
    )


@dataclass
class FocusGroupRow:
    uuid: UUID
    title: str
    phase: str
    held_on: date
    audience: str
    participants: int

    @property
    def phase_label(self) -> str:
        return Phase(self.phase).label

    @property
    def audience_label(self) -> str:
        return FocusGroup.Audience(self.audience).label


@dataclass
class DiscussedCapability:
    uuid: UUID
    code: str
    title: str
    domain: str
    evidence: CapabilityEvidence


@dataclass
class CourseReport:
    course: Course
    logic_model: LogicModel | None
    focus_groups: list[FocusGroupRow]
    mechanisms: list[MechanismEvidence]
    quotes: list[ReportQuote]
    actions: list[FormativeAction]
    capabilities: list[DiscussedCapability]


def _focus_groups(course: Course) -> list[FocusGroupRow]:
    groups = (
        FocusGroup.objects.filter(course=course)
        .annotate(participant_count=Count("participants"))
        .order_by("held_on", "title")
        .values_list("uuid", "title", "phase", "held_on", "audience", "participant_count")
    )
    return [FocusGroupRow(*row) for row in groups]


def _top_quotes(course: Course) -> list[ReportQuote]:
    quotable = quotable_speakers([course])
    rows = (
        Excerpt.objects.filter(analysed(courses=[course]))
        .annotate(code_count=code_count("pk"))
        .order_by(*quote_ranking(quotable=quotable))
        .values("code_count", **quote_values())[:QUOTES_PER_COURSE]
    )
    return quotes_with_consent(list(rows), quotable)


def _most_discussed(course: Course) -> list[DiscussedCapability]:
    """The capabilities of the course's framework version with the most evidence in the course,
    ties in framework order."""
    evidence = capability_evidence(course.framework, courses=[course])
    discussed = [
        DiscussedCapability(
            uuid=capability.uuid,
            code=capability.code,
            title=capability.title,
            domain=capability.domain.name,
            evidence=evidence[capability.lineage],
        )
        for capability in Capability.objects.filter(framework=course.framework)
        .select_related("domain")
        .order_by("domain__position", "position", "pk")
        if capability.lineage in evidence and evidence[capability.lineage].total
    ]
    discussed.sort(key=lambda item: -item.evidence.total)
    return discussed[:CAPABILITIES_PER_COURSE]


def course_report(course: Course, *, logic_model: LogicModel | None = None) -> CourseReport:
    """Everything the course report shows; mechanisms are those of `logic_model`, by default
    the first by title. A fixed number of queries whatever the number of focus groups and
    excerpts."""
    logic_model = logic_model or default_logic_model()
    return CourseReport(
        course=course,
        logic_model=logic_model,
        focus_groups=_focus_groups(course),
        mechanisms=mechanism_evidence(logic_model, courses=[course]) if logic_model else [],
        quotes=_top_quotes(course),
        actions=list(
            FormativeAction.objects.filter(course=course)
            .select_related("mechanism")
            .order_by("created_at", "pk")
        ),
        capabilities=_most_discussed(course),
    )
