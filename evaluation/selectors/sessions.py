"""Reads of focus groups, participants and transcripts for pages and the API.

Each costs the same number of queries whatever the number of rows.
"""

from dataclasses import dataclass

from django.db.models import Count, Exists, F, Func, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.shortcuts import get_object_or_404

from evaluation import identity
from evaluation.models import (
    Consent,
    ConsentScope,
    Excerpt,
    FocusGroup,
    Participant,
    ParticipantIdentity,
    Transcript,
    Utterance,
)
from evaluation.selectors.coding import visible_excerpts
from evaluation.services.transcripts import TranscriptRevision


def consents_newest_first() -> Prefetch:
    """Prefetch a participant's consents, the one in force first, as `consents_newest_first`."""
    return Prefetch(
        "consents",
        queryset=Consent.objects.select_related("recorded_by").order_by("-given_on", "-pk"),
        to_attr="consents_newest_first",
    )


def scope_labels(scopes) -> list[str]:
    return [str(ConsentScope(scope).label) for scope in ConsentScope.values if scope in scopes]


def labelled(consent: Consent) -> Consent:
    """The consent with its scopes named for people: given, in force and withdrawn."""
    consent.given_labels = scope_labels(consent.scopes)
    consent.in_force_labels = scope_labels(consent.scopes_in_force)
    consent.withdrawn_labels = scope_labels(consent.withdrawn_scopes)
    return consent


def consent_in_force_of(participant: Participant) -> Consent | None:
    """The latest consent, from participants read with consents_newest_first()."""
    consents = participant.consents_newest_first
    return labelled(consents[0]) if consents else None


def _current(field: str) -> Subquery:
    return Subquery(
        Transcript.objects.filter(focus_group=OuterRef("pk"), is_current=True).values(field)[:1]
    )


def focus_groups_for_list(*, course=None, phase: str = ""):
    """Focus groups with their course, how many took part, and their current transcript."""
    focus_groups = FocusGroup.objects.select_related("course").annotate(
        participant_count=Count("participants", distinct=True),
        current_version=_current("version"),
        current_transcript_uuid=_current("uuid"),
        current_is_coded=Exists(
            Excerpt.objects.filter(
                transcript__focus_group=OuterRef("pk"), transcript__is_current=True
            )
        ),
    )
    if course is not None:
        focus_groups = focus_groups.filter(course=course)
    if phase:
        focus_groups = focus_groups.filter(phase=phase)
    # Meta.ordering does not apply to a query with aggregates.
    return focus_groups.order_by("-held_on", "title", "pk")


def _rows_of_transcript(rows) -> Subquery:
    """How many of `rows` belong to the outer transcript, as a correlated subquery.

    COUNT as a plain function, not an aggregate, so that neither query is grouped: it counts
    each transcript's rows on their own instead of joining its excerpts with its turns.
    """
    return Subquery(
        rows.filter(transcript=OuterRef("pk"))
        .order_by()
        .annotate(count=Func(F("pk"), function="COUNT"))
        .values("count"),
        output_field=IntegerField(),
    )


def transcripts_with_counts():
    """Transcripts with their number of turns, of excerpts counted in reports, and whether
    anyone has coded them.

    `excerpt_count` leaves out a blind coder's excerpts (not in the analysis), so that nobody
    learns from it how far another coder of an independently coded transcript has got; on such a
    transcript it is the agreed coding.
    """
    return Transcript.objects.select_related("created_by").annotate(
        utterance_count=_rows_of_transcript(Utterance.objects.all()),
        excerpt_count=_rows_of_transcript(Excerpt.objects.filter(in_analysis=True)),
        is_coded=Exists(Excerpt.objects.filter(transcript=OuterRef("pk"))),
    )


@dataclass
class FocusGroupPage:
    focus_group: FocusGroup
    participants: list[Participant]
    transcripts: list[Transcript]

    @property
    def current_transcript(self) -> Transcript | None:
        return next((item for item in self.transcripts if item.is_current), None)


def focus_group_page(focus_group_uuid) -> FocusGroupPage:
    focus_group = get_object_or_404(
        FocusGroup.objects.select_related("course", "created_by"), uuid=focus_group_uuid
    )
    participants = list(
        focus_group.participants.prefetch_related(consents_newest_first()).order_by("pseudonym")
    )
    for participant in participants:
        participant.consent_in_force = consent_in_force_of(participant)
    transcripts = list(
        transcripts_with_counts().filter(focus_group=focus_group).order_by("-version")
    )
    return FocusGroupPage(focus_group, participants, transcripts)


def participants_for_list(*, course=None, focus_group=None):
    participants = Participant.objects.select_related("course").prefetch_related(
        consents_newest_first(),
        Prefetch("focus_groups", queryset=FocusGroup.objects.order_by("held_on", "title")),
    )
    if course is not None:
        participants = participants.filter(course=course)
    if focus_group is not None:
        participants = participants.filter(focus_groups=focus_group)
    return participants.order_by("course__code", "course_id", "pseudonym")


def with_consent_in_force(participants) -> list[Participant]:
    participants = list(participants)
    for participant in participants:
        participant.consent_in_force = consent_in_force_of(participant)
    return participants


@dataclass
class IdentityShown:
    """What the identity key holds for a participant, readable or the reason it is not."""

    name: str = ""
    email: str = ""
    problem: str = ""


def identity_shown(record: ParticipantIdentity | None) -> IdentityShown | None:
    if record is None:
        return None
    try:
        return IdentityShown(
            name=identity.decrypt(record.encrypted_name),
            email=identity.decrypt(record.encrypted_email) if record.encrypted_email else "",
        )
    except identity.IdentityKeyError as error:
        return IdentityShown(problem=str(error))


@dataclass
class ParticipantPage:
    participant: Participant
    consents: list[Consent]
    transcript_count: int

    @property
    def consent_in_force(self) -> Consent | None:
        return self.consents[0] if self.consents else None


def participant_page(participant_uuid) -> ParticipantPage:
    participant = get_object_or_404(
        Participant.objects.select_related("course")
        .prefetch_related(
            consents_newest_first(),
            Prefetch("focus_groups", queryset=FocusGroup.objects.order_by("held_on", "title")),
        )
        .annotate(
            transcript_count=Count(
                "utterances__transcript",
                filter=Q(utterances__transcript__is_current=True),
                distinct=True,
            )
        ),
        uuid=participant_uuid,
    )
    consents = [labelled(consent) for consent in participant.consents_newest_first]
    return ParticipantPage(participant, consents, participant.transcript_count)


@dataclass
class Turn:
    utterance: Utterance
    words: str

    @property
    def clock(self) -> str:
        """The time in the recording as h:mm:ss, or "" when the source had none."""
        if self.utterance.spoken_at is None:
            return ""
        seconds = int(self.utterance.spoken_at.total_seconds())
        return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


@dataclass
class TranscriptPage:
    transcript: Transcript
    turns: list[Turn]
    versions: list[Transcript]
    left_on_previous: list[Excerpt]


def transcript_page(transcript_uuid, viewer) -> TranscriptPage:
    """A version with its turns, every version of its focus group, and the excerpts that stayed
    on the version before it when it was made (their passage changed), as far as the viewer may
    see them (a blind coder sees their own)."""
    transcript = get_object_or_404(
        Transcript.objects.select_related("focus_group__course", "created_by", "previous"),
        uuid=transcript_uuid,
    )
    utterances = transcript.utterances.select_related("participant").order_by("position")
    turns = [Turn(item, transcript.text[item.start : item.end]) for item in utterances]
    versions = list(
        transcripts_with_counts().filter(focus_group=transcript.focus_group_id).order_by("-version")
    )
    left_on_previous = (
        list(
            visible_excerpts(viewer, Excerpt.objects.filter(transcript=transcript.previous_id))
            .select_related("participant")
            .order_by("start", "end", "pk")
        )
        if transcript.previous_id
        else []
    )
    return TranscriptPage(transcript, turns, versions, left_on_previous)


def revision_seen_by(revision: TranscriptRevision, user) -> TranscriptRevision:
    """The revision's report without the excerpts a blind coder may not see yet, so that its
    lists, counts and summary tell them nothing of another coder's work."""
    ids = [excerpt.pk for excerpt in revision.carried] + [
        item.excerpt.pk for item in revision.not_carried
    ]
    visible = set(
        visible_excerpts(user, Excerpt.objects.filter(pk__in=ids)).values_list("pk", flat=True)
    )
    return TranscriptRevision(
        transcript=revision.transcript,
        carried=[excerpt for excerpt in revision.carried if excerpt.pk in visible],
        not_carried=[item for item in revision.not_carried if item.excerpt.pk in visible],
    )
