"""Subject access: everything the evaluation holds about one participant, ready for JSON."""

from datetime import timedelta

from django.db.models import Prefetch, Q
from django.utils import timezone

from evaluation.models import (
    Excerpt,
    ExcerptCapability,
    ExcerptMechanism,
    Participant,
    ParticipantIdentity,
    Utterance,
)
from evaluation.selectors.sessions import identity_shown
from evaluation.services.codebook import code_paths

WITHHELD = "…"


def participant_utterances(participant: Participant):
    """Their turns in every transcript version: those tied to them, and those of their course
    still labelled with their pseudonym but tied to no one (spoken before they were recorded).

    What is exported about them and what erasing them masks."""
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


def _their_part(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> str:
    """The excerpt's characters inside their turns; every other stretch (another speaker's words,
    a speaker label) becomes one WITHHELD mark, so no one else's words leave in their export."""
    parts = []
    at = start
    for span_start, span_end in sorted(spans):
        inside_from, inside_to = max(start, span_start), min(end, span_end)
        if inside_from >= inside_to:
            continue
        parts.append(_gap(text[at:inside_from]))
        parts.append(text[inside_from:inside_to])
        at = inside_to
    parts.append(_gap(text[at:end]))
    return "".join(parts)


def _gap(between: str) -> str:
    return WITHHELD if between and not between.isspace() else between


def _identity_for_export(record: ParticipantIdentity | None) -> dict | None:
    shown = identity_shown(record)
    if shown is None:
        return None
    if shown.problem:
        return {"unreadable": shown.problem}
    return {"name": shown.name, "email": shown.email}


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
    attributed to them or touching their words, with how they were coded, each quoting only
    their words (others' are withheld). The identity (real
    name and email) is included only when asked for: callers pass whether the requesting user
    may see identities.
    """
    course = participant.course
    utterances = list(
        participant_utterances(participant)
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
                "quote": _their_part(
                    excerpt.transcript.text,
                    excerpt.start,
                    excerpt.end,
                    spans.get(excerpt.transcript_id, []),
                ),
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
        data["identity"] = _identity_for_export(
            ParticipantIdentity.objects.filter(participant=participant).first()
        )
    return data
