"""The mechanism report: per mechanism of a logic model, the evidence by phase and valence, the
stances of direct links, the verdicts formative → summative, and the top quotes.

Read in a fixed number of queries whatever the number of excerpts: counts are grouped in the
database; quotes are ranked there too and only the best few per mechanism are read.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from uuid import UUID

from django.db.models import Count, Exists, F, OuterRef, Window
from django.db.models.functions import DenseRank, RowNumber

from evaluation.models import (
    Coding,
    ExcerptMechanism,
    LogicModel,
    Mechanism,
    MechanismAssessment,
    Phase,
    Stance,
    Valence,
    Verdict,
)
from evaluation.selectors.reports import (
    PHASES,
    STANCES,
    VALENCES,
    ReportQuote,
    analysed,
    code_count,
    labelled,
    quotable_speakers,
    quote_ranking,
    quote_sort_key,
    quote_values,
    quotes_with_consent,
    zero_counts,
)

QUOTES_PER_MECHANISM = 3


@dataclass
class PhaseEvidence:
    """How many excerpts of one phase are evidence for a mechanism, by valence."""

    phase: str
    valence: dict[str, int]

    @property
    def label(self) -> str:
        return Phase(self.phase).label

    @property
    def total(self) -> int:
        return sum(self.valence.values())

    @property
    def valence_counts(self) -> list[tuple[str, int]]:
        return labelled(self.valence, Valence)


@dataclass
class VerdictStep:
    phase: str
    verdict: str
    reflection: str

    @property
    def phase_label(self) -> str:
        return Phase(self.phase).label

    @property
    def verdict_label(self) -> str:
        return Verdict(self.verdict).label


@dataclass
class MechanismEvidence:
    """A mechanism with its evidence counted: per phase (formative first) by valence, and the
    stances of the excerpts linked to it directly."""

    pk: int
    uuid: UUID
    name: str
    assumption: str
    reflection: str
    phases: list[PhaseEvidence]
    stances: dict[str, int]

    @property
    def total(self) -> int:
        return sum(phase.total for phase in self.phases)

    @property
    def stance_counts(self) -> list[tuple[str, int]]:
        return labelled(self.stances, Stance)


@dataclass
class MechanismSummary(MechanismEvidence):
    """What the mechanism report shows of one mechanism."""

    verdicts: list[VerdictStep] = field(default_factory=list)
    quotes: list[ReportQuote] = field(default_factory=list)


def default_logic_model() -> LogicModel | None:
    """The logic model reports show when none is chosen: the first by title."""
    return LogicModel.objects.order_by("title", "pk").first()


def _evidence_counts(mechanism_ids: list[int], *, courses, audience):
    """Per mechanism: {phase: {valence: n}} and {stance: n} (two queries)."""
    by_phase = {pk: {phase: zero_counts(VALENCES) for phase in PHASES} for pk in mechanism_ids}
    stances = {pk: zero_counts(STANCES) for pk in mechanism_ids}
    phase_of = F("excerpt__transcript__focus_group__phase")
    direct = (
        ExcerptMechanism.objects.filter(
            analysed("excerpt__", courses=courses, audience=audience),
            mechanism_id__in=mechanism_ids,
        )
        .values("mechanism_id", "stance", phase=phase_of, valence=F("excerpt__valence"))
        .annotate(excerpts=Count("excerpt_id"))
        .order_by()
    )
    for row in direct:
        by_phase[row["mechanism_id"]][row["phase"]][row["valence"]] += row["excerpts"]
        stances[row["mechanism_id"]][row["stance"]] += row["excerpts"]
    # Excerpts reached through their codes and not linked directly as well (those are counted
    # above); each once however many of its codes lead to the mechanism.
    coded = (
        Coding.objects.annotate(target=F("code__mechanisms"))
        .filter(
            analysed("excerpt__", courses=courses, audience=audience),
            ~Exists(
                ExcerptMechanism.objects.filter(
                    excerpt_id=OuterRef("excerpt_id"), mechanism_id=OuterRef("target")
                )
            ),
            target__in=mechanism_ids,
        )
        .values("target", phase=phase_of, valence=F("excerpt__valence"))
        .annotate(excerpts=Count("excerpt_id", distinct=True))
        .order_by()
    )
    for row in coded:
        by_phase[row["target"]][row["phase"]][row["valence"]] += row["excerpts"]
    return by_phase, stances


def mechanism_evidence(
    logic_model: LogicModel, *, courses=None, audience: str | None = None
) -> list[MechanismEvidence]:
    """The logic model's mechanisms in order, each with its evidence counted (three queries)."""
    mechanisms = list(Mechanism.objects.filter(logic_model=logic_model).order_by("position"))
    by_phase, stances = _evidence_counts(
        [mechanism.pk for mechanism in mechanisms], courses=courses, audience=audience
    )
    return [
        MechanismEvidence(
            pk=mechanism.pk,
            uuid=mechanism.uuid,
            name=mechanism.name,
            assumption=mechanism.assumption,
            reflection=mechanism.reflection,
            phases=[PhaseEvidence(phase, by_phase[mechanism.pk][phase]) for phase in PHASES],
            stances=stances[mechanism.pk],
        )
        for mechanism in mechanisms
    ]


def _verdicts(mechanism_ids: list[int]) -> dict[int, list[VerdictStep]]:
    steps = defaultdict(list)
    assessments = MechanismAssessment.objects.filter(mechanism_id__in=mechanism_ids).values_list(
        "mechanism_id", "phase", "verdict", "reflection"
    )
    for mechanism_id, phase, verdict, reflection in assessments:
        steps[mechanism_id].append(VerdictStep(phase, verdict, reflection))
    for mechanism_steps in steps.values():
        mechanism_steps.sort(key=lambda step: PHASES.index(step.phase))
    return steps


def _top_quotes(mechanism_ids: list[int], *, courses, audience) -> dict[int, list[ReportQuote]]:
    """The best QUOTES_PER_MECHANISM quotes of each mechanism (two queries, two for consent).

    The best few of the direct links and of the code links are ranked in the database, then
    merged: an excerpt's rank does not depend on how it is linked, so the best of the two lists
    together are the best of all.
    """
    quotable = quotable_speakers(courses)
    direct = (
        ExcerptMechanism.objects.filter(
            analysed("excerpt__", courses=courses, audience=audience),
            mechanism_id__in=mechanism_ids,
        )
        .annotate(
            target=F("mechanism_id"),
            code_count=code_count("excerpt_id"),
            rank=Window(
                RowNumber(),
                partition_by=F("mechanism_id"),
                order_by=quote_ranking("excerpt__", quotable=quotable),
            ),
        )
        .filter(rank__lte=QUOTES_PER_MECHANISM)
        .values("target", "code_count", **quote_values("excerpt__"))
    )
    # An excerpt with two codes leading to one mechanism is two rows of equal rank: DenseRank
    # keeps QUOTES_PER_MECHANISM different excerpts.
    coded = (
        Coding.objects.annotate(target=F("code__mechanisms"))
        .filter(
            analysed("excerpt__", courses=courses, audience=audience),
            target__in=mechanism_ids,
        )
        .annotate(
            code_count=code_count("excerpt_id"),
            rank=Window(
                DenseRank(),
                partition_by=F("target"),
                order_by=quote_ranking("excerpt__", quotable=quotable),
            ),
        )
        .filter(rank__lte=QUOTES_PER_MECHANISM)
        .values("target", "code_count", **quote_values("excerpt__"))
    )
    candidates: dict[int, dict[int, dict]] = defaultdict(dict)
    for row in [*direct, *coded]:
        candidates[row["target"]][row["excerpt_pk"]] = row
    chosen = {
        target: sorted(rows.values(), key=lambda row: quote_sort_key(row, quotable))[
            :QUOTES_PER_MECHANISM
        ]
        for target, rows in candidates.items()
    }
    quotes = iter(quotes_with_consent([row for rows in chosen.values() for row in rows], quotable))
    return {target: [next(quotes) for _row in rows] for target, rows in chosen.items()}


def mechanism_report(
    logic_model: LogicModel, *, courses=None, audience: str | None = None
) -> list[MechanismSummary]:
    """Every mechanism of the logic model with its evidence, verdicts and top quotes.

    `courses` and `audience` narrow the evidence and quotes to those focus groups; verdicts are
    the logic model's own and stay as they are. Eight queries at most, whatever the data size.
    """
    evidence = mechanism_evidence(logic_model, courses=courses, audience=audience)
    ids = [item.pk for item in evidence]
    verdicts = _verdicts(ids)
    quotes = _top_quotes(ids, courses=courses, audience=audience)
    return [
        MechanismSummary(
            **vars(item), verdicts=verdicts.get(item.pk, []), quotes=quotes.get(item.pk, [])
        )
        for item in evidence
    ]
