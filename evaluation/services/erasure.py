"""Erasing a participant: their words masked in every transcript version, the excerpts of only
their words removed, the rest anonymised, and a record of counts left behind."""

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from eisen.errors import Conflict
from evaluation.models import (
    Consent,
    ErasureRecord,
    Excerpt,
    FocusGroup,
    Participant,
    ParticipantIdentity,
    Transcript,
    Utterance,
)
from evaluation.services.subject_access import participant_utterances
from evaluation.transcripts.masks import same_length_mask

ERASED_WORDS = "[erased]"
ERASED_SPEAKER = "erased"
ERASED_LABEL_CHARACTER = "X"


def _whole_word(word: str) -> re.Pattern:
    return re.compile(rf"(?<!\w){re.escape(word)}(?!\w)")


@dataclass
class ErasurePlan:
    """What erasing a participant changes, worked out before anything is written."""

    utterance_ids: list[int] = field(default_factory=list)
    masked_transcripts: list[Transcript] = field(default_factory=list)
    removed_excerpt_ids: list[int] = field(default_factory=list)
    anonymised_excerpts: list[Excerpt] = field(default_factory=list)
    consents: int = 0
    has_identity: bool = False


def _x_out(match: re.Match) -> str:
    return ERASED_LABEL_CHARACTER * len(match[0])


def _erasure_plan(participant: Participant) -> ErasurePlan:
    theirs = list(
        participant_utterances(participant)
        .order_by()
        .only("pk", "transcript_id", "speaker", "start", "end")
    )
    transcript_ids = {u.transcript_id for u in theirs} | set(
        Excerpt.objects.filter(participant=participant)
        .order_by()
        .values_list("transcript_id", flat=True)
    )
    transcripts = Transcript.objects.filter(pk__in=transcript_ids).order_by("pk")
    turn_ends: dict[int, list[int]] = {}
    for transcript_id, end in (
        Utterance.objects.filter(transcript_id__in=transcript_ids)
        .order_by()
        .values_list("transcript_id", "end")
    ):
        turn_ends.setdefault(transcript_id, []).append(end)
    excerpts_of: dict[int, list[Excerpt]] = {}
    for excerpt in (
        Excerpt.objects.filter(transcript_id__in=transcript_ids)
        .order_by()
        .only("pk", "transcript_id", "start", "end", "quote", "participant_id", "memo", "revision")
    ):
        excerpts_of.setdefault(excerpt.transcript_id, []).append(excerpt)
    utterances_of: dict[int, list[Utterance]] = {}
    for utterance in theirs:
        utterances_of.setdefault(utterance.transcript_id, []).append(utterance)

    pseudonym = _whole_word(participant.pseudonym)
    plan = ErasurePlan(utterance_ids=[u.pk for u in theirs])
    for transcript in transcripts:
        original = transcript.text
        text = list(original)
        # A flag per character: masked (their words and labels), and in their turns (the
        # same plus what leads into them, such as the ": " after a label).
        masked_here = bytearray(len(original))
        in_their_turns = bytearray(len(original))
        ends = sorted(turn_ends.get(transcript.pk, []))
        for utterance in utterances_of.get(transcript.pk, []):
            start, end = utterance.start, utterance.end
            text[start:end] = same_length_mask(ERASED_WORDS, end - start)
            masked_here[start:end] = b"\x01" * (end - start)
            # The speaker's label ("S03: ", "[S03]", "<v S03>") sits between the end of the
            # turn before and the start of these words.
            before = bisect_right(ends, start)
            label_from = ends[before - 1] if before else 0
            in_their_turns[label_from:end] = b"\x01" * (end - label_from)
            for found in _whole_word(utterance.speaker).finditer(original, label_from, start):
                text[found.start() : found.end()] = _x_out(found)
                masked_here[found.start() : found.end()] = b"\x01" * len(found[0])
        # Others naming them ("as S03 said") would point at whoever is given the pseudonym next.
        masked = pseudonym.sub(_x_out, "".join(text))
        if masked != original:
            transcript.text = masked
            plan.masked_transcripts.append(transcript)
        for excerpt in excerpts_of.get(transcript.pk, []):
            start, end = excerpt.start, excerpt.end
            passage = original[start:end]
            if all(
                in_their_turns[offset] or character.isspace()
                for offset, character in enumerate(passage, start)
            ):
                plan.removed_excerpt_ids.append(excerpt.pk)
                continue
            memo = pseudonym.sub(_x_out, excerpt.memo)
            touches_them = excerpt.participant_id == participant.pk or any(masked_here[start:end])
            if touches_them or masked[start:end] != passage or memo != excerpt.memo:
                if touches_them:
                    excerpt.participant = None
                excerpt.quote = masked[start:end]
                excerpt.memo = memo
                excerpt.revision += 1
                plan.anonymised_excerpts.append(excerpt)
    plan.consents = Consent.objects.filter(participant=participant).count()
    plan.has_identity = ParticipantIdentity.objects.filter(participant=participant).exists()
    return plan


def erasure_confirmation_error(*, typed: str, pseudonym: str) -> str | None:
    """Why what was typed to confirm an erasure does not allow it, or None when it matches."""
    if typed.strip() == pseudonym:
        return None
    return _("Type the pseudonym %(pseudonym)s exactly as shown to confirm the erasure.") % {
        "pseudonym": pseudonym
    }


def participant_erasure_preview(*, participant: Participant) -> ErasurePlan:
    """What erasing the participant would change, for the confirmation page (fixed queries)."""
    return _erasure_plan(participant)


@transaction.atomic
def participant_erase(*, participant: Participant, erased_by) -> ErasureRecord:
    """Remove a participant's words and every link to them, keeping others' coding usable.

    In every version of every transcript their words are overwritten in place by a mask of the
    same length, and their speaker labels and mentions of their pseudonym by X's, so that the
    offsets of everyone else's turns and excerpts stay valid. This is the one change ever made
    to a coded transcript: it keeps its version number, because what it records was said is
    unchanged for everyone else. Excerpts of nothing but their words go (with their codings,
    links, and citations as evidence or behind a formative action); excerpts that also hold
    others' words stay, with the quote read again from the masked text and no participant.
    Their consent records, identity and the participant row go last.

    The ErasureRecord keeps counts only: a pseudonym, a name or a single word of theirs in the
    audit log would keep the very trace the erasure removes, and the pseudonym together with
    the course would point back at them in any copy of the data made before the erasure.
    Evaluators' own writing outside excerpts (reflections, findings, notes) is theirs and is
    not rewritten.
    """
    # Rows are locked in the order transcript_import, transcript_revise and excerpt_create take
    # them (focus group, transcript, then participant), so none of them deadlocks with an erasure.
    #
    # The course's focus groups: transcript_import, transcript_revise and the retention purge
    # lock the focus group first, so until the erasure commits no version can be made that
    # copies their words past the plan, or takes over excerpts the plan is rewriting. NO KEY
    # UPDATE, because participant_update locks the participant and then adds it to groups (a
    # foreign key check takes KEY SHARE on the group): a plain FOR UPDATE here would deadlock
    # with it.
    course_id = participant.course_id
    list(
        FocusGroup.objects.select_for_update(no_key=True)
        .filter(course_id=course_id)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    # The course's transcripts, before their turns and excerpts are read: excerpt_create and
    # excerpt_update lock the transcript, so no excerpt can take a quote of their words after the
    # plan has read the excerpts to rewrite.
    list(
        Transcript.objects.select_for_update(of=("self",))
        .filter(focus_group__course_id=course_id)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    # A second erasure of the same participant waits above, then finds nothing to erase here.
    participant = Participant.objects.select_for_update().filter(pk=participant.pk).first()
    if participant is None:
        raise Conflict(_("This participant has already been erased."))
    plan = _erasure_plan(participant)
    # Erasure is the one change allowed to a coded transcript, made in place: versions keep
    # their numbers. The masked values keep every length, so they are written in bulk.
    Transcript.objects.bulk_update(plan.masked_transcripts, ["text"])
    Utterance.objects.filter(pk__in=plan.utterance_ids).update(
        participant=None, speaker=ERASED_SPEAKER
    )
    # Codings, mechanism and capability links, and the rows citing the excerpts as evidence or
    # behind a formative action are deleted with them.
    Excerpt.objects.filter(pk__in=plan.removed_excerpt_ids).delete()
    Excerpt.objects.bulk_update(
        plan.anonymised_excerpts, ["participant", "quote", "memo", "revision"]
    )
    consents_deleted, _rows = Consent.objects.filter(participant=participant).delete()
    ParticipantIdentity.objects.filter(participant=participant).delete()
    participant.delete()
    record = ErasureRecord(
        erased_by=erased_by,
        course_id=course_id,
        utterances_redacted=len(plan.utterance_ids),
        excerpts_removed=len(plan.removed_excerpt_ids),
        excerpts_anonymised=len(plan.anonymised_excerpts),
        consents_deleted=consents_deleted,
    )
    record.full_clean()
    record.save()
    return record
