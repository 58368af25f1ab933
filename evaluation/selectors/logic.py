"""Reads of logic models, mechanisms, their evidence and assessments, and the action log.

Each read costs a fixed number of queries whatever the number of rows; quotes are shown only
where the speaker's consent in force allows verbatim quotes.
"""

from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from evaluation.consent import quotable_participant_ids
from evaluation.models import (
    Coding,
    Excerpt,
    ExcerptMechanism,
    FormativeAction,
    LogicModel,
    LogicModelItem,
    Mechanism,
    MechanismAssessment,
    Phase,
)


def _count_of(model, link: str):
    counted = (
        model.objects.filter(**{link: OuterRef("pk")})
        .order_by()
        .values(link)
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def logic_models_with_counts():
    return LogicModel.objects.annotate(
        item_count=_count_of(LogicModelItem, "logic_model"),
        mechanism_count=_count_of(Mechanism, "logic_model"),
    ).order_by("title")


@dataclass
class Column:
    component: str
    label: str
    items: list = field(default_factory=list)


def column_items(logic_model: LogicModel, component: str) -> Column:
    label = LogicModelItem.Component(component).label
    items = list(
        LogicModelItem.objects.filter(logic_model=logic_model, component=component).order_by(
            "position"
        )
    )
    return Column(component=component, label=label, items=items)


def logic_model_columns(logic_model: LogicModel) -> list[Column]:
    """The five components in their logical order, each with its items in order."""
    columns = {
        value: Column(component=value, label=label)
        for value, label in LogicModelItem.Component.choices
    }
    for item in LogicModelItem.objects.filter(logic_model=logic_model).order_by("position"):
        columns[item.component].items.append(item)
    return list(columns.values())


def mechanisms_with_verdicts(logic_model: LogicModel) -> list[Mechanism]:
    """The model's mechanisms in order, each with `formative` and `summative` (or None)."""
    mechanisms = list(
        Mechanism.objects.filter(logic_model=logic_model)
        .order_by("position")
        .prefetch_related("assessments")
    )
    for mechanism in mechanisms:
        by_phase = {assessment.phase: assessment for assessment in mechanism.assessments.all()}
        mechanism.formative = by_phase.get(Phase.FORMATIVE)
        mechanism.summative = by_phase.get(Phase.SUMMATIVE)
    return mechanisms


def mechanism_evidence(mechanism: Mechanism):
    """Excerpts counted in reports that are evidence for the mechanism: linked to it directly or
    coded with a code linked to it (each once)."""
    linked = ExcerptMechanism.objects.filter(mechanism=mechanism).values("excerpt_id")
    coded = Coding.objects.filter(code__mechanisms=mechanism).values("excerpt_id")
    return Excerpt.objects.filter(in_analysis=True).filter(Q(pk__in=linked) | Q(pk__in=coded))


@dataclass
class ExcerptRow:
    """An excerpt as pages show it: its quote only where consent allows, and where it is from."""

    excerpt: Excerpt
    quote: str | None
    speaker: str
    course: str
    phase: str
    session: str
    codes: list[str]
    stance: str = ""

    @property
    def uuid(self):
        return self.excerpt.uuid

    @property
    def withheld(self) -> str:
        return _(
            "[quote withheld: no consent for verbatim quotes] %(speaker)s, %(course)s, %(phase)s"
        ) % {
            "speaker": self.speaker,
            "course": self.course,
            "phase": self.phase,
        }

    @property
    def shown(self) -> str:
        return self.quote if self.quote is not None else self.withheld


def _with_context(excerpts):
    return excerpts.select_related("participant", "transcript__focus_group__course")


def excerpt_rows(excerpts: list[Excerpt], *, with_codes: bool = False) -> list[ExcerptRow]:
    """Rows for excerpts loaded with `_with_context` (and codes prefetched when asked for)."""
    quotable = quotable_participant_ids(
        {excerpt.participant_id for excerpt in excerpts if excerpt.participant_id}
    )
    rows = []
    for excerpt in excerpts:
        focus_group = excerpt.transcript.focus_group
        allowed = excerpt.participant_id is not None and excerpt.participant_id in quotable
        rows.append(
            ExcerptRow(
                excerpt=excerpt,
                quote=excerpt.quote if allowed else None,
                speaker=excerpt.participant.pseudonym
                if excerpt.participant
                else _("speaker not linked"),
                course=focus_group.course.code,
                phase=str(focus_group.get_phase_display()),
                session=focus_group.title,
                codes=[code.name for code in excerpt.codes.all()] if with_codes else [],
            )
        )
    return rows


def mechanism_evidence_rows(mechanism: Mechanism) -> list[ExcerptRow]:
    """The mechanism's evidence with codes and the stance of a direct link (four queries)."""
    excerpts = list(
        _with_context(mechanism_evidence(mechanism))
        .prefetch_related(
            "codes",
            Prefetch(
                "mechanism_links",
                queryset=ExcerptMechanism.objects.filter(mechanism=mechanism),
                to_attr="links_here",
            ),
        )
        .order_by(
            "transcript__focus_group__phase",
            "transcript__focus_group__held_on",
            "transcript_id",
            "start",
            "pk",
        )
    )
    rows = excerpt_rows(excerpts, with_codes=True)
    for row in rows:
        links = row.excerpt.links_here
        row.stance = str(links[0].get_stance_display()) if links else ""
    return rows


def mechanism_assessments(mechanism: Mechanism) -> dict[str, MechanismAssessment | None]:
    """Phase → the mechanism's assessment for it, with the pks of the excerpts it cites."""
    found = {
        assessment.phase: assessment
        for assessment in MechanismAssessment.objects.filter(mechanism=mechanism)
        .select_related("assessed_by")
        .prefetch_related(Prefetch("evidence", queryset=Excerpt.objects.only("pk")))
    }
    for assessment in found.values():
        assessment.evidence_ids = {excerpt.pk for excerpt in assessment.evidence.all()}
    return {phase: found.get(phase) for phase in Phase.values}


def formative_actions(*, course=None, status: str = ""):
    """The action log, oldest first per course, with mechanism and source excerpts loaded."""
    actions = FormativeAction.objects.select_related(
        "course", "mechanism__logic_model", "created_by"
    ).prefetch_related(
        Prefetch("source_excerpts", queryset=_with_context(Excerpt.objects.order_by("start")))
    )
    if course is not None:
        actions = actions.filter(course=course)
    if status:
        actions = actions.filter(status=status)
    return actions.order_by("course__code", "course__academic_year", "created_at", "pk")


def action_log_rows(actions) -> list[FormativeAction]:
    """The actions with `sources` (ExcerptRows, consent applied in one query for all)."""
    actions = list(actions)
    excerpts = [excerpt for action in actions for excerpt in action.source_excerpts.all()]
    rows = {row.excerpt.pk: row for row in excerpt_rows(excerpts)}
    for action in actions:
        action.sources = [rows[excerpt.pk] for excerpt in action.source_excerpts.all()]
    return actions


def course_source_excerpts(course) -> list[ExcerptRow]:
    """Excerpts counted in reports from the course's focus groups, to cite behind a finding."""
    excerpts = _with_context(
        Excerpt.objects.filter(in_analysis=True, transcript__focus_group__course=course)
    ).order_by("transcript__focus_group__held_on", "transcript_id", "start", "pk")
    return excerpt_rows(list(excerpts))
