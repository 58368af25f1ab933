"""Coding a transcript: excerpts of its text, with codes, mechanisms and capabilities linked.

Only the current version of a transcript is coded, and only while everyone who speaks in it
allows taking part and transcription. On a transcript coded independently each evaluator codes
blind: their excerpts stay out of reports (the agreed coding counts instead) and nobody changes
another's excerpts.
"""

from collections import Counter

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from competencies.models import Capability
from courses.models import capability_framework_error
from eisen.errors import Conflict
from eisen.rows import locked_for_edit
from evaluation.consent import missing_consents_for_coding
from evaluation.models import (
    Code,
    Coding,
    Excerpt,
    ExcerptCapability,
    ExcerptMechanism,
    Mechanism,
    Participant,
    Stance,
    Transcript,
    Valence,
)
from evaluation.selectors.coding import has_compared
from evaluation.services.codebook import code_paths

EXCERPT_CHANGES = {
    "start",
    "end",
    "codes",
    "mechanisms",
    "capabilities",
    "valence",
    "is_exemplar",
    "memo",
}


def _transcript_for_coding(transcript_pk: int) -> Transcript:
    # Locked so that a new version cannot be made from it while an excerpt is being saved.
    return (
        Transcript.objects.select_for_update(of=("self",))
        .select_related("focus_group__course__framework")
        .get(pk=transcript_pk)
    )


def require_current_version(transcript: Transcript) -> None:
    """Refuse (409) to change the coding, blind or agreed, of a version that has been replaced."""
    if not transcript.is_current:
        raise Conflict(
            _(
                "Version %(version)s of the transcript of “%(session)s” has been replaced by a "
                "newer version; code the current version."
            )
            % {"version": transcript.version, "session": transcript.focus_group.title}
        )


def _require_consent(transcript: Transcript) -> None:
    speakers = Participant.objects.filter(utterances__transcript=transcript).distinct()
    missing = missing_consents_for_coding(speakers)
    if missing:
        raise ValidationError(
            [
                _(
                    "The transcript of “%(session)s” cannot be coded until everyone who speaks "
                    "in it has consented to take part and to transcription; record their "
                    "consent first."
                )
                % {"session": transcript.focus_group.title},
                *missing,
            ]
        )


def _require_own(excerpt: Excerpt, transcript: Transcript, editor) -> None:
    """On a blind transcript an evaluator changes their own excerpts only (and, once they have
    compared, the agreed coding)."""
    if not transcript.independent_coding or excerpt.coder_id == editor.pk:
        return
    if excerpt.is_agreed and has_compared(transcript, editor):
        return
    raise PermissionDenied(
        _(
            "The transcript of “%(session)s” is coded independently: only %(coder)s changes "
            "this excerpt. Compare the codings to record the agreed coding."
        )
        % {
            "session": transcript.focus_group.title,
            "coder": excerpt.coder.get_username() if excerpt.coder else _("its coder"),
        }
    )


def _span(transcript: Transcript, start: int, end: int) -> tuple[int, int, str]:
    """The range without the whitespace around it, and the words in it."""
    length = len(transcript.text)
    if start >= end and 0 <= start <= length:
        raise ValidationError(
            {
                "end": _(
                    "The excerpt from %(start)s to %(end)s is empty or reversed: its end must "
                    "come after its start."
                )
                % {"start": start, "end": end}
            }
        )
    if not 0 <= start < end <= length:
        raise ValidationError(
            {
                ("end" if 0 <= start < length else "start"): _(
                    "The excerpt from %(start)s to %(end)s falls outside the transcript, which has "
                    "%(length)s characters: start and end must lie between 0 and %(length)s."
                )
                % {"start": start, "end": end, "length": length}
            }
        )
    passage = transcript.text[start:end]
    words = passage.strip()
    if not words:
        raise ValidationError(
            {
                "end": _(
                    "The excerpt from %(start)s to %(end)s holds only spaces and line breaks; "
                    "select some words."
                )
                % {"start": start, "end": end}
            }
        )
    start += len(passage) - len(passage.lstrip())
    end -= len(passage) - len(passage.rstrip())
    return start, end, words


def _speaker_at(transcript: Transcript, offset: int) -> Participant | None:
    """The participant whose turn holds the offset (None for the facilitator or no one).

    An offset in a turn's speaker label ("S03: ") belongs to that turn.
    """
    turn = (
        transcript.utterances.filter(end__gt=offset)
        .select_related("participant")
        .order_by("start")
        .first()
    )
    if turn is None or (turn.start > offset and "\n" in transcript.text[offset : turn.start]):
        return None
    return turn.participant


def _check_stances(links: dict, field: str) -> None:
    for target, stance in links.items():
        if stance not in Stance.values:
            raise ValidationError(
                {
                    field: _(
                        "Say whether the excerpt supports, challenges or is mixed about "
                        "“%(target)s” (not “%(stance)s”)."
                    )
                    % {"target": target, "stance": stance}
                }
            )


def _check_capabilities(
    transcript: Transcript, capabilities: dict, *, already_linked: frozenset[int] = frozenset()
) -> None:
    """New links go to capabilities of the framework the course maps to. A link the excerpt
    already has is kept whatever its framework: after the course moves to a newer version, links
    to the old one stay as they were made."""
    course = transcript.focus_group.course
    new = [capability.pk for capability in capabilities if capability.pk not in already_linked]
    loaded = Capability.objects.select_related("framework").in_bulk(new)
    for pk in new:
        problem = capability_framework_error(course, loaded[pk])
        if problem:
            raise ValidationError({"capabilities": problem})
    _check_stances(capabilities, "capabilities")


def _check_valence(valence: str) -> None:
    if valence not in Valence.values:
        raise ValidationError(
            {
                "valence": _("Valence is positive, negative, mixed or neutral, not “%(valence)s”.")
                % {"valence": valence}
            }
        )


def _set_codes(excerpt: Excerpt, codes) -> None:
    wanted = {code.pk for code in codes}
    excerpt.codings.exclude(code_id__in=wanted).delete()
    present = set(excerpt.codings.values_list("code_id", flat=True))
    Coding.objects.bulk_create(
        Coding(excerpt=excerpt, code_id=pk) for pk in sorted(wanted - present)
    )


def _set_mechanisms(excerpt: Excerpt, mechanisms: dict[Mechanism, str]) -> None:
    excerpt.mechanism_links.all().delete()
    ExcerptMechanism.objects.bulk_create(
        ExcerptMechanism(excerpt=excerpt, mechanism=mechanism, stance=stance)
        for mechanism, stance in mechanisms.items()
    )


def _set_capabilities(excerpt: Excerpt, capabilities: dict[Capability, str]) -> None:
    excerpt.capability_links.all().delete()
    ExcerptCapability.objects.bulk_create(
        ExcerptCapability(excerpt=excerpt, capability=capability, stance=stance)
        for capability, stance in capabilities.items()
    )


@transaction.atomic
def excerpt_create(
    *,
    transcript: Transcript,
    start: int,
    end: int,
    coder,
    codes=(),
    mechanisms: dict[Mechanism, str] | None = None,
    capabilities: dict[Capability, str] | None = None,
    valence: str = Valence.NEUTRAL,
    is_exemplar: bool = False,
    memo: str = "",
) -> Excerpt:
    transcript = _transcript_for_coding(transcript.pk)
    require_current_version(transcript)
    _require_consent(transcript)
    start, end, quote = _span(transcript, start, end)
    mechanisms = dict(mechanisms or {})
    capabilities = dict(capabilities or {})
    _check_stances(mechanisms, "mechanisms")
    _check_capabilities(transcript, capabilities)
    _check_valence(valence)
    excerpt = Excerpt(
        transcript=transcript,
        start=start,
        end=end,
        quote=quote,
        participant=_speaker_at(transcript, start),
        coder=coder,
        in_analysis=not transcript.independent_coding,
        valence=valence,
        is_exemplar=is_exemplar,
        memo=memo.strip(),
    )
    excerpt.full_clean()
    excerpt.save()
    _set_codes(excerpt, codes)
    _set_mechanisms(excerpt, mechanisms)
    _set_capabilities(excerpt, capabilities)
    return excerpt


def _locked_with_transcript(
    excerpt: Excerpt, expected_revision: int | None
) -> tuple[Excerpt, Transcript]:
    """The excerpt and its transcript, both locked: the transcript first, then the excerpt.

    transcript_revise and participant_erase lock the transcript's row before they update its
    excerpts. Locking the excerpt before the transcript here would let each side hold the row
    the other waits for: a deadlock, which PostgreSQL ends by failing one of them. An excerpt
    carried to a newer version in between is still refused: its revision has changed, and the
    transcript locked is no longer current.
    """
    transcript_id = Excerpt.objects.values_list("transcript_id", flat=True).get(pk=excerpt.pk)
    transcript = _transcript_for_coding(transcript_id)
    return locked_for_edit(Excerpt, excerpt, expected_revision), transcript


@transaction.atomic
def excerpt_update(*, excerpt: Excerpt, editor, expected_revision: int | None, **changes):
    """Change an excerpt's range, codes, links (each given replaces the old), valence, flag or
    memo. A new range takes its quote and speaker afresh."""
    unknown = set(changes) - EXCERPT_CHANGES
    if unknown:
        raise ValueError(f"Cannot change {', '.join(sorted(unknown))} here.")
    excerpt, transcript = _locked_with_transcript(excerpt, expected_revision)
    require_current_version(transcript)
    _require_own(excerpt, transcript, editor)
    _require_consent(transcript)
    if "start" in changes or "end" in changes:
        start = changes.get("start", excerpt.start)
        end = changes.get("end", excerpt.end)
        excerpt.start, excerpt.end, excerpt.quote = _span(transcript, start, end)
        excerpt.participant = _speaker_at(transcript, excerpt.start)
    mechanisms = changes.get("mechanisms")
    capabilities = changes.get("capabilities")
    if mechanisms is not None:
        _check_stances(mechanisms, "mechanisms")
    if capabilities is not None:
        linked = excerpt.capability_links.values_list("capability_id", flat=True)
        _check_capabilities(transcript, capabilities, already_linked=frozenset(linked))
    if "valence" in changes:
        _check_valence(changes["valence"])
        excerpt.valence = changes["valence"]
    if "is_exemplar" in changes:
        excerpt.is_exemplar = changes["is_exemplar"]
    if "memo" in changes:
        excerpt.memo = changes["memo"].strip()
    excerpt.full_clean()
    excerpt.revision += 1
    excerpt.save()
    if changes.get("codes") is not None:
        _set_codes(excerpt, changes["codes"])
    if mechanisms is not None:
        _set_mechanisms(excerpt, mechanisms)
    if capabilities is not None:
        _set_capabilities(excerpt, capabilities)
    return excerpt


def _citations(excerpt: Excerpt) -> list[str]:
    lines = [
        _("the %(phase)s assessment of “%(mechanism)s”")
        % {"phase": assessment.get_phase_display().lower(), "mechanism": assessment.mechanism}
        for assessment in excerpt.cited_in.select_related("mechanism").order_by("pk")
    ]
    lines += [
        _("the formative action “%(finding)s”") % {"finding": action.finding[:60]}
        for action in excerpt.formative_actions.order_by("pk")
    ]
    return lines


@transaction.atomic
def excerpt_delete(*, excerpt: Excerpt, editor, expected_revision: int | None) -> None:
    """Delete an excerpt that no assessment or formative action cites as evidence."""
    excerpt, transcript = _locked_with_transcript(excerpt, expected_revision)
    require_current_version(transcript)
    _require_own(excerpt, transcript, editor)
    citations = _citations(excerpt)
    if citations:
        raise Conflict(
            _("This excerpt is cited as evidence in %(citations)s; take it out there first.")
            % {"citations": "; ".join(citations)}
        )
    excerpt.delete()


def capability_excerpt_usages(capabilities: list[Capability]) -> dict[int, list[str]]:
    """The excerpts and codes that cite each capability, for the framework editor's refusal to
    delete one (three queries whatever the number)."""
    usages: dict[int, list[str]] = {}
    excerpt_rows = (
        ExcerptCapability.objects.filter(capability__in=capabilities)
        .order_by()
        .values_list(
            "capability_id",
            "excerpt__participant__pseudonym",
            "excerpt__transcript__focus_group__title",
            "excerpt__transcript__focus_group__course__code",
        )
    )
    counted = Counter(excerpt_rows)
    for (capability_id, pseudonym, session, course), count in sorted(
        counted.items(), key=lambda item: (item[0][3], item[0][2], item[0][1] or "")
    ):
        values = {"count": count, "pseudonym": pseudonym, "session": session, "course": course}
        if pseudonym:
            line = ngettext(
                "excerpt of %(pseudonym)s in “%(session)s” (%(course)s)",
                "%(count)s excerpts of %(pseudonym)s in “%(session)s” (%(course)s)",
                count,
            )
        else:
            line = ngettext(
                "excerpt in “%(session)s” (%(course)s)",
                "%(count)s excerpts in “%(session)s” (%(course)s)",
                count,
            )
        usages.setdefault(capability_id, []).append(line % values)
    code_rows = list(
        Code.capabilities.through.objects.filter(capability__in=capabilities).values_list(
            "capability_id", "code_id"
        )
    )
    if code_rows:
        paths = code_paths()
        for capability_id, code_id in sorted(code_rows, key=lambda row: paths[row[1]]):
            usages.setdefault(capability_id, []).append(
                _("code “%(code)s”") % {"code": paths[code_id]}
            )
    return usages
