"""In real Chromium, the main pages of every area, the admin and the API reference run under the
Content-Security-Policy without a single violation, and code colours still show."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from competencies.models import Capability
from competencies.services.loading import eisen_framework_load
from eisen.roles import Role
from tests.browser.test_framework_editor_in_chromium import sign_in
from tests.evaluation.factories import (
    CodeFactory,
    CodingFactory,
    ExcerptFactory,
    FocusGroupFactory,
    ParticipantFactory,
    TranscriptFactory,
)
from tests.factories import CourseFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Chromium reports each refusal to the page as a `securitypolicyviolation` event; the listener
# is installed before any of the page's own scripts run.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} ` +
      `at ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


@pytest.fixture
def watched_page(page):
    page.add_init_script(RECORD_VIOLATIONS)
    console = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text)
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: console.append(f"page error: {error}"))
    page.console_csp = console
    return page


# Redoc's "API docs by Redocly" badge loads its logo from Redocly's CDN; the policy refuses
# third-party requests, and that refusal is the one expected.
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


def assert_no_violation(page, url):
    page.wait_for_load_state("networkidle")
    violations = [v for v in page.evaluate("window.__cspViolations") if REDOC_LOGO not in v]
    assert violations == [], f"{url}: {violations}"
    console = [line for line in page.console_csp if REDOC_LOGO not in line]
    assert console == [], f"{url}: {console}"


@pytest.fixture
def content():
    framework = eisen_framework_load()
    course = CourseFactory(code="IMP901", title="Implementation in practice")
    participant = ParticipantFactory(course=course, pseudonym="S01")
    focus_group = FocusGroupFactory(course=course, title="Summative focus group")
    transcript = TranscriptFactory(
        focus_group=focus_group,
        turns=[(participant, "We learnt from four countries."), ("Facilitator", "Thank you.")],
    )
    parent = CodeFactory(name="Learning", colour="#4c6ef5")
    child = CodeFactory(name="Across countries", colour="#e8590c", parent=parent)
    CodingFactory(excerpt=ExcerptFactory(transcript=transcript), code=child)
    capability = Capability.objects.filter(framework=framework).first()
    return {
        "framework": framework,
        "capability": capability,
        "course": course,
        "focus_group": focus_group,
        "transcript": transcript,
    }


def pages_of(content) -> list[str]:
    framework, transcript = content["framework"], content["transcript"]
    return [
        reverse("competencies:framework_list"),
        reverse("competencies:framework_detail", args=[framework.uuid]),
        reverse("competencies:capability_search") + "?q=boundaries",
        f"/frameworks/{framework.uuid}/edit/",
        reverse("courses:course_list"),
        reverse("courses:course_detail", args=[content["course"].uuid]),
        "/coverage/",
        reverse("evaluation:focus_group_list"),
        reverse("evaluation:codebook"),
        reverse("evaluation:coding", args=[transcript.uuid]),
        reverse("evaluation:mechanism_report"),
        reverse("evaluation:capability_report"),
        "/exports/",
        "/admin/",
        "/admin/auth/user/",
        "/admin/auth/user/add/",
        "/api/docs/",
        "/api/redoc/",
    ]


def test_every_area_runs_under_the_policy_without_violations(live_server, watched_page, content):
    page = watched_page
    page.goto(f"{live_server.url}/accounts/login/")
    assert_no_violation(page, "/accounts/login/")
    UserFactory(username="root", roles=[Role.ADMINISTRATOR], is_staff=True, is_superuser=True)
    sign_in(page, live_server, "root")
    for url in pages_of(content):
        response = page.goto(f"{live_server.url}{url}")
        assert response.status == 200, url
        assert "script-src 'self'" in response.headers["content-security-policy"], url
        assert_no_violation(page, url)


def test_the_api_reference_pages_render_their_operations(live_server, watched_page):
    page = watched_page
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".opblock").first).to_be_visible(timeout=30_000)
    assert_no_violation(page, "/api/docs/")
    page.goto(f"{live_server.url}/api/redoc/")
    expect(page.get_by_role("heading", name="EISEN Curriculum API")).to_be_visible(timeout=30_000)
    assert_no_violation(page, "/api/redoc/")


def test_code_colours_and_depths_show_without_style_attributes(live_server, watched_page, content):
    page = watched_page
    UserFactory(username="evaluator", roles=[Role.EVALUATOR])
    sign_in(page, live_server, "evaluator")
    page.goto(f"{live_server.url}{reverse('evaluation:codebook')}")
    rows = page.locator(".codebook-table tbody th.code-name")
    swatch_colours = page.locator(".codebook-table .swatch").evaluate_all(
        "swatches => swatches.map(s => getComputedStyle(s).backgroundColor)"
    )
    assert swatch_colours == ["rgb(76, 110, 245)", "rgb(232, 89, 12)"]
    indents = rows.evaluate_all(
        "rows => rows.map(r => parseFloat(getComputedStyle(r).paddingLeft))"
    )
    assert indents[1] > indents[0]
    page.goto(f"{live_server.url}{reverse('evaluation:coding', args=[content['transcript'].uuid])}")
    mark = page.locator("mark.coded").first
    assert mark.evaluate("m => getComputedStyle(m).borderBottomColor") == "rgb(232, 89, 12)"
    card = page.locator(".excerpt-card").first
    assert card.evaluate("c => getComputedStyle(c).borderLeftColor") == "rgb(232, 89, 12)"
    assert_no_violation(page, "coding page")
