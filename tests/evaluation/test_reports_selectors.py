"""The report read models: what counts as evidence, counted once, by phase, valence and stance;
verdicts in phase order; quotes ranked and gated by consent; coverage beside evidence."""

import datetime

import pytest

from evaluation.models import (
    ExcerptCapability,
    ExcerptMechanism,
    FocusGroup,
    FormativeAction,
    MechanismAssessment,
    Phase,
    Stance,
    Valence,
    Verdict,
)
from evaluation.selectors.reports_capabilities import capability_report
from evaluation.selectors.reports_courses import course_report, courses_with_focus_groups
from evaluation.selectors.reports_mechanisms import default_logic_model, mechanism_report
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
from tests.evaluation.test_reports_pages import said
from tests.factories import (
    CapabilityFactory,
    CourseFactory,
    DomainFactory,
    FrameworkFactory,
    LearningOutcomeFactory,
    OutcomeMappingFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    return CourseFactory(code="IMP101")


@pytest.fixture
def logic_model():
    return LogicModelFactory(title="EISEN logic model")


@pytest.fixture
def mechanism(logic_model):
    return MechanismFactory(logic_model=logic_model, name="International mix", position=1)


def transcript_for(course, phase, turns, **focus_group):
    focus_group = FocusGroupFactory(course=course, phase=phase, **focus_group)
    return TranscriptFactory(focus_group=focus_group, turns=turns)


def report_of(mechanism, **filters):
    return next(
        s for s in mechanism_report(mechanism.logic_model, **filters) if s.name == mechanism.name
    )


def test_direct_and_code_linked_evidence_is_counted_once_by_phase_and_valence(course, mechanism):
    student = ParticipantFactory(course=course)
    formative = transcript_for(
        course, Phase.FORMATIVE, [(student, "Meeting peers helped."), (student, "Too much.")]
    )
    summative = transcript_for(course, Phase.SUMMATIVE, [(student, "It was mixed.")])
    linked_code, other_linked_code = CodeFactory(), CodeFactory()
    linked_code.mechanisms.add(mechanism)
    other_linked_code.mechanisms.add(mechanism)

    both_ways = ExcerptFactory(**said(formative, "Meeting peers helped."), valence=Valence.POSITIVE)
    ExcerptMechanism.objects.create(excerpt=both_ways, mechanism=mechanism, stance=Stance.SUPPORTS)
    CodingFactory(excerpt=both_ways, code=linked_code)
    two_codes = ExcerptFactory(**said(formative, "Too much."), valence=Valence.NEGATIVE)
    CodingFactory(excerpt=two_codes, code=linked_code)
    CodingFactory(excerpt=two_codes, code=other_linked_code)
    direct_only = ExcerptFactory(**said(summative, "It was mixed."), valence=Valence.MIXED)
    ExcerptMechanism.objects.create(
        excerpt=direct_only, mechanism=mechanism, stance=Stance.CHALLENGES
    )

    summary = report_of(mechanism)

    formative_counts, summative_counts = summary.phases
    assert formative_counts.phase == Phase.FORMATIVE
    assert formative_counts.valence == {"positive": 1, "negative": 1, "mixed": 0, "neutral": 0}
    assert summative_counts.valence == {"positive": 0, "negative": 0, "mixed": 1, "neutral": 0}
    assert summary.total == 3
    assert summary.stances == {"supports": 1, "challenges": 1, "mixed": 0}


def test_only_excerpts_in_the_analysis_of_current_transcripts_count(course, mechanism):
    student = ParticipantFactory(course=course)
    transcript = transcript_for(course, Phase.SUMMATIVE, [(student, "Blind coding.")])
    counted = ExcerptFactory(transcript=transcript)
    blind = ExcerptFactory(transcript=transcript, in_analysis=False)
    old_version = TranscriptFactory(
        focus_group=FocusGroupFactory(course=course), is_current=False, turns=[(student, "Old.")]
    )
    superseded = ExcerptFactory(transcript=old_version)
    for excerpt in (counted, blind, superseded):
        ExcerptMechanism.objects.create(excerpt=excerpt, mechanism=mechanism, stance="supports")

    assert report_of(mechanism).total == 1


def test_evidence_of_another_logic_model_is_not_counted(course, mechanism):
    elsewhere = MechanismFactory(name="Elsewhere")
    excerpt = ExcerptFactory(
        transcript=transcript_for(
            course, Phase.SUMMATIVE, [(ParticipantFactory(course=course), "Hi.")]
        )
    )
    ExcerptMechanism.objects.create(excerpt=excerpt, mechanism=elsewhere, stance="supports")

    assert report_of(mechanism).total == 0


def test_course_and_audience_filters_narrow_the_evidence(course, mechanism):
    other_course = CourseFactory()
    student = ParticipantFactory(course=course)
    teacher = ParticipantFactory(course=other_course, pseudonym="T01")
    students = transcript_for(course, Phase.SUMMATIVE, [(student, "Students said.")])
    staff = transcript_for(
        other_course, Phase.SUMMATIVE, [(teacher, "Staff said.")], audience="staff"
    )
    for transcript in (students, staff):
        ExcerptMechanism.objects.create(
            excerpt=ExcerptFactory(transcript=transcript), mechanism=mechanism, stance="supports"
        )

    assert report_of(mechanism).total == 2
    assert report_of(mechanism, courses=[course]).total == 1
    assert report_of(mechanism, audience=FocusGroup.Audience.STAFF).total == 1
    assert report_of(mechanism, courses=[course], audience=FocusGroup.Audience.STAFF).total == 0


def test_verdicts_read_formative_then_summative_with_their_reflections(mechanism):
    MechanismAssessment.objects.create(
        mechanism=mechanism, phase=Phase.SUMMATIVE, verdict=Verdict.HELD, reflection="Later."
    )
    MechanismAssessment.objects.create(
        mechanism=mechanism,
        phase=Phase.FORMATIVE,
        verdict=Verdict.PARTLY_HELD,
        reflection="Early on.",
    )

    steps = report_of(mechanism).verdicts

    assert [(s.phase_label, s.verdict_label, s.reflection) for s in steps] == [
        ("Formative", "Partly held", "Early on."),
        ("Summative", "Held", "Later."),
    ]


def test_quotes_rank_exemplars_then_most_codes_at_most_three(course, mechanism):
    student = ParticipantFactory(course=course)
    words = ["One code.", "Exemplar.", "Three codes.", "Two codes.", "No code."]
    transcript = transcript_for(course, Phase.SUMMATIVE, [(student, w) for w in words])
    code_counts = {"One code.": 1, "Exemplar.": 0, "Three codes.": 3, "Two codes.": 2}
    for text in words:
        excerpt = ExcerptFactory(**said(transcript, text), is_exemplar=text == "Exemplar.")
        ExcerptMechanism.objects.create(excerpt=excerpt, mechanism=mechanism, stance="supports")
        for _n in range(code_counts.get(text, 0)):
            CodingFactory(excerpt=excerpt)

    quotes = report_of(mechanism).quotes

    assert [q.quote for q in quotes] == ["Exemplar.", "Three codes.", "Two codes."]
    assert [q.codes for q in quotes] == [0, 3, 2]
    first = quotes[0]
    focus_group = transcript.focus_group
    assert (first.pseudonym, first.course_code, first.phase, first.session) == (
        student.pseudonym,
        "IMP101",
        Phase.SUMMATIVE,
        focus_group.title,
    )


def test_quotes_reached_through_codes_and_directly_are_merged_without_repeats(course, mechanism):
    student = ParticipantFactory(course=course)
    transcript = transcript_for(
        course, Phase.SUMMATIVE, [(student, "Direct."), (student, "Coded."), (student, "Both.")]
    )
    linked, also_linked = CodeFactory(), CodeFactory()
    linked.mechanisms.add(mechanism)
    also_linked.mechanisms.add(mechanism)
    direct = ExcerptFactory(**said(transcript, "Direct."))
    ExcerptMechanism.objects.create(excerpt=direct, mechanism=mechanism, stance="supports")
    coded = ExcerptFactory(**said(transcript, "Coded."), is_exemplar=True)
    CodingFactory(excerpt=coded, code=linked)
    CodingFactory(excerpt=coded, code=also_linked)
    both = ExcerptFactory(**said(transcript, "Both."))
    ExcerptMechanism.objects.create(excerpt=both, mechanism=mechanism, stance="supports")
    CodingFactory(excerpt=both, code=linked)

    assert [q.quote for q in report_of(mechanism).quotes] == ["Coded.", "Both.", "Direct."]


def test_quote_words_are_withheld_without_consent_but_still_counted(course, mechanism):
    consenting = ParticipantFactory(course=course, pseudonym="S01")
    never_asked = ParticipantFactory(course=course, pseudonym="S02", consented=False)
    withdrew = ParticipantFactory(course=course, pseudonym="S03")
    ConsentFactory(
        participant=withdrew,
        given_on=datetime.date(2026, 5, 25),
        withdrawn_on=datetime.date(2026, 6, 2),
        withdrawn_scopes=["verbatim_quotes"],
    )
    transcript = transcript_for(
        course,
        Phase.SUMMATIVE,
        [
            (consenting, "You may quote me."),
            (never_asked, "Never asked."),
            (withdrew, "Withdrawn later."),
            ("Facilitator", "Nobody in particular."),
        ],
    )
    for words in ("You may quote me.", "Never asked.", "Withdrawn later.", "Nobody in particular."):
        excerpt = ExcerptFactory(**said(transcript, words), is_exemplar=True)
        ExcerptMechanism.objects.create(excerpt=excerpt, mechanism=mechanism, stance="supports")

    summary = report_of(mechanism)

    assert summary.total == 4
    shown = {q.pseudonym: q.quote for q in summary.quotes}
    assert shown == {"S01": "You may quote me.", "S02": None, "S03": None}


def test_quotable_excerpts_come_before_better_ranked_ones_that_must_be_withheld(course, mechanism):
    quotable = ParticipantFactory(course=course, pseudonym="S01")
    unquotable = ParticipantFactory(course=course, pseudonym="S02", consented=False)
    turns = [(unquotable, f"Exemplar {n}.") for n in range(3)] + [(quotable, "Plain words.")]
    transcript = transcript_for(course, Phase.SUMMATIVE, turns)
    for _speaker, words in turns:
        excerpt = ExcerptFactory(**said(transcript, words), is_exemplar=words != "Plain words.")
        ExcerptMechanism.objects.create(excerpt=excerpt, mechanism=mechanism, stance="supports")

    quotes = report_of(mechanism).quotes

    assert [(q.pseudonym, q.quote) for q in quotes] == [
        ("S01", "Plain words."),
        ("S02", None),
        ("S02", None),
    ]
    assert [q.quote for q in course_report(course).quotes][:2] == ["Plain words.", None]


def test_no_logic_model_means_no_default():
    assert default_logic_model() is None


def test_default_logic_model_is_the_first_by_title():
    LogicModelFactory(title="Zeta")
    first = LogicModelFactory(title="Alpha")

    assert default_logic_model() == first


@pytest.fixture
def framework():
    return FrameworkFactory(slug="eisen", version_label="1.0")


def test_capability_report_puts_evidence_beside_coverage_in_framework_order(framework):
    knowledge = DomainFactory(framework=framework, name="Knowledge", position=1)
    skills = DomainFactory(framework=framework, name="Skills", position=2)
    taught = CapabilityFactory(domain=skills, code="S1", position=1)
    discussed = CapabilityFactory(domain=knowledge, code="K2", position=2)
    both = CapabilityFactory(domain=knowledge, code="K1", position=1)
    course = CourseFactory(framework=framework)
    other_course = CourseFactory(framework=framework)
    for capability, emphasis in ((both, "I"), (taught, "M")):
        OutcomeMappingFactory(
            outcome=LearningOutcomeFactory(course=course), capability=capability, emphasis=emphasis
        )
    OutcomeMappingFactory(
        outcome=LearningOutcomeFactory(course=other_course), capability=both, emphasis="R"
    )
    OutcomeMappingFactory(
        outcome=LearningOutcomeFactory(course=other_course), capability=both, emphasis="I"
    )
    student = ParticipantFactory(course=course)
    transcript = transcript_for(course, Phase.SUMMATIVE, [(student, "One."), (student, "Two.")])
    direct = ExcerptFactory(**said(transcript, "One."), valence=Valence.POSITIVE)
    ExcerptCapability.objects.create(excerpt=direct, capability=both, stance=Stance.CHALLENGES)
    code = CodeFactory()
    code.capabilities.add(both, discussed)
    CodingFactory(excerpt=direct, code=code)
    CodingFactory(
        excerpt=ExcerptFactory(**said(transcript, "Two."), valence=Valence.NEGATIVE), code=code
    )

    report = capability_report(framework)

    assert [domain.name for domain in report.domains] == ["Knowledge", "Skills"]
    rows = {row.code: row for row in report.rows}
    assert [row.code for row in report.rows] == ["K1", "K2", "S1"]
    assert (rows["K1"].courses, rows["K1"].outcomes, rows["K1"].highest) == (2, 3, "R")
    assert rows["K1"].evidence.valence == {"positive": 1, "negative": 1, "mixed": 0, "neutral": 0}
    assert rows["K1"].evidence.stances == {"supports": 0, "challenges": 1, "mixed": 0}
    assert rows["K2"].evidence.total == 2
    assert [row.code for row in report.taught_not_discussed] == ["S1"]
    assert [row.code for row in report.discussed_not_taught] == ["K2"]
    assert report.courses == 2


def test_capability_evidence_of_an_earlier_version_counts_for_the_same_capability(framework):
    earlier = CapabilityFactory(domain__framework=framework, code="K1")
    newer_version = FrameworkFactory(slug="eisen", version_label="2.0")
    CapabilityFactory(domain__framework=newer_version, code="K1", lineage=earlier.lineage)
    course = CourseFactory(framework=framework)
    excerpt = ExcerptFactory(
        transcript=transcript_for(
            course, Phase.SUMMATIVE, [(ParticipantFactory(course=course), "A.")]
        )
    )
    ExcerptCapability.objects.create(excerpt=excerpt, capability=earlier, stance="supports")

    report = capability_report(newer_version)

    assert [(row.code, row.evidence.total) for row in report.rows] == [("K1", 1)]


def test_capability_report_defaults_to_the_framework_most_courses_map_to(framework):
    other = FrameworkFactory()
    CourseFactory(framework=framework)
    CourseFactory(framework=framework)
    CourseFactory(framework=other)

    assert capability_report().framework == framework


def test_capability_report_without_any_framework_is_empty():
    report = capability_report()

    assert (report.framework, report.domains) == (None, [])


def test_course_report_gathers_focus_groups_evidence_quotes_actions_and_capabilities(
    framework, mechanism
):
    course = CourseFactory(framework=framework)
    capability = CapabilityFactory(domain__framework=framework, code="K1")
    students = [ParticipantFactory(course=course) for _n in range(3)]
    transcript = transcript_for(
        course, Phase.FORMATIVE, [(students[0], "Helpful."), (students[1], "Confusing.")]
    )
    transcript.focus_group.participants.set(students)
    helpful = ExcerptFactory(**said(transcript, "Helpful."), valence="positive", is_exemplar=True)
    ExcerptMechanism.objects.create(excerpt=helpful, mechanism=mechanism, stance="supports")
    ExcerptCapability.objects.create(excerpt=helpful, capability=capability, stance="supports")
    ExcerptFactory(**said(transcript, "Confusing."), valence="negative")
    elsewhere = transcript_for(CourseFactory(), Phase.FORMATIVE, [("S09", "Other course.")])
    ExcerptMechanism.objects.create(
        excerpt=ExcerptFactory(transcript=elsewhere), mechanism=mechanism, stance="supports"
    )
    FormativeAction.objects.create(course=course, mechanism=mechanism, finding="Too fast.")

    report = course_report(course, logic_model=mechanism.logic_model)

    [group] = report.focus_groups
    assert (group.phase, group.participants) == (Phase.FORMATIVE, 3)
    [evidence] = report.mechanisms
    assert evidence.total == 1
    assert [q.quote for q in report.quotes] == ["Helpful.", "Confusing."]
    assert [a.finding for a in report.actions] == ["Too fast."]
    assert [(c.code, c.evidence.total) for c in report.capabilities] == [("K1", 1)]


def test_courses_with_focus_groups_lists_only_those_with_their_counts(mechanism):
    course = CourseFactory()
    CourseFactory()
    transcript = transcript_for(course, Phase.SUMMATIVE, [("S01", "Hello.")])
    FocusGroupFactory(course=course)
    ExcerptFactory(transcript=transcript)
    ExcerptFactory(transcript=transcript, in_analysis=False)

    [listed] = courses_with_focus_groups()

    assert (listed, listed.focus_group_count, listed.excerpt_count) == (course, 2, 1)
