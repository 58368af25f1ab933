"""What the reports share: which excerpts they count, and the quotes they may show.

A report counts an excerpt when it is in the analysis (a blind coder's own coding is not; the
agreed coding is) and belongs to the current version of its transcript. An excerpt is evidence
for a mechanism or a capability when it is linked to it directly or coded with a code linked to
it; it counts once either way.

Quotes are ranked quotable first (the speaker is known and allows verbatim quotes), then
exemplars, then by how many codes they carry: a report shows the best quotes it may show, and
lists an excerpt as withheld only when there are not enough of those. The words of a quote leave
this module only when its speaker allows it; counts never depend on consent.
"""

from dataclasses import dataclass
from uuid import UUID

from django.db.models import Case, Count, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from evaluation.consent import quotable_participant_ids
from evaluation.models import Coding, Participant, Phase, Stance, Valence

PHASES = [value for value, _label in Phase.choices]
VALENCES = [value for value, _label in Valence.choices]
STANCES = [value for value, _label in Stance.choices]


def analysed(prefix: str = "", *, courses=None, audience: str | None = None) -> Q:
    """The excerpts reports count, reached from a model through `prefix` (e.g. "excerpt__").

    `courses` (course instances) and `audience` (a FocusGroup.Audience value) narrow them to
    focus groups of those courses or with that audience; None or empty means any.
    """
    condition = Q(**{f"{prefix}in_analysis": True, f"{prefix}transcript__is_current": True})
    if courses:
        condition &= Q(
            **{f"{prefix}transcript__focus_group__course_id__in": [c.pk for c in courses]}
        )
    if audience:
        condition &= Q(**{f"{prefix}transcript__focus_group__audience": audience})
    return condition


def zero_counts(keys) -> dict[str, int]:
    return dict.fromkeys(keys, 0)


def labelled(counts: dict[str, int], choices) -> list[tuple[str, int]]:
    """The counts in the order of `choices` (a TextChoices class), each with its label."""
    return [(str(label), counts.get(value, 0)) for value, label in choices.choices]


@dataclass
class ReportQuote:
    """An excerpt a report would quote; `quote` is None when its speaker's consent withholds it."""

    excerpt: UUID
    quote: str | None
    pseudonym: str
    course: UUID
    course_code: str
    phase: str
    session: str
    is_exemplar: bool
    codes: int

    @property
    def withheld(self) -> bool:
        return self.quote is None

    @property
    def phase_label(self) -> str:
        return Phase(self.phase).label


def code_count(excerpt_pk: str) -> Coalesce:
    """How many codes the excerpt whose primary key is the outer `excerpt_pk` carries."""
    per_excerpt = (
        Coding.objects.filter(excerpt_id=OuterRef(excerpt_pk))
        .order_by()
        .values("excerpt_id")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(per_excerpt), 0)


def quotable_speakers(courses=None) -> set[int]:
    """The participants (of these courses, or of all) whose words may be quoted (two queries)."""
    participants = Participant.objects.all()
    if courses:
        participants = participants.filter(course__in=courses)
    return quotable_participant_ids(participants.values_list("pk", flat=True))


def quote_ranking(prefix: str = "", *, quotable: set[int]) -> list:
    """Quotable first, then exemplars, then the most codes (annotated as `code_count`), then
    oldest first."""
    return [
        Case(When(**{f"{prefix}participant_id__in": quotable}, then=Value(0)), default=Value(1)),
        F(f"{prefix}is_exemplar").desc(),
        F("code_count").desc(),
        F(f"{prefix}pk").asc(),
    ]


def quote_values(prefix: str = "") -> dict:
    """What a quote row reads, through `prefix`, under names no evaluation model uses."""
    focus_group = f"{prefix}transcript__focus_group__"
    return {
        "excerpt_pk": F(f"{prefix}pk"),
        "excerpt_uuid": F(f"{prefix}uuid"),
        "words": F(f"{prefix}quote"),
        "speaker_pk": F(f"{prefix}participant_id"),
        "speaker": F(f"{prefix}participant__pseudonym"),
        "course_uuid": F(f"{focus_group}course__uuid"),
        "course_code": F(f"{focus_group}course__code"),
        "phase": F(f"{focus_group}phase"),
        "session": F(f"{focus_group}title"),
        "exemplar": F(f"{prefix}is_exemplar"),
    }


def quote_sort_key(row: dict, quotable: set[int]) -> tuple:
    return (
        row["speaker_pk"] not in quotable,
        not row["exemplar"],
        -row["code_count"],
        row["excerpt_pk"],
    )


def quotes_with_consent(rows: list[dict], quotable: set[int]) -> list[ReportQuote]:
    """The rows (read with `quote_values` and `code_count`) as quotes, words only where the
    speaker is one of the `quotable` participants."""
    return [
        ReportQuote(
            excerpt=row["excerpt_uuid"],
            quote=row["words"] if row["speaker_pk"] in quotable else None,
            pseudonym=row["speaker"] or "",
            course=row["course_uuid"],
            course_code=row["course_code"],
            phase=row["phase"],
            session=row["session"],
            is_exemplar=row["exemplar"],
            codes=row["code_count"],
        )
        for row in rows
    ]
