"""What the evaluation report holds, read in a fixed number of queries whatever the size of the
data: the logic model's chain, the mechanism report, the courses and focus groups it covers, and
the formative action log.

Words leave this module only where their speaker consented to verbatim quotes (the mechanism
report and the action log apply consent); speakers are named by pseudonym only.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q

from courses.models import Course, academic_year_label
from evaluation.models import FocusGroup, FormativeAction, LogicModel, Phase
from evaluation.report_pdf.sections import Section
from evaluation.selectors.logic import (
    Column,
    action_log_rows,
    formative_actions,
    logic_model_columns,
)
from evaluation.selectors.reports_mechanisms import MechanismSummary, mechanism_report


@dataclass
class CourseScope:
    """A course whose focus groups the report counts, with how many it held in each phase."""

    code: str
    title: str
    year: str
    institution: str
    formative: int
    summative: int


@dataclass
class ReportContents:
    logic_model: LogicModel
    #: The courses asked for; empty when the report covers every course.
    chosen_courses: list[Course]
    scope: list[CourseScope]
    sections: list[str]
    columns: list[Column] = field(default_factory=list)
    mechanisms: list[MechanismSummary] = field(default_factory=list)
    actions: list[FormativeAction] = field(default_factory=list)


def _scope(courses: list[Course]) -> list[CourseScope]:
    """The courses (these, or every one) that held focus groups, with counts per phase."""
    held = Course.objects.filter(Exists(FocusGroup.objects.filter(course=OuterRef("pk"))))
    if courses:
        held = held.filter(pk__in=[course.pk for course in courses])
    rows = (
        held.values("pk", "code", "title", "academic_year", "institution__name")
        .annotate(
            formative=Count("focus_groups", filter=Q(focus_groups__phase=Phase.FORMATIVE)),
            summative=Count("focus_groups", filter=Q(focus_groups__phase=Phase.SUMMATIVE)),
        )
        .order_by("code", "-academic_year", "pk")
    )
    return [
        CourseScope(
            code=row["code"],
            title=row["title"],
            year=academic_year_label(row["academic_year"]),
            institution=row["institution__name"],
            formative=row["formative"],
            summative=row["summative"],
        )
        for row in rows
    ]


def _mechanisms(logic_model: LogicModel, courses: list[Course]) -> list[MechanismSummary]:
    """The mechanism report, keeping only the quotes whose speaker consented to them."""
    mechanisms = mechanism_report(logic_model, courses=courses or None)
    for mechanism in mechanisms:
        mechanism.quotes = [quote for quote in mechanism.quotes if not quote.withheld]
    return mechanisms


def _actions(logic_model: LogicModel, courses: list[Course]) -> list[FormativeAction]:
    """The log of the courses' formative actions about this model's mechanisms or about none,
    each with `sources`: the excerpts behind the finding whose speaker allows quoting them."""
    actions = formative_actions().filter(
        Q(mechanism__isnull=True) | Q(mechanism__logic_model=logic_model)
    )
    if courses:
        actions = actions.filter(course__in=[course.pk for course in courses])
    rows = action_log_rows(actions)
    for action in rows:
        action.sources = [source for source in action.sources if source.quote is not None]
    return rows


def report_contents(
    logic_model: LogicModel, *, courses: list[Course], sections: list[str]
) -> ReportContents:
    """Everything the report shows of these sections; `courses` empty means every course."""
    contents = ReportContents(
        logic_model=logic_model,
        chosen_courses=courses,
        scope=_scope(courses),
        sections=sections,
    )
    if Section.LOGIC_MODEL in sections:
        contents.columns = logic_model_columns(logic_model)
    if any(
        section in sections for section in (Section.LOGIC_MODEL, Section.MECHANISMS, Section.CHARTS)
    ):
        contents.mechanisms = _mechanisms(logic_model, courses)
    if Section.ACTION_LOG in sections:
        contents.actions = _actions(logic_model, courses)
    return contents
