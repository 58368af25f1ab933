"""Data protection: erasing a participant, exporting what is held about one, purging transcripts
past their retention date, and telling the course catalogue what the evaluation holds of a course.
"""

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from eisen.errors import Conflict
from evaluation.identity import IdentityKeyError, decrypt
from evaluation.models import (
    Consent,
    ErasureRecord,
    Excerpt,
    ExcerptCapability,
    ExcerptMechanism,
    FocusGroup,
    FormativeAction,
    MechanismAssessment,
    Participant,
    ParticipantIdentity,
    Transcript,
    Utterance,
)
from evaluation.services.codebook import code_paths

ERASED_WORDS = "[erased]"
ERASED_SPEAKER = "erased"
ERASED_LABEL_CHARACTER = "X"


def _erased_words(length: int) -> str:
    """As long as the words it replaces, so every other offset in the transcript stays valid."""
    return ERASED_WORDS[:length].ljust(length)


def _whole_word(word: str) -> re.Pattern:
    return re.compile(rf"(?<!\w){re.escape(word)}(?!\w)")


def _their_utterances(participant: Participant):
    """Their turns in every transcript version: those tied to them, and those of their course
    still labelled with their pseudonym but tied to no one (spoken before they were recorded)."""
    return Utterance.objects.filter(
        Q(participant=participant)
        | Q(
            participant__isnull=True,
            speaker=participant.pseudonym,
            transcript__focus_group__course_id=participant.course_id,
        )
    )


def _overlaps(start: int, end: int, spans) -> bool:
    return any(start < span_end and span_start < end for span_start, span_end in spans)


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


def _erasure_plan(participant: Participant, *, lock: bool) -> ErasurePlan:
    theirs = list(
        _their_utterances(participant)
        .order_by()
        .only("pk", "transcript_id", "speaker", "start", "end")
    )
    transcript_ids = {u.transcript_id for u in theirs} | set(
        Excerpt.objects.filter(participant=participant)
        .order_by()
        .values_list("transcript_id", flat=True)
    )
    transcripts = Transcript.objects.filter(pk__in=transcript_ids).order_by("pk")
    if lock:
        transcripts = transcripts.select_for_update()
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
            text[start:end] = _erased_words(end - start)
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
    return _erasure_plan(participant, lock=False)


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
    # The lock makes a second erasure of the same participant wait, then find nothing to erase.
    participant = Participant.objects.select_for_update().filter(pk=participant.pk).first()
    if participant is None:
        raise Conflict(_("This participant has already been erased."))
    plan = _erasure_plan(participant, lock=True)
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
    course_id = participant.course_id
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


# Subject access


def _clock(moment: timedelta | None) -> str | None:
    if moment is None:
        return None
    milliseconds = round(moment.total_seconds() * 1000)
    hours, rest = divmod(milliseconds, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def participant_data_export(*, participant: Participant, include_identity: bool) -> dict:
    """Everything held about a participant, ready for JSON, in a fixed number of queries.

    Their words are every turn of theirs in every transcript version; their excerpts are those
    attributed to them or touching their words, with how they were coded. The identity (real
    name and email) is included only when asked for: callers pass whether the requesting user
    may see identities.
    """
    course = participant.course
    utterances = list(
        _their_utterances(participant)
        .select_related("transcript__focus_group")
        .order_by("transcript__focus_group__held_on", "transcript__version", "position")
    )
    spans: dict[int, list[tuple[int, int]]] = {}
    for utterance in utterances:
        spans.setdefault(utterance.transcript_id, []).append((utterance.start, utterance.end))
    excerpt_ids = [
        pk
        for pk, transcript_id, start, end, speaker_id in Excerpt.objects.filter(
            Q(transcript_id__in=spans) | Q(participant=participant)
        )
        .order_by()
        .values_list("pk", "transcript_id", "start", "end", "participant_id")
        if speaker_id == participant.pk or _overlaps(start, end, spans.get(transcript_id, ()))
    ]
    excerpts = list(
        Excerpt.objects.filter(pk__in=excerpt_ids)
        .select_related("transcript__focus_group")
        .prefetch_related(
            "codings",
            Prefetch(
                "mechanism_links", queryset=ExcerptMechanism.objects.select_related("mechanism")
            ),
            Prefetch(
                "capability_links",
                queryset=ExcerptCapability.objects.select_related("capability"),
            ),
        )
        .order_by("transcript__focus_group__held_on", "transcript__version", "start", "pk")
    )
    paths = code_paths() if excerpts else {}
    data = {
        "exported_at": timezone.now().isoformat(),
        "participant": {
            "id": str(participant.uuid),
            "pseudonym": participant.pseudonym,
            "role": participant.role,
            "country": participant.country,
            "cohort": participant.cohort,
            "course": {"id": str(course.uuid), "code": course.code, "title": course.title},
        },
        "focus_groups": [
            {
                "id": str(group.uuid),
                "session": group.title,
                "phase": group.phase,
                "held_on": group.held_on.isoformat(),
                "mode": group.mode,
                "audience": group.audience,
                "language": group.language,
                "transcripts_kept_until": group.retention_until.isoformat(),
            }
            for group in participant.focus_groups.order_by("held_on", "title")
        ],
        "consents": [
            {
                "text_version": consent.text_version,
                "scopes": list(consent.scopes),
                "given_on": consent.given_on.isoformat(),
                "recorded_at": consent.recorded_at.isoformat(),
                "withdrawn_on": consent.withdrawn_on.isoformat() if consent.withdrawn_on else None,
                "withdrawn_scopes": list(consent.withdrawn_scopes),
            }
            for consent in participant.consents.order_by("given_on", "pk")
        ],
        "utterances": [
            {
                "transcript": str(utterance.transcript.uuid),
                "session": utterance.transcript.focus_group.title,
                "version": utterance.transcript.version,
                "current_version": utterance.transcript.is_current,
                "speaker": utterance.speaker,
                "spoken_at": _clock(utterance.spoken_at),
                "words": utterance.transcript.text[utterance.start : utterance.end],
            }
            for utterance in utterances
        ],
        "excerpts": [
            {
                "id": str(excerpt.uuid),
                "transcript": str(excerpt.transcript.uuid),
                "session": excerpt.transcript.focus_group.title,
                "version": excerpt.transcript.version,
                "quote": excerpt.quote,
                "codes": sorted(paths[coding.code_id] for coding in excerpt.codings.all()),
                "mechanisms": [
                    {"mechanism": link.mechanism.name, "stance": link.stance}
                    for link in excerpt.mechanism_links.all()
                ],
                "capabilities": [
                    {
                        "code": link.capability.code,
                        "capability": link.capability.title,
                        "stance": link.stance,
                    }
                    for link in excerpt.capability_links.all()
                ],
                "valence": excerpt.valence,
                "exemplar": excerpt.is_exemplar,
                "memo": excerpt.memo,
                "counted_in_reports": excerpt.in_analysis,
            }
            for excerpt in excerpts
        ],
    }
    if include_identity:
        identity = ParticipantIdentity.objects.filter(participant=participant).first()
        data["identity"] = _identity_readable(identity) if identity else None
    return data


def _identity_readable(identity: ParticipantIdentity) -> dict:
    try:
        return {
            "name": decrypt(identity.encrypted_name),
            "email": decrypt(identity.encrypted_email) if identity.encrypted_email else "",
        }
    except IdentityKeyError as unreadable:
        return {"unreadable": str(unreadable)}


# Retention


@dataclass(frozen=True)
class ExpiredTranscripts:
    """What purging one focus group's transcripts deletes: counts only, no personal data."""

    course_code: str
    session: str
    kept_until: date
    transcripts: int
    utterances: int
    excerpts: int
    cited_excerpts: int


def _count_per_focus_group(queryset, path: str) -> Coalesce:
    counted = (
        queryset.filter(**{path: OuterRef("pk")})
        .order_by()
        .values(path)
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


@transaction.atomic
def transcripts_purge_expired(*, today: date, dry_run: bool = False) -> list[ExpiredTranscripts]:
    """Delete every version of the transcripts of focus groups kept until before `today`.

    Their utterances and excerpts go with them, excerpts cited as evidence for a mechanism or
    behind a formative action included: the retention date is what participants were promised.
    Participants and their consent records stay: consent is the legal record of what was
    agreed, and outlives the data it covered. Running it again deletes nothing more.
    """
    cited = Exists(
        MechanismAssessment.evidence.through.objects.filter(excerpt_id=OuterRef("pk"))
    ) | Exists(FormativeAction.source_excerpts.through.objects.filter(excerpt_id=OuterRef("pk")))
    groups = (
        FocusGroup.objects.filter(
            Exists(Transcript.objects.filter(focus_group=OuterRef("pk"))),
            retention_until__lt=today,
        )
        .select_related("course")
        .annotate(
            transcript_count=_count_per_focus_group(Transcript.objects.all(), "focus_group"),
            utterance_count=_count_per_focus_group(
                Utterance.objects.all(), "transcript__focus_group"
            ),
            excerpt_count=_count_per_focus_group(Excerpt.objects.all(), "transcript__focus_group"),
            cited_count=_count_per_focus_group(
                Excerpt.objects.filter(cited), "transcript__focus_group"
            ),
        )
        .order_by("retention_until", "course__code", "title")
    )
    if not dry_run:
        # Two purges started together take the focus groups in turn, not both at once.
        groups = groups.select_for_update(of=("self",))
    groups = list(groups)
    expired = [
        ExpiredTranscripts(
            course_code=group.course.code,
            session=group.title,
            kept_until=group.retention_until,
            transcripts=group.transcript_count,
            utterances=group.utterance_count,
            excerpts=group.excerpt_count,
            cited_excerpts=group.cited_count,
        )
        for group in groups
    ]
    if not dry_run and expired:
        Transcript.objects.filter(focus_group__in=[g.pk for g in groups]).delete()
    return expired


# Course deletion


def _listed(parts: list[str]) -> str:
    if len(parts) == 1:
        return parts[0]
    return _("%(first)s and %(last)s") % {"first": ", ".join(parts[:-1]), "last": parts[-1]}


def course_evaluation_usages(course) -> list[str]:
    """What the evaluation holds of a course, for the catalogue's refusal to delete it."""
    focus_groups = FocusGroup.objects.filter(course=course).count()
    participants = Participant.objects.filter(course=course).count()
    actions = FormativeAction.objects.filter(course=course).count()
    parts = []
    if focus_groups:
        parts.append(
            ngettext("%(count)d focus group", "%(count)d focus groups", focus_groups)
            % {"count": focus_groups}
        )
    if participants:
        parts.append(
            ngettext("%(count)d participant", "%(count)d participants", participants)
            % {"count": participants}
        )
    if actions:
        parts.append(
            ngettext("%(count)d formative action", "%(count)d formative actions", actions)
            % {"count": actions}
        )
    if not parts:
        return []
    return [_("%(things)s in the evaluation") % {"things": _listed(parts)}]
