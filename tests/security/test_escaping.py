"""Text users write is shown escaped wherever it appears: markup put into a name, a description, a
transcript, a code or a memo reaches the pages as text, and the PDF exports print it literally."""

import html

import pytest
from cryptography.fernet import Fernet
from django.test import Client
from django.urls import reverse

from competencies.models import Capability, Domain, Theme
from courses.curriculum_pdf.document import build as build_curriculum
from courses.models import Course, Institution, LearningOutcome, Programme
from eisen.pdf import render_pdf
from eisen.roles import Role
from evaluation.models import Code, FocusGroup, FormativeAction, LogicModelItem, Mechanism
from evaluation.report_pdf.document import build as build_report
from evaluation.report_pdf.form import EvaluationReportForm
from tests.courses.curriculum_pdf_support import export_parameters, make_curriculum
from tests.evaluation.factories import (
    CodeFactory,
    CodingFactory,
    ExcerptFactory,
    FocusGroupFactory,
    LogicModelFactory,
    LogicModelItemFactory,
    MechanismFactory,
    ParticipantFactory,
    TranscriptFactory,
)
from tests.evaluation.test_report_pdf import report_world
from tests.factories import (
    CapabilityFactory,
    CourseFactory,
    DomainFactory,
    FrameworkFactory,
    InstitutionFactory,
    LearningOutcomeFactory,
    ProgrammeFactory,
    ThemeFactory,
    UserFactory,
)
from tests.pdf_reading import pdf_text, shows

pytestmark = pytest.mark.django_db

PAYLOAD = "<script>alert(1)</script><img src=x onerror=alert(1)>\"'&"
# Markup a browser would run, were the payload not escaped.
LIVE = ("<script>alert(1)", "<img src=x onerror")


def payload(field: str) -> str:
    return f"{field} {PAYLOAD}"


def assert_escaped(page: str, where: str, *fields: str) -> None:
    for live in LIVE:
        assert live not in page, f"{where} shows {live!r} as markup"
    for field in fields:
        assert html.escape(payload(field)) in page, f"{where} does not show the {field}, escaped"


@pytest.fixture
def world():
    framework = FrameworkFactory(title=payload("framework"), description=payload("summary"))
    domain = DomainFactory(framework=framework, name=payload("domain"))
    capability = CapabilityFactory(
        domain=domain,
        title=payload("capability"),
        description=payload("description"),
        relevance=payload("relevance"),
    )
    theme = ThemeFactory(framework=framework, name=payload("theme"))
    capability.themes.add(theme)
    lead = UserFactory(username="lead", first_name=payload("lead"), roles=[Role.COURSE_LEAD])
    programme = ProgrammeFactory(
        name=payload("programme"), institution=InstitutionFactory(name=payload("institution"))
    )
    course = CourseFactory(
        institution=programme.institution,
        programme=programme,
        title=payload("course"),
        framework=framework,
        leads=[lead],
    )
    LearningOutcomeFactory(course=course, text=payload("outcome"))
    participant = ParticipantFactory(course=course, pseudonym="S01")
    focus_group = FocusGroupFactory(course=course, title=payload("session"))
    transcript = TranscriptFactory(
        focus_group=focus_group, turns=[(participant, payload("words")), ("Facilitator", "Ok.")]
    )
    logic_model = LogicModelFactory(title=payload("logic model"))
    LogicModelItemFactory(logic_model=logic_model, text=payload("activity"))
    mechanism = MechanismFactory(
        logic_model=logic_model, name=payload("mechanism"), assumption=payload("assumption")
    )
    code = CodeFactory(name=payload("code"), definition=payload("definition"))
    code.mechanisms.add(mechanism)
    CodingFactory(excerpt=ExcerptFactory(transcript=transcript, memo=payload("memo")), code=code)
    return {
        "framework": framework,
        "capability": capability,
        "course": course,
        "transcript": transcript,
        "logic_model": logic_model,
    }


def signed_in(role) -> Client:
    client = Client()
    client.force_login(UserFactory(username=f"as-{role}", roles=[role]))
    return client


def assert_pages_escape(client, pages):
    for url, fields in pages:
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        assert_escaped(response.content.decode(), url, *fields)


def test_framework_pages_escape_what_designers_wrote(world):
    framework, capability = world["framework"], world["capability"]
    assert_pages_escape(
        signed_in(Role.CURRICULUM_DESIGNER),
        [
            (reverse("competencies:framework_list"), ["framework"]),
            (
                reverse("competencies:framework_detail", args=[framework.uuid]),
                ["framework", "domain", "capability"],
            ),
            (
                reverse("competencies:capability_detail", args=[capability.uuid]),
                ["capability", "description", "relevance", "theme"],
            ),
            (reverse("competencies:capability_search") + "?q=capability", ["capability"]),
            (f"/frameworks/{framework.uuid}/edit/", ["domain", "capability"]),
        ],
    )


def test_course_and_coverage_pages_escape_what_leads_wrote(world):
    course = world["course"]
    assert_pages_escape(
        signed_in(Role.ADMINISTRATOR),
        [
            (reverse("courses:course_list"), ["course", "lead"]),
            (
                reverse("courses:course_detail", args=[course.uuid]),
                ["course", "outcome", "lead", "programme"],
            ),
            (reverse("courses:institution_list"), ["institution", "programme"]),
            ("/coverage/", ["capability"]),
        ],
    )


def test_evaluation_pages_escape_sessions_transcripts_codes_memos_and_the_logic_model(world):
    assert_pages_escape(
        signed_in(Role.EVALUATOR),
        [
            (reverse("evaluation:focus_group_list"), ["session"]),
            (reverse("evaluation:codebook"), ["code", "definition"]),
            (
                reverse("evaluation:coding", args=[world["transcript"].uuid]),
                ["words", "code", "memo"],
            ),
            (
                reverse("evaluation:logic_model_detail", args=[world["logic_model"].uuid]),
                ["logic model", "activity", "mechanism", "assumption"],
            ),
            (reverse("evaluation:mechanism_report"), ["mechanism"]),
        ],
    )


def test_a_search_for_markup_is_shown_escaped(client):
    response = client.get(reverse("competencies:capability_search"), {"q": PAYLOAD})
    assert_escaped(response.content.decode(), "the search page")


def printed(document) -> str:
    for live in LIVE:
        assert live not in document.html, f"the PDF's HTML has {live!r} as markup"
    return pdf_text(render_pdf(document.html, title=document.title, language=document.language))


def test_the_curriculum_pdf_prints_what_users_wrote_literally(eisen_framework):
    courses = make_curriculum(eisen_framework)
    Capability.objects.filter(framework=eisen_framework, code="K1").update(
        title=payload("capability")
    )
    Domain.objects.filter(framework=eisen_framework).update(name=payload("domain"))
    Course.objects.filter(pk=courses["IMP101"].pk).update(title=payload("course"))
    LearningOutcome.objects.filter(course=courses["IMP101"]).update(text=payload("outcome"))
    Programme.objects.update(name=payload("programme"))
    Institution.objects.update(name=payload("institution"))
    Theme.objects.filter(framework=eisen_framework).update(name=payload("theme"))
    text = printed(build_curriculum(export_parameters({})))
    for field in ("capability", "domain", "course", "outcome", "programme"):
        assert shows(text, payload(field)), f"the curriculum PDF does not print the {field}"


def test_the_evaluation_report_pdf_prints_what_users_wrote_literally(settings):
    settings.EISEN_IDENTITY_KEYS = [Fernet.generate_key().decode()]
    world = report_world()
    LogicModelItem.objects.filter(logic_model=world["logic_model"]).update(
        text=payload("logic model item")
    )
    Mechanism.objects.filter(pk=world["stakeholders"].pk).update(
        name=payload("mechanism"), assumption=payload("assumption")
    )
    FormativeAction.objects.update(finding=payload("finding"), change_made=payload("change"))
    Course.objects.filter(pk=world["course"].pk).update(title=payload("course"))
    for number, focus_group in enumerate(FocusGroup.objects.all()):
        FocusGroup.objects.filter(pk=focus_group.pk).update(title=payload(f"session {number}"))
    for number, code in enumerate(Code.objects.all()):
        Code.objects.filter(pk=code.pk).update(name=payload(f"code {number}"))
    form = EvaluationReportForm({})
    assert form.is_valid(), form.errors
    text = printed(build_report(form.export_parameters()))
    for field in ("logic model item", "mechanism", "assumption", "finding", "change"):
        assert shows(text, payload(field)), f"the evaluation report does not print the {field}"
