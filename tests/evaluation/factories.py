"""Factories for the evaluation app: logic models, focus groups, consent, transcripts, coding."""

import datetime

import factory

from evaluation.models import (
    Code,
    Coding,
    Consent,
    ConsentScope,
    Excerpt,
    FocusGroup,
    LogicModel,
    LogicModelItem,
    Mechanism,
    Participant,
    Phase,
    Transcript,
    Utterance,
)
from tests.factories import CourseFactory, UserFactory

ALL_SCOPES = [scope.value for scope in ConsentScope]


class LogicModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LogicModel

    title = factory.Sequence(lambda n: f"Logic model {n}")


class LogicModelItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LogicModelItem

    logic_model = factory.SubFactory(LogicModelFactory)
    component = LogicModelItem.Component.ACTIVITIES
    text = factory.Sequence(lambda n: f"Activity {n}")
    position = factory.Sequence(lambda n: n)


class MechanismFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mechanism

    logic_model = factory.SubFactory(LogicModelFactory)
    name = factory.Sequence(lambda n: f"Mechanism {n}")
    assumption = "Students learn more when they meet peers from other countries."
    position = factory.Sequence(lambda n: n)


class FocusGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FocusGroup

    course = factory.SubFactory(CourseFactory)
    title = factory.Sequence(lambda n: f"Session {n}")
    phase = Phase.SUMMATIVE
    held_on = datetime.date(2026, 6, 1)
    mode = FocusGroup.Mode.ONLINE_BREAKOUT
    facilitator = "T01"
    audience = FocusGroup.Audience.STUDENTS
    language = "en"
    retention_until = datetime.date(2031, 6, 1)


class ParticipantFactory(factory.django.DjangoModelFactory):
    """A student of the course; with `consented=True` (the default) they allow every scope."""

    class Meta:
        model = Participant
        skip_postgeneration_save = True

    course = factory.SubFactory(CourseFactory)
    pseudonym = factory.Sequence(lambda n: f"S{n + 1:02d}")
    role = Participant.Role.STUDENT
    country = "Norway"
    cohort = "2026"

    @factory.post_generation
    def consented(self, create, extracted, **kwargs):
        if create and extracted is not False:
            ConsentFactory(participant=self)


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    participant = factory.SubFactory(ParticipantFactory, consented=False)
    text_version = "v1"
    scopes = factory.LazyFunction(lambda: list(ALL_SCOPES))
    given_on = datetime.date(2026, 5, 20)


class TranscriptFactory(factory.django.DjangoModelFactory):
    """A transcript; give `turns=[(participant or label, words), …]` to get its utterances."""

    class Meta:
        model = Transcript
        skip_postgeneration_save = True

    focus_group = factory.SubFactory(FocusGroupFactory)
    text = "Facilitator: Welcome."
    source_format = Transcript.SourceFormat.PASTED

    @classmethod
    def _create(cls, model_class, *args, turns=None, **kwargs):
        if turns:
            kwargs["text"], spans = _text_of(turns)
        transcript = super()._create(model_class, *args, **kwargs)
        if turns:
            Utterance.objects.bulk_create(
                Utterance(
                    transcript=transcript,
                    participant=speaker if isinstance(speaker, Participant) else None,
                    speaker=str(speaker),
                    position=position,
                    start=start,
                    end=end,
                )
                for position, (speaker, start, end) in enumerate(spans)
            )
        return transcript


def _text_of(turns):
    """The text "S01: words" (a line per turn), and each turn's (speaker, start, end) of words."""
    text, spans = "", []
    for speaker, words in turns:
        text += f"{speaker}: "
        spans.append((speaker, len(text), len(text) + len(words)))
        text += words + "\n"
    return text, spans


def _speaker_at(transcript, offset):
    utterance = (
        transcript.utterances.filter(start__lte=offset, end__gt=offset)
        .select_related("participant")
        .first()
    )
    return utterance.participant if utterance else None


class CodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Code

    name = factory.Sequence(lambda n: f"Code {n}")
    definition = "Talk about working across countries."


class ExcerptFactory(factory.django.DjangoModelFactory):
    """An excerpt of the transcript's first utterance (or its first 10 characters)."""

    class Meta:
        model = Excerpt

    transcript = factory.SubFactory(TranscriptFactory)
    start = factory.LazyAttribute(
        lambda o: o.transcript.utterances.values_list("start", flat=True).first() or 0
    )
    end = factory.LazyAttribute(
        lambda o: o.transcript.utterances.values_list("end", flat=True).first() or 10
    )
    quote = factory.LazyAttribute(lambda o: o.transcript.text[o.start : o.end])
    participant = factory.LazyAttribute(lambda o: _speaker_at(o.transcript, o.start))
    coder = factory.SubFactory(UserFactory)


class CodingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Coding

    excerpt = factory.SubFactory(ExcerptFactory)
    code = factory.SubFactory(CodeFactory)
