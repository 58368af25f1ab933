"""Comparing independent coding and recording the agreed coding of a transcript.

Until an evaluator chooses to compare, they see only their own coding of an independently coded
transcript. Comparing is open to those who coded it; after that they can copy coders' excerpts
into the agreed coding, which is what reports count. Each service locks the transcript's row, so
that two evaluators accepting the same excerpt at once cannot both pass the duplicate check, and
refuses a version that a newer one has replaced, as coding does.
"""

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from eisen.errors import Conflict
from evaluation.agreement import coding_units, is_in_agreed_coding, spans_already_agreed
from evaluation.models import (
    Coding,
    CodingComparison,
    Excerpt,
    ExcerptCapability,
    ExcerptMechanism,
    Transcript,
)
from evaluation.selectors.coding import has_compared
from evaluation.services.coding import require_current_version


def _require_independent(transcript: Transcript) -> None:
    if not transcript.independent_coding:
        raise Conflict(
            _(
                "%(transcript)s is not coded independently: every evaluator already sees all of "
                "its coding and it counts as it stands, so there is nothing to compare or agree."
            )
            % {"transcript": transcript}
        )


def _locked(transcript: Transcript) -> Transcript:
    locked = (
        Transcript.objects.select_for_update().select_related("focus_group").get(pk=transcript.pk)
    )
    _require_independent(locked)
    require_current_version(locked)
    return locked


def has_coded(transcript: Transcript, user) -> bool:
    return Excerpt.objects.filter(transcript=transcript, coder=user, is_agreed=False).exists()


def require_comparison(transcript: Transcript, user) -> None:
    """Refuse (409) to show or change the others' coding to a user who has not compared."""
    _require_independent(transcript)
    if not has_compared(transcript, user):
        raise Conflict(
            _(
                "Compare your coding of %(transcript)s with the other evaluators' first: until "
                "then you see only your own coding, and only evaluators who coded it and chose "
                "to compare see the others' coding and record the agreed coding."
            )
            % {"transcript": transcript}
        )


@transaction.atomic
def comparison_start(*, transcript: Transcript, coder) -> CodingComparison:
    """The coder stops coding blind and sees the others' coding; asking again changes nothing."""
    transcript = _locked(transcript)
    existing = CodingComparison.objects.filter(transcript=transcript, coder=coder).first()
    if existing is not None:
        return existing
    if not has_coded(transcript, coder):
        raise Conflict(
            _(
                "Code %(transcript)s yourself before comparing: the others' coding is shown only "
                "to evaluators who coded it blind, so that their own coding stays independent."
            )
            % {"transcript": transcript}
        )
    comparison = CodingComparison(transcript=transcript, coder=coder)
    comparison.full_clean()
    comparison.save()
    return comparison


def _agreed_codes_by_span(transcript: Transcript) -> dict[tuple[int, int], set[int]]:
    codes_by_span: dict[tuple[int, int], set[int]] = {}
    for start, end, code_id in Excerpt.objects.filter(
        transcript=transcript, is_agreed=True
    ).values_list("start", "end", "codings__code_id"):
        codes = codes_by_span.setdefault((start, end), set())
        if code_id is not None:
            codes.add(code_id)
    return codes_by_span


def _agreed_copies(sources: list[tuple[Excerpt, list[int]]], *, by) -> list[Excerpt]:
    """Copy each excerpt with the given codes, and all its links, into the agreed coding."""
    copies = []
    for source, _codes in sources:
        copy = Excerpt(
            transcript_id=source.transcript_id,
            start=source.start,
            end=source.end,
            quote=source.quote,
            participant_id=source.participant_id,
            coder=by,
            in_analysis=True,
            is_agreed=True,
            valence=source.valence,
            is_exemplar=source.is_exemplar,
            memo=source.memo,
        )
        copy.full_clean()
        copies.append(copy)
    copies = Excerpt.objects.bulk_create(copies)
    pairs = list(zip(sources, copies, strict=True))
    Coding.objects.bulk_create(
        Coding(excerpt=copy, code_id=code) for (_source, codes), copy in pairs for code in codes
    )
    ExcerptMechanism.objects.bulk_create(
        ExcerptMechanism(excerpt=copy, mechanism_id=link.mechanism_id, stance=link.stance)
        for (source, _codes), copy in pairs
        for link in source.mechanism_links.all()
    )
    ExcerptCapability.objects.bulk_create(
        ExcerptCapability(excerpt=copy, capability_id=link.capability_id, stance=link.stance)
        for (source, _codes), copy in pairs
        for link in source.capability_links.all()
    )
    return copies


def _with_links(excerpts):
    return excerpts.prefetch_related("codings", "mechanism_links", "capability_links")


@transaction.atomic
def agreed_excerpt_accept(*, excerpt: Excerpt, by) -> Excerpt:
    """Copy a coder's excerpt, with its codes, links, valence, flag and memo, as agreed coding."""
    transcript = _locked(excerpt.transcript)
    require_comparison(transcript, by)
    source = _with_links(Excerpt.objects.filter(pk=excerpt.pk)).get()
    if source.is_agreed:
        raise ValidationError(
            {"excerpt": _("This excerpt is already part of the agreed coding; accept a coder's.")}
        )
    if source.coder_id is None:
        raise ValidationError(
            {"excerpt": _("This excerpt has no coder any more, so it cannot be accepted.")}
        )
    codes = sorted(coding.code_id for coding in source.codings.all())
    if is_in_agreed_coding((source.start, source.end), codes, _agreed_codes_by_span(transcript)):
        raise ValidationError(
            {
                "excerpt": _(
                    "Characters %(start)s to %(end)s are already in the agreed coding with these "
                    "codes; remove that entry first if it should change."
                )
                % {"start": source.start, "end": source.end}
            }
        )
    return _agreed_copies([(source, codes)], by=by)[0]


@transaction.atomic
def agreed_units_accept_all(*, transcript: Transcript, by) -> list[Excerpt]:
    """Accept every code that all coders gave to a turn, taking the first coder's excerpts.

    The first coder (by username) stands for all: each of their excerpts on such a turn is copied
    once, with only the codes every coder gave there, and without codes already agreed on the
    same span. Returns the new agreed excerpts.
    """
    transcript = _locked(transcript)
    require_comparison(transcript, by)
    coding = coding_units(transcript)
    if len(coding.coders) < 2:
        raise Conflict(
            _(
                "Only one evaluator has coded %(transcript)s: there is no agreement between "
                "coders to accept yet."
            )
            % {"transcript": transcript}
        )
    unanimous = coding.coded.all(axis=0)  # codes by turns
    code_index = {code: index for index, code in enumerate(coding.code_ids)}
    codes_by_span = spans_already_agreed(coding.agreed)
    chosen: dict[int, list[int]] = {}
    for excerpt in coding.excerpts:
        if excerpt.coder != coding.coders[0]:
            continue
        taken = codes_by_span.get(excerpt.span, set())
        codes = [
            code
            for code in excerpt.code_ids
            if code not in taken and np.any(unanimous[code_index[code], excerpt.units])
        ]
        if codes:
            chosen[excerpt.id] = codes
    sources = _with_links(Excerpt.objects.filter(pk__in=chosen)).order_by("start", "end", "pk")
    return _agreed_copies([(source, chosen[source.pk]) for source in sources], by=by)


@transaction.atomic
def agreed_excerpt_remove(*, excerpt: Excerpt, by) -> None:
    """Take an excerpt out of the agreed coding; the coders' own excerpts stay as they are."""
    transcript = _locked(excerpt.transcript)
    require_comparison(transcript, by)
    excerpt = Excerpt.objects.filter(pk=excerpt.pk, transcript=transcript).first()
    if excerpt is None or not excerpt.is_agreed:
        raise ValidationError(
            {
                "excerpt": _(
                    "Only an excerpt of the agreed coding of %(transcript)s can be removed from "
                    "it; an evaluator's own excerpts are changed on the coding page."
                )
                % {"transcript": transcript}
            }
        )
    citing = [str(assessment) for assessment in excerpt.cited_in.all()] + [
        str(action.finding)[:60] for action in excerpt.formative_actions.all()
    ]
    if citing:
        raise Conflict(
            _(
                "This agreed excerpt is cited as evidence in: %(citing)s. Remove it there first, "
                "so that no verdict or finding loses its evidence without notice."
            )
            % {"citing": "; ".join(citing)}
        )
    excerpt.delete()
