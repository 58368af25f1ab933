"""How far the evaluators who coded a transcript independently agree, code by code.

The units are the transcript's speaker turns, of participants and facilitators alike. A coder
gave a code to a turn when any of their own excerpts overlapping the turn carries the code, so
each code makes a coders × turns table of yes/no. Cohen's κ for each pair of coders comes from
scikit-learn and Krippendorff's α (nominal) across all coders from the `krippendorff` package:
the formulas are deliberately not written here. Where a statistic is undefined (nobody used the
code, nothing varies) the result says so in words instead of carrying a NaN.

Everything is read in three queries (turns, excerpts with their codes, the codebook) and held in
numpy arrays, so the cost does not grow with one query per turn or per excerpt.
"""

from dataclasses import dataclass
from itertools import combinations, groupby
from operator import itemgetter
from statistics import fmean

import krippendorff
import numpy as np
from django.utils.translation import gettext_lazy as _
from sklearn.metrics import cohen_kappa_score

from evaluation.models import Code, Excerpt, Transcript, Utterance

KAPPA_NO_VARIATION = _("Perfect agreement, κ undefined (no variation).")
ALPHA_NO_VARIATION = _("Perfect agreement, α undefined (no variation).")
NO_SHARED_UNITS = _("No unit was rated by both coders, so κ is undefined.")
NO_PAIRABLE_UNITS = _("No unit was rated by two or more coders, so α is undefined.")
NOT_USED = _("Not used: no evaluator gave this code on this transcript.")


@dataclass(frozen=True)
class PairKappa:
    """Cohen's κ of two raters (their rows in the ratings), or why it is undefined."""

    first: int
    second: int
    kappa: float | None
    note: str | None = None


@dataclass(frozen=True)
class RatingsAgreement:
    kappas: tuple[PairKappa, ...]
    alpha: float | None
    alpha_note: str | None
    pairable_units: int
    agreed_units: int

    @property
    def percent_agreement(self) -> float | None:
        """Share of the units rated by two or more raters on which all of them gave one value."""
        if not self.pairable_units:
            return None
        return 100 * self.agreed_units / self.pairable_units


def ratings_agreement(ratings) -> RatingsAgreement:
    """κ for every pair of raters and nominal α across all, from a raters × units array.

    A missing rating is NaN. κ of a pair uses the units both rated; α uses every unit rated by
    at least two raters.
    """
    ratings = np.asarray(ratings, dtype=float)
    rated = ~np.isnan(ratings)
    kappas = tuple(
        _pair_kappa(ratings, rated, first, second)
        for first, second in combinations(range(ratings.shape[0]), 2)
    )
    pairable = rated.sum(axis=0) >= 2
    pairable_units = int(pairable.sum())
    if not pairable_units:
        return RatingsAgreement(kappas, None, NO_PAIRABLE_UNITS, 0, 0)
    columns = ratings[:, pairable]
    lowest, highest = np.nanmin(columns, axis=0), np.nanmax(columns, axis=0)
    agreed_units = int((lowest == highest).sum())
    if lowest.min() == highest.max():
        # α divides by the disagreement expected by chance, which is nil with a single value.
        return RatingsAgreement(kappas, None, ALPHA_NO_VARIATION, pairable_units, agreed_units)
    alpha = float(krippendorff.alpha(reliability_data=ratings, level_of_measurement="nominal"))
    return RatingsAgreement(kappas, alpha, None, pairable_units, agreed_units)


def _pair_kappa(ratings, rated, first: int, second: int) -> PairKappa:
    both = rated[first] & rated[second]
    if not both.any():
        return PairKappa(first, second, None, NO_SHARED_UNITS)
    first_values, second_values = ratings[first, both], ratings[second, both]
    if first_values.min() == first_values.max() == second_values.min() == second_values.max():
        # Agreement expected by chance is then 1, and κ divides by 1 minus it.
        return PairKappa(first, second, None, KAPPA_NO_VARIATION)
    return PairKappa(first, second, float(cohen_kappa_score(first_values, second_values)))


@dataclass(frozen=True)
class Coder:
    id: int
    username: str

    def __str__(self):
        return self.username


@dataclass(frozen=True)
class Unit:
    """A speaker turn: characters [start, end) of the transcript's text."""

    id: int
    position: int
    speaker: str
    start: int
    end: int


# Not frozen, as thousands are made per page: a frozen dataclass is several times slower to make.
@dataclass(eq=False, slots=True)
class CodedExcerpt:
    id: int
    uuid: str
    start: int
    end: int
    quote: str
    coder: Coder | None
    is_agreed: bool
    code_ids: tuple[int, ...]
    units: np.ndarray  # indexes of the turns it overlaps

    @property
    def span(self) -> tuple[int, int]:
        return (self.start, self.end)


@dataclass(frozen=True)
class CodingUnits:
    """The turns, the coders' excerpts and the agreed ones, and who gave which code to which turn.

    `coded[c, k, u]` is whether coder `coders[c]` gave code `code_ids[k]` to turn `units[u]`.
    """

    units: tuple[Unit, ...]
    coders: tuple[Coder, ...]
    code_ids: tuple[int, ...]
    coded: np.ndarray
    excerpts: tuple[CodedExcerpt, ...]
    agreed: tuple[CodedExcerpt, ...]


def coding_units(transcript: Transcript) -> CodingUnits:
    """The transcript's turns and coding as arrays: two queries whatever the transcript's size."""
    units = tuple(
        Unit(*row)
        for row in Utterance.objects.filter(transcript=transcript)
        .order_by("position")
        .values_list("id", "position", "speaker", "start", "end")
    )

    rows = (
        Excerpt.objects.filter(transcript=transcript)
        .order_by("start", "end", "pk")
        .values_list(
            "pk",
            "uuid",
            "start",
            "end",
            "quote",
            "coder_id",
            "coder__username",
            "is_agreed",
            "codings__code_id",
        )
    )
    fields = []  # a row per excerpt, with the ids of its codes (a row per coding above) last
    for _pk, codings in groupby(rows, key=itemgetter(0)):
        codings = list(codings)
        code_ids = tuple(sorted(row[-1] for row in codings if row[-1] is not None))
        fields.append((*codings[0][:-1], code_ids))

    overlapped = _units_overlapped(units, [row[2] for row in fields], [row[3] for row in fields])
    coder_of: dict[int, Coder] = {}
    excerpts, agreed = [], []
    for (pk, uuid, start, end, quote, coder_id, username, is_agreed, code_ids), turns in zip(
        fields, overlapped, strict=True
    ):
        if coder_id is not None and coder_id not in coder_of:
            coder_of[coder_id] = Coder(coder_id, username)
        coder = coder_of.get(coder_id)
        excerpt = CodedExcerpt(
            id=pk,
            uuid=str(uuid),
            start=start,
            end=end,
            quote=quote,
            coder=coder,
            is_agreed=is_agreed,
            code_ids=code_ids,
            units=turns,
        )
        if is_agreed:
            agreed.append(excerpt)
        elif coder is not None:
            excerpts.append(excerpt)

    coders = tuple(sorted({e.coder for e in excerpts}, key=lambda c: (c.username.lower(), c.id)))
    code_ids = tuple(sorted({code for e in excerpts for code in e.code_ids}))
    coder_index = {coder: index for index, coder in enumerate(coders)}
    code_index = {code: index for index, code in enumerate(code_ids)}
    coded = np.zeros((len(coders), len(code_ids), len(units)), dtype=bool)
    for excerpt in excerpts:
        for code in excerpt.code_ids:
            coded[coder_index[excerpt.coder], code_index[code], excerpt.units] = True
    return CodingUnits(units, coders, code_ids, coded, tuple(excerpts), tuple(agreed))


def _units_overlapped(units: tuple[Unit, ...], starts: list[int], ends: list[int]) -> list:
    """For each span [starts[i], ends[i]), the indexes of the turns it overlaps: a run found by
    binary search when the turns start and end in order of position, as they normally do, else
    (turns out of order or nested) by comparing the span with every turn."""
    unit_starts = np.fromiter((unit.start for unit in units), dtype=np.int64, count=len(units))
    unit_ends = np.fromiter((unit.end for unit in units), dtype=np.int64, count=len(units))
    if np.all(unit_starts[1:] >= unit_starts[:-1]) and np.all(unit_ends[1:] >= unit_ends[:-1]):
        # Turn i overlaps [start, end) when it starts before `end` and ends after `start`.
        firsts = np.searchsorted(unit_ends, np.asarray(starts, dtype=np.int64), side="right")
        stops = np.searchsorted(unit_starts, np.asarray(ends, dtype=np.int64), side="left")
        return [np.arange(first, stop) for first, stop in zip(firsts, stops, strict=True)]
    return [
        np.flatnonzero((unit_starts < end) & (unit_ends > start))
        for start, end in zip(starts, ends, strict=True)
    ]


@dataclass(frozen=True)
class CodeRef:
    id: int
    uuid: str
    name: str
    path: str  # "Parent › Child": the name is only unique among siblings
    colour: str

    def __str__(self):
        return self.path


def codebook_in_order() -> dict[int, CodeRef]:
    """Every code of the codebook, parents before their children, siblings by position."""
    rows = list(Code.objects.values_list("id", "uuid", "parent_id", "name", "colour", "position"))
    children: dict[int | None, list] = {}
    for row in rows:
        children.setdefault(row[2], []).append(row)
    ordered: dict[int, CodeRef] = {}

    def visit(parent_id, prefix):
        for pk, uuid, _parent, name, colour, _position in sorted(
            children.get(parent_id, []), key=lambda row: (row[5], row[3])
        ):
            path = f"{prefix} › {name}" if prefix else name
            ordered[pk] = CodeRef(pk, str(uuid), name, path, colour)
            visit(pk, path)

    visit(None, "")
    return ordered


class CodeStatus:
    MEASURED = "measured"
    NOT_USED = "not_used"
    TOO_FEW_CODERS = "too_few_coders"
    NO_UNITS = "no_units"


@dataclass(frozen=True)
class CoderKappa:
    coders: tuple[Coder, Coder]
    kappa: float | None
    note: str | None


@dataclass(frozen=True)
class CoderCount:
    coder: Coder
    units: int


@dataclass(frozen=True)
class CodeAgreement:
    code: CodeRef
    status: str
    note: str | None
    units_coded: tuple[CoderCount, ...]
    kappas: tuple[CoderKappa, ...] = ()
    alpha: float | None = None
    alpha_note: str | None = None
    agreed_units: int = 0
    percent_agreement: float | None = None


@dataclass(frozen=True)
class TranscriptAgreement:
    transcript: Transcript
    coders: tuple[Coder, ...]
    unit_count: int
    codes: tuple[CodeAgreement, ...]
    mean_alpha: float | None
    alpha_codes: int  # how many codes the mean is taken over
    summary_note: str | None
    codebook: dict[int, CodeRef]
    coding: CodingUnits

    @property
    def pairs(self) -> tuple[tuple[Coder, Coder], ...]:
        return tuple(combinations(self.coders, 2))


def agreement_for_transcript(transcript: Transcript) -> TranscriptAgreement:
    """κ per pair of coders, α, percent agreement and counts for each code; three queries."""
    coding = coding_units(transcript)
    codebook = codebook_in_order()
    code_index = {code: index for index, code in enumerate(coding.code_ids)}
    unit_count = len(coding.units)
    enough_coders = len(coding.coders) >= 2
    too_few = _(
        "Agreement needs at least two evaluators who coded this transcript (so far: %(count)s)."
    ) % {"count": len(coding.coders)}
    no_units = _("The transcript has no speaker turns to compare.")
    rows = []
    for code in codebook.values():
        index = code_index.get(code.id)
        if index is None:
            counts = tuple(CoderCount(coder, 0) for coder in coding.coders)
            rows.append(CodeAgreement(code, CodeStatus.NOT_USED, NOT_USED, counts))
            continue
        table = coding.coded[:, index, :]
        counts = tuple(
            CoderCount(coder, int(units))
            for coder, units in zip(coding.coders, table.sum(axis=1), strict=True)
        )
        if not enough_coders:
            rows.append(CodeAgreement(code, CodeStatus.TOO_FEW_CODERS, too_few, counts))
        elif not unit_count:
            rows.append(CodeAgreement(code, CodeStatus.NO_UNITS, no_units, counts))
        else:
            rows.append(_measured(code, counts, coding.coders, ratings_agreement(table)))

    alphas = [row.alpha for row in rows if row.alpha is not None]
    if alphas:
        summary_note = None
    elif not enough_coders:
        summary_note = too_few
    elif not unit_count:
        summary_note = no_units
    elif not code_index:
        summary_note = _("No evaluator has given a code on this transcript yet.")
    else:
        summary_note = _(
            "No code has a defined α: every code used was given to every turn by every "
            "evaluator (no variation)."
        )
    return TranscriptAgreement(
        transcript=transcript,
        coders=coding.coders,
        unit_count=unit_count,
        codes=tuple(rows),
        mean_alpha=fmean(alphas) if alphas else None,
        alpha_codes=len(alphas),
        summary_note=summary_note,
        codebook=codebook,
        coding=coding,
    )


def _measured(code, counts, coders, result: RatingsAgreement) -> CodeAgreement:
    return CodeAgreement(
        code=code,
        status=CodeStatus.MEASURED,
        note=None,
        units_coded=counts,
        kappas=tuple(
            CoderKappa((coders[pair.first], coders[pair.second]), pair.kappa, pair.note)
            for pair in result.kappas
        ),
        alpha=result.alpha,
        alpha_note=result.alpha_note,
        agreed_units=result.agreed_units,
        percent_agreement=result.percent_agreement,
    )


def spans_already_agreed(agreed: list[CodedExcerpt] | tuple[CodedExcerpt, ...]) -> dict:
    """For each span of the agreed coding, the codes already agreed on it."""
    codes_by_span: dict[tuple[int, int], set[int]] = {}
    for excerpt in agreed:
        codes_by_span.setdefault(excerpt.span, set()).update(excerpt.code_ids)
    return codes_by_span


def is_in_agreed_coding(span, code_ids, codes_by_span: dict) -> bool:
    """A coder's excerpt is in the agreed coding when its span already carries all its codes."""
    return span in codes_by_span and set(code_ids) <= codes_by_span[span]


@dataclass(frozen=True)
class CodeMark:
    code: CodeRef
    differs: bool


@dataclass(frozen=True)
class ExcerptOnUnit:
    excerpt: CodedExcerpt
    codes: tuple[CodeRef, ...]
    in_agreed_coding: bool


@dataclass(frozen=True)
class CoderOnUnit:
    coder: Coder
    codes: tuple[CodeMark, ...]
    excerpts: tuple[ExcerptOnUnit, ...]


@dataclass(frozen=True)
class DisagreedUnit:
    unit: Unit
    words: str
    differing_codes: tuple[CodeRef, ...]
    coders: tuple[CoderOnUnit, ...]


@dataclass(frozen=True)
class AgreedExcerpt:
    excerpt: CodedExcerpt
    codes: tuple[CodeRef, ...]


@dataclass(frozen=True)
class AgreementReview:
    """The turns where the coders differ, and the agreed coding recorded so far."""

    units: tuple[DisagreedUnit, ...]
    agreed: tuple[AgreedExcerpt, ...]
    unanimous: int  # turn × code pairs on which every coder gave the code


def agreement_review(agreement: TranscriptAgreement) -> AgreementReview:
    coding, codebook = agreement.coding, agreement.codebook
    text = agreement.transcript.text
    order = {code: position for position, code in enumerate(codebook)}
    refs_of: dict[tuple[int, ...], tuple[CodeRef, ...]] = {}

    def refs(code_ids):
        # Many turns and excerpts carry the same few codes: each set is put in order once.
        key = tuple(code_ids)
        if key not in refs_of:
            refs_of[key] = tuple(codebook[code] for code in sorted(key, key=order.__getitem__))
        return refs_of[key]

    codes_by_span = spans_already_agreed(coding.agreed)
    agreed = tuple(AgreedExcerpt(excerpt, refs(excerpt.code_ids)) for excerpt in coding.agreed)
    if len(coding.coders) < 2:
        return AgreementReview((), agreed, 0)

    coded = coding.coded
    differs = coded.any(axis=0) & ~coded.all(axis=0)  # codes × units
    coder_index = {coder: index for index, coder in enumerate(coding.coders)}
    differing_units = np.flatnonzero(differs.any(axis=0))
    wanted = set(differing_units.tolist())
    # excerpts_on[unit][coder]: the coder's excerpts overlapping the turn, in the excerpts' order
    excerpts_on: dict[int, list[list[ExcerptOnUnit]]] = {}
    for excerpt in coding.excerpts:
        placed = None
        for unit in excerpt.units.tolist():
            if unit not in wanted:
                continue
            if placed is None:
                in_agreed = is_in_agreed_coding(excerpt.span, excerpt.code_ids, codes_by_span)
                placed = ExcerptOnUnit(excerpt, refs(excerpt.code_ids), in_agreed)
            if unit not in excerpts_on:
                excerpts_on[unit] = [[] for _coder in coding.coders]
            excerpts_on[unit][coder_index[excerpt.coder]].append(placed)

    no_excerpts = [[] for _coder in coding.coders]
    code_ids = coding.code_ids
    units = []
    for unit_index in differing_units.tolist():
        unit = coding.units[unit_index]
        differing = [code_ids[k] for k in np.flatnonzero(differs[:, unit_index]).tolist()]
        on_unit = excerpts_on.get(unit_index, no_excerpts)
        coders = []
        for index, coder in enumerate(coding.coders):
            given = [code_ids[k] for k in np.flatnonzero(coded[index, :, unit_index]).tolist()]
            coders.append(
                CoderOnUnit(
                    coder,
                    tuple(CodeMark(code, code.id in differing) for code in refs(given)),
                    tuple(on_unit[index]),
                )
            )
        units.append(
            DisagreedUnit(unit, text[unit.start : unit.end], refs(differing), tuple(coders))
        )
    return AgreementReview(tuple(units), agreed, int(coded.all(axis=0).sum()))
