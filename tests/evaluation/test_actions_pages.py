"""A mechanism's page (verdicts per phase and the evidence cited) and the formative action log."""

import datetime

import pytest
from django.urls import reverse

from evaluation.models import (
    ExcerptMechanism,
    FormativeAction,
    MechanismAssessment,
    Phase,
    Stance,
    Verdict,
)
from evaluation.services.actions import formative_action_create, mechanism_assess
from tests.evaluation.factories import (
    CodeFactory,
    CodingFactory,
    ExcerptFactory,
    FocusGroupFactory,
    MechanismFactory,
    ParticipantFactory,
    TranscriptFactory,
)
from tests.factories import CourseFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
Status = FormativeAction.Status


@pytest.fixture
def course():
    return CourseFactory(code="IMP101")


@pytest.fixture
def mechanism():
    return MechanismFactory(name="International", logic_model__title="EISEN")


def _excerpt(course, words, *, consented=True, phase=Phase.FORMATIVE, pseudonym=None):
    student = ParticipantFactory(
        course=course, consented=consented, **({"pseudonym": pseudonym} if pseudonym else {})
    )
    transcript = TranscriptFactory(
        focus_group=FocusGroupFactory(course=course, phase=phase, title=f"Week {student.pk}"),
        turns=[(student, words)],
    )
    return ExcerptFactory(transcript=transcript)


def _linked(course, mechanism, words, **kwargs):
    excerpt = _excerpt(course, words, **kwargs)
    ExcerptMechanism.objects.create(excerpt=excerpt, mechanism=mechanism, stance=Stance.SUPPORTS)
    return excerpt


def _coded(course, mechanism, words, code_name="Peer learning", **kwargs):
    excerpt = _excerpt(course, words, **kwargs)
    code = CodeFactory(name=code_name)
    code.mechanisms.add(mechanism)
    CodingFactory(excerpt=excerpt, code=code)
    return excerpt


def _mechanism_url(mechanism):
    return reverse("evaluation:mechanism_detail", args=[mechanism.uuid])


def _assess_url(mechanism, phase=Phase.FORMATIVE):
    return reverse("evaluation:mechanism_assess", args=[mechanism.uuid, phase])


@pytest.mark.parametrize("role_client", ["course_lead", "designer", "plain_user"], indirect=True)
def test_only_evaluators_see_mechanisms_and_the_action_log(
    role_client, course, mechanism, evaluator
):
    action = formative_action_create(
        course=course, finding="Too much reading.", created_by=evaluator
    )
    reads = [
        _mechanism_url(mechanism),
        _assess_url(mechanism),
        reverse("evaluation:assessment_card", args=[mechanism.uuid, Phase.FORMATIVE]),
        reverse("evaluation:action_log"),
        reverse("evaluation:action_create"),
        reverse("evaluation:action_edit", args=[action.pk]),
    ]
    for url in reads:
        assert role_client.get(url).status_code == 403, url
    writes = [
        _assess_url(mechanism),
        reverse("evaluation:action_create"),
        reverse("evaluation:action_edit", args=[action.pk]),
        reverse("evaluation:action_delete", args=[action.pk]),
    ]
    for url in writes:
        assert role_client.post(url, {"verdict": "held", "finding": "x"}).status_code == 403, url
    assert not MechanismAssessment.objects.exists()
    assert FormativeAction.objects.get().finding == "Too much reading."


def test_anonymous_visitors_are_sent_to_sign_in(anonymous_client, mechanism):
    for url in (_mechanism_url(mechanism), reverse("evaluation:action_log")):
        response = anonymous_client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_the_evidence_shows_quotes_only_where_consent_allows(evaluator_client, course, mechanism):
    _linked(course, mechanism, "Meeting Swedish nurses changed my view.")
    _coded(
        course,
        mechanism,
        "I did not want my words quoted.",
        consented=False,
        pseudonym="S42",
        phase=Phase.SUMMATIVE,
    )
    html = evaluator_client.get(_mechanism_url(mechanism)).content.decode()
    assert "Meeting Swedish nurses changed my view." in html
    assert "I did not want my words quoted." not in html
    assert "[quote withheld: no consent for verbatim quotes] S42, IMP101, Summative" in html
    assert "Peer learning" in html
    assert ">Supports</td>" in html
    assert ">through a code</td>" in html


def test_the_verdicts_show_formative_then_summative(evaluator_client, course, mechanism, evaluator):
    mechanism_assess(
        mechanism=mechanism,
        phase=Phase.SUMMATIVE,
        verdict=Verdict.HELD,
        reflection="Students asked for more joint sessions.",
        evidence=[],
        assessed_by=evaluator,
        expected_revision=None,
    )
    mechanism_assess(
        mechanism=mechanism,
        phase=Phase.FORMATIVE,
        verdict=Verdict.PARTLY_HELD,
        reflection="",
        evidence=[],
        assessed_by=evaluator,
        expected_revision=None,
    )
    html = evaluator_client.get(_mechanism_url(mechanism)).content.decode()
    formative, summative = html.index('id="phase-formative"'), html.index('id="phase-summative"')
    assert formative < summative
    assert html.index("Partly held") < summative < html.index(">Held</span>")
    assert "Students asked for more joint sessions." in html
    assert "Assessed by evaluator" in html


def test_an_assessment_is_made_in_place_citing_the_evidence(evaluator_client, course, mechanism):
    quoted = _linked(course, mechanism, "Meeting Swedish nurses changed my view.")
    other = _coded(course, mechanism, "Group work across countries was hard.")
    form = evaluator_client.get(_assess_url(mechanism), **HTMX).content.decode()
    assert form.lstrip().startswith('<section id="phase-formative"')
    assert f'value="{quoted.uuid}" id="formative-evidence-{quoted.uuid}"' in form
    card = evaluator_client.post(
        _assess_url(mechanism),
        {
            "formative-verdict": Verdict.HELD,
            "formative-reflection": "The mix worked.",
            "formative-evidence": [str(quoted.uuid)],
        },
        **HTMX,
    ).content.decode()
    assert card.lstrip().startswith('<section id="phase-formative"')
    assert '<span class="verdict verdict--held">Held</span>' in card
    assert "Meeting Swedish nurses changed my view." in card
    assert "Group work across countries was hard." not in card
    assessment = mechanism.assessments.get()
    assert (assessment.phase, assessment.revision) == (Phase.FORMATIVE, 1)
    assert list(assessment.evidence.all()) == [quoted]
    assert other not in assessment.evidence.all()


def test_an_excerpt_that_is_not_evidence_is_refused_by_name(evaluator_client, course, mechanism):
    unrelated = _excerpt(course, "The coffee was cold.")
    html = evaluator_client.post(
        _assess_url(mechanism),
        {"formative-verdict": Verdict.HELD, "formative-evidence": [str(unrelated.uuid)]},
        **HTMX,
    ).content.decode()
    assert f"excerpt {unrelated.uuid}" in html
    assert "is not evidence for “International”" in html
    assert not MechanismAssessment.objects.exists()


def test_a_stale_assessment_shows_their_verdict_and_keeps_my_choice(
    evaluator_client, course, mechanism, administrator
):
    quoted = _linked(course, mechanism, "Meeting Swedish nurses changed my view.")
    mechanism_assess(
        mechanism=mechanism,
        phase=Phase.FORMATIVE,
        verdict=Verdict.DID_NOT_HOLD,
        reflection="Theirs.",
        evidence=[],
        assessed_by=administrator,
        expected_revision=None,
    )
    response = evaluator_client.post(
        _assess_url(mechanism),
        {
            "formative-verdict": Verdict.HELD,
            "formative-reflection": "Mine.",
            "formative-evidence": [str(quoted.uuid)],
        },
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert '<dd data-testid="their-verdict">Did not hold</dd>' in html
    assert f'id="formative-evidence-{quoted.uuid}" checked' in html
    assert "Mine.</textarea>" in html
    assert 'name="formative-revision" value="1"' in html
    assert mechanism.assessments.get().verdict == Verdict.DID_NOT_HOLD


def test_without_htmx_an_assessment_goes_back_to_the_mechanism_page(evaluator_client, mechanism):
    response = evaluator_client.post(
        _assess_url(mechanism, Phase.SUMMATIVE), {"summative-verdict": Verdict.NOT_ENOUGH_EVIDENCE}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{_mechanism_url(mechanism)}#phase-summative"
    page = evaluator_client.get(_assess_url(mechanism, Phase.SUMMATIVE)).content.decode()
    assert "<h1>" in page
    assert 'name="summative-revision" value="1"' in page


def test_the_log_lists_finding_change_and_recheck_filtered_by_course(
    evaluator_client, course, mechanism, evaluator
):
    withheld = _excerpt(course, "Too many papers every week.", consented=False, pseudonym="S07")
    formative_action_create(
        course=course,
        finding="Students found the reading load too heavy.",
        mechanism=mechanism,
        source_excerpts=[withheld],
        status=Status.RECHECKED,
        change_made="Reading list cut to three papers a week.",
        changed_on=datetime.date(2026, 3, 2),
        recheck="The summative group found the load right.",
        rechecked_on=datetime.date(2026, 6, 10),
        created_by=evaluator,
    )
    formative_action_create(
        course=CourseFactory(code="PHD800"),
        finding="Breakout rooms too short.",
        created_by=evaluator,
    )
    html = evaluator_client.get(
        reverse("evaluation:action_log"), {"course": str(course.uuid)}
    ).content.decode()
    assert "Students found the reading load too heavy." in html
    assert "Breakout rooms too short." not in html
    assert "2 March 2026" in html
    assert "10 June 2026" in html
    assert "Re-checked in the summative phase</span>" in html
    assert "Too many papers every week." not in html
    assert "[quote withheld: no consent for verbatim quotes] S07, IMP101, Formative" in html
    everything = evaluator_client.get(reverse("evaluation:action_log")).content.decode()
    assert "Breakout rooms too short." in everything


def test_a_finding_is_recorded_with_the_courses_excerpts(evaluator_client, course, mechanism):
    source = _excerpt(course, "Too many papers every week.")
    _excerpt(CourseFactory(code="PHD800"), "Not this course.")
    url = reverse("evaluation:action_create")
    sources = evaluator_client.get(url, {"course": str(course.uuid)}, **HTMX).content.decode()
    assert sources.lstrip().startswith('<fieldset id="source-excerpts">')
    assert "Too many papers every week." in sources
    assert "Not this course." not in sources
    response = evaluator_client.post(
        url,
        {
            "course": str(course.uuid),
            "mechanism": str(mechanism.uuid),
            "finding": "The reading load is too heavy.",
            "source_excerpts": [str(source.uuid)],
            "status": Status.OPEN,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('evaluation:action_log')}?course={course.uuid}"
    action = FormativeAction.objects.get()
    assert (action.course, action.mechanism, action.status) == (course, mechanism, Status.OPEN)
    assert list(action.source_excerpts.all()) == [source]


def test_marking_changed_without_the_change_is_refused_next_to_the_field(
    evaluator_client, course, evaluator
):
    action = formative_action_create(
        course=course, finding="Too much reading.", created_by=evaluator
    )
    response = evaluator_client.post(
        reverse("evaluation:action_edit", args=[action.pk]),
        {"finding": "Too much reading.", "status": Status.CHANGED, "revision": 1},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Say what was changed in the course before marking the finding “Course changed”." in html
    assert "Give the date the course was changed." in html
    action.refresh_from_db()
    assert action.status == Status.OPEN


def test_a_stale_log_edit_shows_their_entry_and_a_fresh_one_saves(
    evaluator_client, course, evaluator
):
    action = formative_action_create(
        course=course, finding="Too much reading.", created_by=evaluator
    )
    FormativeAction.objects.filter(pk=action.pk).update(finding="Far too much reading.", revision=2)
    url = reverse("evaluation:action_edit", args=[action.pk])
    data = {
        "finding": "Reading load",
        "status": Status.CHANGED,
        "change_made": "Fewer papers.",
        "changed_on": "2026-03-02",
        "revision": 1,
    }
    stale = evaluator_client.post(url, data)
    assert stale.status_code == 409
    assert '<dd data-testid="their-finding">Far too much reading.</dd>' in stale.content.decode()
    saved = evaluator_client.post(url, {**data, "revision": 2})
    assert saved.status_code == 302
    action.refresh_from_db()
    assert (action.finding, action.status, action.revision) == ("Reading load", Status.CHANGED, 3)


def test_an_entry_is_deleted(evaluator_client, course, evaluator):
    action = formative_action_create(
        course=course, finding="Too much reading.", created_by=evaluator
    )
    response = evaluator_client.post(
        reverse("evaluation:action_delete", args=[action.pk]), {"revision": 1}
    )
    assert response.status_code == 302
    assert not FormativeAction.objects.exists()


@pytest.mark.parametrize("size", [1, 10])
def test_the_mechanism_page_and_the_log_cost_the_same_queries_at_any_size(
    evaluator_client, evaluator, django_assert_max_num_queries, size, course, mechanism
):
    excerpts = []
    for n in range(size):
        excerpts.append(_linked(course, mechanism, f"Linked {n}", consented=n % 2 == 0))
        excerpts.append(_coded(course, mechanism, f"Coded {n}", code_name=f"Code {n}"))
    for phase in Phase.values:
        mechanism_assess(
            mechanism=mechanism,
            phase=phase,
            verdict=Verdict.HELD,
            reflection="",
            evidence=excerpts,
            assessed_by=evaluator,
            expected_revision=None,
        )
        formative_action_create(
            course=course,
            finding=f"Finding of {phase}",
            mechanism=mechanism,
            source_excerpts=excerpts,
            created_by=evaluator,
        )
    for n in range(size):
        formative_action_create(
            course=course,
            finding=f"Finding {n}",
            source_excerpts=excerpts[:2],
            created_by=evaluator,
        )
    with django_assert_max_num_queries(10):
        page = evaluator_client.get(_mechanism_url(mechanism))
    assert page.content.decode().count('<td class="quote') == 2 * size
    with django_assert_max_num_queries(7):
        log = evaluator_client.get(reverse("evaluation:action_log"))
    assert log.content.decode().count('<tr id="action-') == size + 2
