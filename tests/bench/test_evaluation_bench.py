"""How the coding page, the mechanism report and inter-coder agreement scale.

`make bench` runs this. A focus-group transcript of 20,000 words in 1,000 turns, with 2,000
excerpts and 5,000 codings (and a small one of a tenth of that, to show the query counts do not
grow); and an independently coded transcript of 2,000 turns coded by two evaluators, for κ and α.
Targets:
- coding page: /evaluation/transcripts/<uuid>/code/ through the test client;
- mechanism report: /evaluation/reports/mechanisms/ through the test client;
- agreement: κ per pair and α per code over every unit of the double-coded transcript.
It prints median times and query counts and asserts only what is deterministic: statuses, what
the pages hold and query counts that do not grow. Times never fail it.
"""

import random
import time
from dataclasses import dataclass

import pytest
from django.db import connection
from django.urls import reverse

from eisen.roles import Role
from evaluation.agreement import agreement_for_transcript
from evaluation.models import (
    Code,
    Coding,
    Consent,
    ConsentScope,
    Excerpt,
    ExcerptMechanism,
    FocusGroup,
    LogicModel,
    Mechanism,
    Participant,
    Transcript,
    Utterance,
)
from evaluation.services.agreement import comparison_start
from tests.bench.timing import median_ms_in_turns, query_count
from tests.factories import CourseFactory, UserFactory

pytestmark = pytest.mark.django_db

WORDS_PER_TURN = 20
PARTICIPANTS = 30
CODES = 40
MECHANISMS = 4
WARM_UPS = 2
RUNS = 7
VOCABULARY = (
    "implementation stakeholders breakout rooms helped us share practice across countries the "
    "course platform felt slow but the international group kept me engaged with evidence "
    "co-production impact leadership networking reflection doctoral supervisors policy"
)


@dataclass(frozen=True)
class Size:
    words: int
    excerpts: int
    codings: int
    agreement_units: int

    @property
    def label(self) -> str:
        return f"{self.words} words"


SIZES = (Size(2_000, 200, 500, 200), Size(20_000, 2_000, 5_000, 2_000))


def build_transcript(size: Size, course, coder, codes, mechanisms, seed: int = 6) -> Transcript:
    """A transcript of the size's words, two excerpts per turn, codings spread over the codes."""
    generator = random.Random(seed)
    vocabulary = VOCABULARY.split()
    focus_group = FocusGroup.objects.create(
        course=course,
        title=f"Bench session {size.label}",
        phase="summative",
        held_on="2026-06-01",
        mode=FocusGroup.Mode.ONLINE_BREAKOUT,
        audience=FocusGroup.Audience.STUDENTS,
        language="en",
        retention_until="2031-06-01",
    )
    participants = list(Participant.objects.filter(course=course).order_by("pk"))
    turns = size.words // WORDS_PER_TURN
    text, spans = "", []
    for turn in range(turns):
        speaker = participants[turn % len(participants)]
        words = " ".join(generator.choice(vocabulary) for _ in range(WORDS_PER_TURN))
        text += f"{speaker.pseudonym}: "
        spans.append((speaker, len(text), len(text) + len(words), words))
        text += words + "\n"
    transcript = Transcript.objects.create(
        focus_group=focus_group, text=text, source_format=Transcript.SourceFormat.PASTED
    )
    Utterance.objects.bulk_create(
        Utterance(
            transcript=transcript,
            participant=speaker,
            speaker=speaker.pseudonym,
            position=position,
            start=start,
            end=end,
        )
        for position, (speaker, start, end, _) in enumerate(spans)
    )
    excerpts = []
    per_turn = size.excerpts // turns
    for speaker, start, end, words in spans:
        middle = start + words.index(" ", len(words) // 2)
        for part_start, part_end in ((start, middle), (middle + 1, end))[:per_turn]:
            excerpts.append(
                Excerpt(
                    transcript=transcript,
                    start=part_start,
                    end=part_end,
                    quote=text[part_start:part_end],
                    participant=speaker,
                    coder=coder,
                    valence=generator.choice(["positive", "negative", "mixed", "neutral"]),
                    is_exemplar=len(excerpts) % 50 == 0,
                )
            )
    excerpts = Excerpt.objects.bulk_create(excerpts)
    codings = []
    for number in range(size.codings):
        excerpt = excerpts[number % len(excerpts)]
        code = codes[(number // len(excerpts) * 7 + number) % len(codes)]
        codings.append(Coding(excerpt=excerpt, code=code))
    Coding.objects.bulk_create(codings, ignore_conflicts=True)
    ExcerptMechanism.objects.bulk_create(
        ExcerptMechanism(
            excerpt=excerpt,
            mechanism=mechanisms[number % len(mechanisms)],
            stance=generator.choice(["supports", "challenges", "mixed"]),
        )
        for number, excerpt in enumerate(excerpts)
        if number % 3 == 0
    )
    return transcript


def build_double_coded(size: Size, course, coders, codes, seed: int = 7) -> Transcript:
    """A transcript of `agreement_units` short turns, each coded by both coders, mostly alike."""
    generator = random.Random(seed)
    vocabulary = VOCABULARY.split()
    focus_group = FocusGroup.objects.create(
        course=course,
        title=f"Bench double coding {size.agreement_units}",
        phase="formative",
        held_on="2026-03-01",
        mode=FocusGroup.Mode.IN_PERSON,
        audience=FocusGroup.Audience.STUDENTS,
        language="en",
        retention_until="2031-03-01",
    )
    participants = list(Participant.objects.filter(course=course).order_by("pk"))
    text, spans = "", []
    for turn in range(size.agreement_units):
        speaker = participants[turn % len(participants)]
        words = " ".join(generator.choice(vocabulary) for _ in range(5))
        text += f"{speaker.pseudonym}: "
        spans.append((speaker, len(text), len(text) + len(words)))
        text += words + "\n"
    transcript = Transcript.objects.create(
        focus_group=focus_group,
        text=text,
        source_format=Transcript.SourceFormat.PASTED,
        independent_coding=True,
    )
    Utterance.objects.bulk_create(
        Utterance(
            transcript=transcript,
            participant=speaker,
            speaker=speaker.pseudonym,
            position=position,
            start=start,
            end=end,
        )
        for position, (speaker, start, end) in enumerate(spans)
    )
    few_codes = codes[:10]
    chosen = []
    for speaker, start, end in spans:
        first = generator.choice(few_codes)
        second = first if generator.random() < 0.7 else generator.choice(few_codes)
        for coder, code in zip(coders, (first, second), strict=True):
            chosen.append(
                (
                    Excerpt(
                        transcript=transcript,
                        start=start,
                        end=end,
                        quote=text[start:end],
                        participant=speaker,
                        coder=coder,
                        in_analysis=False,
                    ),
                    code,
                )
            )
    excerpts = Excerpt.objects.bulk_create(excerpt for excerpt, _ in chosen)
    Coding.objects.bulk_create(
        Coding(excerpt=excerpt, code=code)
        for excerpt, (_, code) in zip(excerpts, chosen, strict=True)
    )
    return transcript


def build_world(size: Size, coders):
    course = CourseFactory(code=f"BEN{size.words}")
    participants = Participant.objects.bulk_create(
        Participant(course=course, pseudonym=f"S{number + 1:02d}", role="student")
        for number in range(PARTICIPANTS)
    )
    Consent.objects.bulk_create(
        Consent(
            participant=participant,
            text_version="v1",
            scopes=[scope.value for scope in ConsentScope],
            given_on="2026-05-01",
        )
        for participant in participants
    )
    logic_model = LogicModel.objects.create(title=f"Bench logic model {size.label}")
    mechanisms = Mechanism.objects.bulk_create(
        Mechanism(
            logic_model=logic_model,
            name=f"Mechanism {number}",
            assumption="Students learn with peers from other countries.",
            position=number,
        )
        for number in range(MECHANISMS)
    )
    codes = Code.objects.bulk_create(
        Code(name=f"Bench {size.words} code {number:02d}", position=number)
        for number in range(CODES)
    )
    for number, code in enumerate(codes[:10]):
        code.mechanisms.add(mechanisms[number % MECHANISMS])
    transcript = build_transcript(size, course, coders[0], codes, mechanisms)
    double_coded = build_double_coded(size, course, coders, codes)
    return logic_model, transcript, double_coded


@dataclass(frozen=True)
class Measurement:
    target: str
    size: Size
    median_ms: float
    queries: int


TARGETS = ("coding page", "mechanism report", "agreement", "agreement page")


def measure(client, size: Size, logic_model, transcript, double_coded) -> list[Measurement]:
    coding_url = reverse("evaluation:coding", args=[transcript.uuid])
    report_url = reverse("evaluation:mechanism_report")
    agreement_url = reverse("evaluation:agreement", args=[double_coded.uuid])
    report_query = {"logic_model": str(logic_model.uuid)}

    def coding_page():
        return client.get(coding_url)

    def mechanism_report():
        return client.get(report_url, report_query)

    def agreement():
        return agreement_for_transcript(double_coded)

    def agreement_page():
        return client.get(agreement_url)

    actions = {
        "coding page": coding_page,
        "mechanism report": mechanism_report,
        "agreement": agreement,
        "agreement page": agreement_page,
    }
    check_answers(size, actions, transcript)
    medians = median_ms_in_turns(actions, runs=RUNS, warm_ups=WARM_UPS)
    return [
        Measurement(target, size, medians[target], query_count(action))
        for target, action in actions.items()
    ]


def check_answers(size: Size, actions, transcript) -> None:
    page = actions["coding page"]()
    assert page.status_code == 200
    assert page.content.decode().count(transcript.excerpts.first().quote) >= 1
    report = actions["mechanism report"]()
    assert report.status_code == 200
    assert report.content.decode().count("<svg") >= MECHANISMS
    agreement = actions["agreement"]()
    assert agreement.unit_count == size.agreement_units
    assert agreement.mean_alpha is not None
    assert actions["agreement page"]().status_code == 200


def test_coding_page_mechanism_report_and_agreement(client):
    coders = [
        UserFactory(username=f"bench-coder-{number}", roles=[Role.EVALUATOR]) for number in (1, 2)
    ]
    start = time.perf_counter()
    worlds = [(size, *build_world(size, coders)) for size in SIZES]
    build_seconds = time.perf_counter() - start
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
    client.force_login(coders[0])
    for _size, _logic_model, _transcript, double_coded in worlds:
        comparison_start(transcript=double_coded, coder=coders[0])
    measurements = []
    for size, logic_model, transcript, double_coded in worlds:
        measurements += measure(client, size, logic_model, transcript, double_coded)
    print_report(measurements, build_seconds)
    for target in TARGETS:
        counts = {m.queries for m in measurements if m.target == target}
        assert len(counts) == 1, f"{target} query count grows with the data: {counts}"


def print_report(measurements: list[Measurement], build_seconds: float) -> None:
    print()
    print(f"Database: {connection.vendor} ({connection.settings_dict['NAME']})")
    print(f"Transcripts built with bulk_create in {build_seconds:.1f} s")
    print(f"Median of {RUNS} runs after {WARM_UPS} warm-ups")
    print(
        f"{'target':<18}{'words':>7}{'excerpts':>9}{'codings':>8}{'units':>6}"
        f"{'median ms':>11}{'queries':>8}"
    )
    for m in sorted(measurements, key=lambda m: (TARGETS.index(m.target), m.size.words)):
        print(
            f"{m.target:<18}{m.size.words:>7}{m.size.excerpts:>9}{m.size.codings:>8}"
            f"{m.size.agreement_units:>6}{m.median_ms:>11.1f}{m.queries:>8}"
        )
    for target in TARGETS:
        counts = [m.queries for m in measurements if m.target == target]
        same = "meets" if len(set(counts)) == 1 else "misses"
        print(f"  {target}: same query count at every size: {same} ({', '.join(map(str, counts))})")
