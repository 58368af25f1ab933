"""Transcripts: importing one (names replaced before anything is stored) and revising it.

A version is never changed once coded: a revision is the next version, re-read into turns, and
the excerpts whose passage is unchanged move to it (same rows, so their codings and links go
with them); the others stay on the version they were coded on and are reported.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from eisen.errors import Conflict
from evaluation.models import (
    CodingComparison,
    Excerpt,
    FocusGroup,
    Participant,
    Transcript,
    Utterance,
)
from evaluation.transcripts.carry_over import PositionMap
from evaluation.transcripts.decoding import decoded
from evaluation.transcripts.names import parse_replacements
from evaluation.transcripts.parsing import (
    FACILITATOR_LABELS,
    Turn,
    build_text,
    parse_text,
    parse_vtt,
)


@dataclass
class NotCarried:
    """An excerpt left on the version it was coded on, and why."""

    excerpt: Excerpt
    reason: str


@dataclass
class TranscriptRevision:
    transcript: Transcript
    carried: list[Excerpt] = field(default_factory=list)
    not_carried: list[NotCarried] = field(default_factory=list)

    def summary(self) -> str:
        """E.g. “3 excerpts carried over; 1 stayed on version 1 because its words changed.”"""
        carried = ngettext(
            "%(count)d excerpt carried over", "%(count)d excerpts carried over", len(self.carried)
        ) % {"count": len(self.carried)}
        if not self.not_carried:
            return carried + "."
        stayed = ngettext(
            "%(count)d stayed on version %(previous)d because its words changed",
            "%(count)d stayed on version %(previous)d because their words changed",
            len(self.not_carried),
        ) % {"count": len(self.not_carried), "previous": self.transcript.previous.version}
        return _("%(carried)s; %(stayed)s.") % {"carried": carried, "stayed": stayed}


def _resolve_speakers(focus_group: FocusGroup, turns: list[Turn]) -> dict[int, Participant]:
    """Who speaks each participant's turn, keyed by id(turn); their labels become the pseudonyms
    as the course spells them.

    Refused with every label that is neither a participant of the course nor a facilitator.
    """
    course = focus_group.course
    participants = {
        participant.pseudonym.casefold(): participant
        for participant in Participant.objects.filter(course=course)
    }
    speakers, unknown = {}, {}
    for turn in turns:
        key = turn.label.casefold()
        if key in participants:
            speakers[id(turn)] = participants[key]
            turn.label = participants[key].pseudonym
        elif key not in FACILITATOR_LABELS and key not in unknown:
            unknown[key] = turn
    if unknown:
        raise ValidationError(
            {
                "content": [
                    _(
                        "Line %(line)d: speaker “%(label)s” is neither a participant of "
                        "%(course)s nor a facilitator; add the participant or list the name "
                        "under names to replace."
                    )
                    % {"line": turn.line, "label": turn.label, "course": course.code}
                    for turn in unknown.values()
                ]
            }
        )
    return speakers


def _save_version(
    *,
    focus_group: FocusGroup,
    previous: Transcript | None,
    turns: list[Turn],
    speakers: dict[int, Participant],
    source_format: str,
    source_name: str,
    independent_coding: bool,
    created_by,
) -> Transcript:
    text, spans = build_text(turns)
    if previous is not None:
        previous.is_current = False
        previous.save(update_fields=["is_current"])
    last = focus_group.transcripts.aggregate(last=Max("version"))["last"] or 0
    transcript = Transcript(
        focus_group=focus_group,
        version=last + 1,
        previous=previous,
        is_current=True,
        text=text,
        source_format=source_format,
        source_name=source_name[: Transcript._meta.get_field("source_name").max_length],
        independent_coding=independent_coding,
        created_by=created_by,
    )
    transcript.full_clean()
    transcript.save()
    Utterance.objects.bulk_create(
        Utterance(
            transcript=transcript,
            participant=speakers.get(id(span.turn)),
            speaker=span.turn.label[: Utterance._meta.get_field("speaker").max_length],
            position=position,
            start=span.start,
            end=span.end,
            spoken_at=span.turn.spoken_at,
        )
        for position, span in enumerate(spans)
    )
    focus_group.participants.add(*set(speakers.values()))
    return transcript


@transaction.atomic
def transcript_import(
    *,
    focus_group: FocusGroup,
    content: bytes | str,
    source_format: str,
    source_name: str = "",
    replacements: str = "",
    created_by,
    independent_coding: bool = False,
) -> Transcript:
    """Read an uploaded or pasted transcript into speaker turns and store it.

    The listed names are replaced in the text, the speaker labels and the file name before
    anything is read further or stored. A focus group whose transcript is not coded yet gets
    the next version; a coded one is revised instead, so that its coding is carried over.
    """
    if source_format not in Transcript.SourceFormat.values:
        raise ValidationError(
            {"source_format": _("Unknown source format “%(value)s”.") % {"value": source_format}}
        )
    names = parse_replacements(replacements)
    text = names.apply(decoded(content))
    source_name = names.apply(source_name.strip())
    turns = parse_vtt(text) if source_format == Transcript.SourceFormat.VTT else parse_text(text)
    focus_group = (
        FocusGroup.objects.select_for_update().select_related("course").get(pk=focus_group.pk)
    )
    speakers = _resolve_speakers(focus_group, turns)
    # excerpt_create locks the transcript it codes and requires it to be current. Locking the
    # current version before asking whether it is coded stops an excerpt from being committed
    # onto it after the check, when this import then replaces it as if it were uncoded: either
    # the excerpt commits first and the import is refused, or the excerpt finds it replaced.
    current = focus_group.transcripts.select_for_update().filter(is_current=True).first()
    if current is not None and current.excerpts.exists():
        raise Conflict(
            _(
                "“%(title)s” already has a coded transcript (version %(version)d). Revise it "
                "instead, so that its coding is carried over to the new text."
            )
            % {"title": focus_group.title, "version": current.version}
        )
    return _save_version(
        focus_group=focus_group,
        previous=current,
        turns=turns,
        speakers=speakers,
        source_format=source_format,
        source_name=source_name,
        independent_coding=independent_coding,
        created_by=created_by,
    )


@transaction.atomic
def transcript_revise(*, transcript: Transcript, text: str, revised_by) -> TranscriptRevision:
    """Save an edited text as the next version and carry the unchanged excerpts over to it."""
    focus_group = (
        FocusGroup.objects.select_for_update()
        .select_related("course")
        .get(pk=transcript.focus_group_id)
    )
    # Locked like in transcript_import, so that no excerpt is committed onto the old version
    # after its excerpts are read for carrying over (it would stay behind, unreported).
    old = Transcript.objects.select_for_update().get(pk=transcript.pk)
    if not old.is_current:
        current = focus_group.transcripts.filter(is_current=True).first()
        raise Conflict(
            _(
                "Version %(version)d is no longer the current one: someone saved version "
                "%(current)d meanwhile. Open the current version and make the change there."
            )
            % {"version": old.version, "current": current.version}
        )
    try:
        turns = parse_text(decoded(text))
        speakers = _resolve_speakers(focus_group, turns)
    except ValidationError as error:
        raise ValidationError({"text": error.messages}) from None
    if build_text(turns)[0] == old.text:
        raise ValidationError({"text": _("The text is unchanged; there is nothing to save.")})
    new = _save_version(
        focus_group=focus_group,
        previous=old,
        turns=turns,
        speakers=speakers,
        source_format=Transcript.SourceFormat.PASTED,
        source_name="",
        independent_coding=old.independent_coding,
        created_by=revised_by,
    )
    positions = PositionMap(old.text, new.text)
    _carry_times(old, new, positions)
    revision = _carry_excerpts(old, new, positions)
    CodingComparison.objects.bulk_create(
        CodingComparison(transcript=new, coder_id=coder_id)
        for coder_id in old.comparisons.values_list("coder_id", flat=True)
    )
    return revision


def _carry_times(old: Transcript, new: Transcript, positions: PositionMap) -> None:
    """A turn that begins where an unchanged turn began keeps that turn's recording time."""
    time_at = {}
    for utterance in old.utterances.exclude(spoken_at=None):
        moved = positions.moved(utterance.start, utterance.start + 1)
        if moved:
            time_at[(moved[0], utterance.speaker)] = utterance.spoken_at
    timed = []
    for utterance in new.utterances.filter(spoken_at=None):
        spoken_at = time_at.get((utterance.start, utterance.speaker))
        if spoken_at is not None:
            utterance.spoken_at = spoken_at
            timed.append(utterance)
    Utterance.objects.bulk_update(timed, ["spoken_at"])


def _carry_excerpts(old: Transcript, new: Transcript, positions: PositionMap) -> TranscriptRevision:
    revision = TranscriptRevision(transcript=new)
    for excerpt in old.excerpts.select_related("participant").order_by("start", "end", "pk"):
        moved = positions.moved(excerpt.start, excerpt.end)
        if moved is None:
            revision.not_carried.append(NotCarried(excerpt=excerpt, reason=_("text changed")))
            continue
        excerpt.transcript = new
        excerpt.start, excerpt.end = moved
        excerpt.revision += 1
        revision.carried.append(excerpt)
    Excerpt.objects.bulk_update(revision.carried, ["transcript", "start", "end", "revision"])
    return revision


@transaction.atomic
def transcript_set_independent_coding(
    *, transcript: Transcript, independent_coding: bool
) -> Transcript:
    """Switch blind coding by several evaluators on or off, only before anyone has coded."""
    transcript = Transcript.objects.select_for_update().get(pk=transcript.pk)
    if transcript.independent_coding == independent_coding:
        return transcript
    if transcript.excerpts.exists():
        raise Conflict(
            _(
                "Version %(version)d is already coded; whether it is coded independently by "
                "several evaluators can only change before the first excerpt."
            )
            % {"version": transcript.version}
        )
    transcript.independent_coding = independent_coding
    transcript.save(update_fields=["independent_coding"])
    return transcript
