"""The report pages: only evaluators and administrators see them; quotes obey consent; every text
is escaped; charts are well-formed SVG; a page costs the same queries at any data size."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluation.models import (
    ExcerptCapability,
    ExcerptMechanism,
    FormativeAction,
    MechanismAssessment,
    Phase,
    Valence,
)
from tests.evaluation.factories import (
    CodeFactory,
    CodingFactory,
    ConsentFactory,
    ExcerptFactory,
    FocusGroupFactory,
    LogicModelFactory,
    MechanismFactory,
    ParticipantFactory,
    TranscriptFactory,
)
from tests.factories import (
    CapabilityFactory,
    CourseFactory,
    LearningOutcomeFactory,
    OutcomeMappingFactory,
)

pytestmark = pytest.mark.django_db

QUOTABLE = "Meeting peers from Sweden changed how I plan studies."
NEVER_CONSENTED = "Secretly I thought the platform was dreadful."
WITHDRAWN = "My supervisor would recognise this sentence."
VALENCES = [Valence.POSITIVE, Valence.NEGATIVE, Valence.MIXED, Valence.NEUTRAL]


def said(transcript, words):
    """Where an excerpt of the turn in which `words` were said starts and ends."""
    utterance = next(
        u for u in transcript.utterances.all() if transcript.text[u.start : u.end] == words
    )
    return {"transcript": transcript, "start": utterance.start, "end": utterance.end}


def build_world():
    """A course with one focus group per phase, a mechanism and a capability with evidence, and
    three speakers: one who allows quotes, one never asked, one who withdrew that scope."""
    course = CourseFactory(code="IMP101")
    capability = CapabilityFactory(domain__framework=course.framework, code="K1")
    OutcomeMappingFactory(outcome=LearningOutcomeFactory(course=course), capability=capability)
    logic_model = LogicModelFactory(title="EISEN logic model")
    mechanism = MechanismFactory(
        logic_model=logic_model,
        name="International mix",
        reflection="Mixed groups worked once breakout rooms were small.",
    )
    MechanismAssessment.objects.create(
        mechanism=mechanism, phase=Phase.FORMATIVE, verdict="partly_held", reflection="Early."
    )
    MechanismAssessment.objects.create(
        mechanism=mechanism, phase=Phase.SUMMATIVE, verdict="held", reflection="Later."
    )
    quotable = ParticipantFactory(course=course, pseudonym="S01")
    never_asked = ParticipantFactory(course=course, pseudonym="S02", consented=False)
    withdrew = ParticipantFactory(course=course, pseudonym="S03")
    ConsentFactory(
        participant=withdrew,
        given_on=datetime.date(2026, 5, 25),
        withdrawn_on=datetime.date(2026, 6, 2),
        withdrawn_scopes=["verbatim_quotes"],
    )
    transcript = TranscriptFactory(
        focus_group=FocusGroupFactory(course=course, phase=Phase.FORMATIVE, title="Week 6"),
        turns=[(quotable, QUOTABLE), (never_asked, NEVER_CONSENTED), (withdrew, WITHDRAWN)],
    )
    for words in (QUOTABLE, NEVER_CONSENTED, WITHDRAWN):
        excerpt = ExcerptFactory(**said(transcript, words), is_exemplar=True)
        ExcerptMechanism.objects.create(excerpt=excerpt, mechanism=mechanism, stance="supports")
        ExcerptCapability.objects.create(excerpt=excerpt, capability=capability, stance="mixed")
    FormativeAction.objects.create(
        course=course, mechanism=mechanism, finding="Breakout rooms were too large."
    )
    return {"course": course, "mechanism": mechanism, "capability": capability}


@pytest.fixture
def world():
    return build_world()


def pages(world):
    return [
        reverse("evaluation:mechanism_report"),
        reverse("evaluation:capability_report"),
        reverse("evaluation:course_report_list"),
        reverse("evaluation:course_report", args=[world["course"].uuid]),
    ]


@pytest.mark.parametrize("persona", ["lead_client", "designer_client", "plain_client"])
def test_reports_are_refused_to_everyone_but_evaluators(request, persona, world):
    client = request.getfixturevalue(persona)

    for url in pages(world):
        assert client.get(url).status_code == 403, url


def test_anonymous_visitors_are_sent_to_sign_in(anonymous_client, world):
    for url in pages(world):
        response = anonymous_client.get(url)
        assert response.status_code == 302
        assert reverse("login") in response["Location"]


@pytest.mark.parametrize("persona", ["evaluator_client", "administrator_client"])
def test_evaluators_and_administrators_read_every_report(request, persona, world):
    client = request.getfixturevalue(persona)

    for url in pages(world):
        assert client.get(url).status_code == 200, url


def test_mechanism_report_shows_assumption_verdicts_counts_and_consented_quotes_only(
    evaluator_client, world
):
    html = evaluator_client.get(reverse("evaluation:mechanism_report")).content.decode()

    assert "International mix" in html
    assert world["mechanism"].assumption in html
    assert "Mixed groups worked once breakout rooms were small." in html
    verdict = re.search(r'data-testid="verdict">(.*?)</p>', html, re.S).group(1)
    assert re.sub(r"<[^>]+>|\s+", " ", verdict).split() == [
        "Verdict:", "Formative:", "Partly", "held", "→", "then", "Summative:", "Held",
    ]  # fmt: skip
    assert "Early." in html
    assert "Later." in html
    assert QUOTABLE in html
    assert NEVER_CONSENTED not in html
    assert WITHDRAWN not in html
    assert html.count('data-testid="quote-withheld"') == 2
    assert "Formative: 0 Positive, 0 Negative, 0 Mixed, 3 Neutral; total 3." in html


def test_course_report_shows_consented_quotes_only_with_its_log_and_capabilities(
    evaluator_client, world
):
    course = world["course"]
    html = evaluator_client.get(
        reverse("evaluation:course_report", args=[course.uuid])
    ).content.decode()

    assert QUOTABLE in html
    assert NEVER_CONSENTED not in html
    assert WITHDRAWN not in html
    assert "Week 6" in html
    assert "Breakout rooms were too large." in html
    assert 'data-capability="K1"' in html


def test_capability_report_shows_evidence_beside_coverage(evaluator_client, world):
    other = CapabilityFactory(domain=world["capability"].domain, code="K2")
    OutcomeMappingFactory(
        outcome=LearningOutcomeFactory(course=world["course"]), capability=other, emphasis="M"
    )

    html = evaluator_client.get(reverse("evaluation:capability_report")).content.decode()

    row = re.search(r'<tr id="capability-[^"]+" data-capability="K1".*?</tr>', html, re.S).group()
    assert "3 excerpts of feedback" in row
    assert "1 course, 1 outcome<" in row
    assert re.search(r'data-capability="K2" class="report-row--taught"', html)


def test_course_list_links_each_course_with_focus_groups(evaluator_client, world):
    CourseFactory(code="NOFG1")

    html = evaluator_client.get(reverse("evaluation:course_report_list")).content.decode()

    assert reverse("evaluation:course_report", args=[world["course"].uuid]) in html
    assert "NOFG1" not in html


def test_a_course_that_does_not_exist_is_not_found(evaluator_client):
    url = reverse("evaluation:course_report", args=["6f1c1f8e-0000-4000-8000-000000000000"])

    assert evaluator_client.get(url).status_code == 404


def test_filters_naming_nothing_are_shown_next_to_the_field(evaluator_client, world):
    response = evaluator_client.get(
        reverse("evaluation:mechanism_report"),
        {"audience": "aliens", "logic_model": "6f1c1f8e-0000-4000-8000-000000000000"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "The audience must be students, staff or mixed, not aliens." in html
    assert "No logic model has this identifier." in html
    assert "International mix" not in html


def test_mechanism_report_filters_by_course_and_audience(evaluator_client, world):
    other = CourseFactory(code="OTH1")
    staff = TranscriptFactory(
        focus_group=FocusGroupFactory(course=other, audience="staff"),
        turns=[(ParticipantFactory(course=other, pseudonym="T01"), "Staff view.")],
    )
    ExcerptMechanism.objects.create(
        excerpt=ExcerptFactory(transcript=staff), mechanism=world["mechanism"], stance="supports"
    )
    url = reverse("evaluation:mechanism_report")

    everyone = evaluator_client.get(url).content.decode()
    one_course = evaluator_client.get(url, {"course": world["course"].uuid}).content.decode()
    staff_only = evaluator_client.get(url, {"audience": "staff"}).content.decode()

    assert "4 excerpts of evidence" in everyone
    assert "3 excerpts of evidence" in one_course
    assert "1 excerpt of evidence" in staff_only


def test_text_from_the_data_stays_text_and_charts_are_well_formed_svg(evaluator_client, world):
    hostile = "<script>alert('x')</script>"
    mechanism = world["mechanism"]
    mechanism.name = f"Mix {hostile}"
    mechanism.save()
    student = ParticipantFactory(course=world["course"], pseudonym="S09")
    transcript = TranscriptFactory(
        focus_group=FocusGroupFactory(course=world["course"], title=f"Session {hostile}"),
        turns=[(student, f"I typed {hostile} in the forum.")],
    )
    excerpt = ExcerptFactory(transcript=transcript, is_exemplar=True)
    ExcerptMechanism.objects.create(excerpt=excerpt, mechanism=mechanism, stance="challenges")
    code = CodeFactory(name=f"Code {hostile}")
    code.mechanisms.add(mechanism)
    CodingFactory(excerpt=excerpt, code=code)

    for url in pages(world):
        html = evaluator_client.get(url).content.decode()
        assert hostile not in html, url
        for svg in re.findall(r"<svg.*?</svg>", html, re.S):
            ET.fromstring(svg)

    html = evaluator_client.get(reverse("evaluation:mechanism_report")).content.decode()
    assert "Mix &lt;script&gt;" in html
    assert "I typed &lt;script&gt;" in html
    assert html.count("<svg") >= 1


def grow(world, excerpts: int):
    """More of everything a report reads: focus groups, speakers, excerpts, codes, links."""
    course = world["course"]
    mechanism, capability = world["mechanism"], world["capability"]
    extra_mechanism = MechanismFactory(logic_model=mechanism.logic_model)
    code = CodeFactory()
    code.mechanisms.add(mechanism, extra_mechanism)
    code.capabilities.add(capability)
    speakers = [ParticipantFactory(course=course, consented=index % 2 == 0) for index in range(3)]
    for phase in (Phase.FORMATIVE, Phase.SUMMATIVE):
        transcript = TranscriptFactory(
            focus_group=FocusGroupFactory(course=course, phase=phase),
            turns=[(speakers[n % 3], f"Turn {n} of {phase}.") for n in range(excerpts // 2)],
        )
        transcript.focus_group.participants.set(speakers)
        for n, utterance in enumerate(transcript.utterances.all()):
            excerpt = ExcerptFactory(
                transcript=transcript,
                start=utterance.start,
                end=utterance.end,
                valence=VALENCES[n % 4],
                is_exemplar=n % 5 == 0,
            )
            if n % 2:
                ExcerptMechanism.objects.create(
                    excerpt=excerpt, mechanism=extra_mechanism, stance="challenges"
                )
            CodingFactory(excerpt=excerpt, code=code)
        FormativeAction.objects.create(course=course, mechanism=mechanism, finding=f"{phase}.")


@pytest.mark.parametrize("page", range(4))
def test_each_report_costs_the_same_queries_with_five_or_a_hundred_excerpts(
    evaluator_client, world, page, django_assert_max_num_queries
):
    grow(world, excerpts=6)
    url = pages(world)[page]
    with CaptureQueriesContext(connection) as small:
        assert evaluator_client.get(url).status_code == 200

    grow(world, excerpts=100)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert evaluator_client.get(url).status_code == 200
