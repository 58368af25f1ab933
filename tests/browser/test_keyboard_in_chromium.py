"""Everything done with the keyboard alone, in real Chromium: no mouse click anywhere here. The
framework editor's reordering, the mapping grid, choosing and coding an excerpt of a transcript,
and the main forms; what changed is said in the page's live region."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from competencies.models import Framework
from competencies.services.editing import capability_create, domain_create, framework_create
from courses.models import OutcomeMapping
from eisen.roles import Role
from evaluation.models import Excerpt
from tests.browser.test_framework_editor_in_chromium import PASSWORD, codes, wait_for_htmx
from tests.evaluation.factories import (
    CodeFactory,
    FocusGroupFactory,
    ParticipantFactory,
    TranscriptFactory,
)
from tests.factories import (
    CapabilityFactory,
    CourseFactory,
    FrameworkFactory,
    LearningOutcomeFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MOST_TABS = 150


@pytest.fixture
def signed_in(browser, live_server):
    """Opens a new tab signed in as the user given (the sign-in form itself is tested below)."""
    contexts = []

    def open_as(user):
        client = Client()
        client.force_login(user)
        context = browser.new_context()
        contexts.append(context)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_as
    for context in contexts:
        context.close()


def tab_to(page, control, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until `control` has the focus, as someone without a mouse would."""
    key = "Shift+Tab" if backwards else "Tab"
    for _press in range(MOST_TABS):
        if control.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{MOST_TABS} presses of {key} never reached {control}")


def press(page, key: str) -> None:
    page.keyboard.press(key)
    wait_for_htmx(page)


def test_designer_reorders_domains_and_capabilities_with_the_keyboard(live_server, signed_in):
    framework = framework_create(title="Draft", slug="draft")
    knowledge = domain_create(framework=framework, code="K", name="Knowledge")
    domain_create(framework=framework, code="S", name="Skills")
    for code in ("K1", "K2", "K3"):
        capability_create(domain=knowledge, code=code, title=f"Title {code}", description="Why.")
    designer = UserFactory(roles=[Role.CURRICULUM_DESIGNER])
    page = signed_in(designer)
    page.goto(f"{live_server.url}/frameworks/{framework.uuid}/edit/")
    announcer = page.locator("#editor-announcer")

    tab_to(page, page.get_by_role("button", name="Move down: K1"))
    press(page, "Enter")
    assert codes(page) == ["K2", "K1", "K3"]
    expect(page.get_by_role("button", name="Move down: K1")).to_be_focused()
    expect(announcer).to_have_text("K1: now 2 of 3")
    press(page, "Space")
    assert codes(page) == ["K2", "K3", "K1"]
    expect(announcer).to_have_text("K1: now 3 of 3")
    tab_to(page, page.get_by_role("button", name="Move up: K1"), backwards=True)
    press(page, "Enter")
    expect(announcer).to_have_text("K1: now 2 of 3")

    # K1 under K2, the capability above it; then back out.
    tab_to(page, page.get_by_role("button", name="Indent under the capability above: K1"))
    press(page, "Enter")
    expect(page.locator("li[data-code='K2'] li[data-code='K1']")).to_have_count(1)
    expect(announcer).to_have_text("K1: now 1 of 1")
    tab_to(page, page.get_by_role("button", name="Outdent: K1"))
    press(page, "Enter")
    expect(page.locator("li[data-code='K2'] li")).to_have_count(0)

    tab_to(page, page.get_by_role("button", name="Move domain down: Knowledge"))
    press(page, "Enter")
    expect(page.locator("#domains h2")).to_have_text(["Skills (S)", "Knowledge (K)"])
    expect(announcer).to_have_text("Knowledge (K): now 2 of 2")
    expect(page.get_by_role("button", name="Move domain down: Knowledge")).to_be_focused()

    # K3 to the other domain, from its edit form.
    tab_to(page, page.get_by_role("button", name="Edit K3"))
    press(page, "Enter")
    tab_to(page, page.get_by_label("Move to domain"))
    page.keyboard.type("S Skills")
    expect(page.get_by_label("Move to domain")).to_have_value(
        str(framework.domains.get(code="S").uuid)
    )
    tab_to(page, page.get_by_role("button", name="Move", exact=True))
    press(page, "Enter")
    expect(page.locator("section.editor-domain").first.locator("li")).to_have_attribute(
        "data-code", "K3"
    )
    assert list(
        framework.capabilities.order_by("domain__position", "position").values_list(
            "domain__code", "code"
        )
    ) == [("S", "K3"), ("K", "K2"), ("K", "K1")]


def grid_cell(outcome: str, capability: str) -> str:
    return f"{outcome} \N{MULTIPLICATION SIGN} {capability}: "


def test_course_lead_maps_outcomes_in_the_grid_with_the_keyboard(live_server, signed_in):
    framework = FrameworkFactory()
    for code in ("K1", "K2"):
        CapabilityFactory(domain__framework=framework, code=code)
    lead = UserFactory(roles=[Role.COURSE_LEAD])
    course = CourseFactory(framework=framework, leads=[lead])
    for code in ("LO1", "LO2"):
        LearningOutcomeFactory(course=course, code=code)
    page = signed_in(lead)
    page.goto(f"{live_server.url}/courses/{course.uuid}/grid/")

    cell = page.locator(f"button[aria-label^='{grid_cell('LO1', 'K2')}']")
    tab_to(page, cell)
    press(page, "Enter")
    expect(cell).to_have_accessible_name(grid_cell("LO1", "K2") + "Introduced")
    expect(cell).to_be_focused()
    press(page, "Space")
    expect(cell).to_have_accessible_name(grid_cell("LO1", "K2") + "Reinforced")
    expect(cell).to_be_focused()
    expect(page.locator("#grid-status")).not_to_be_empty()
    assert list(OutcomeMapping.objects.values_list("capability__code", "emphasis")) == [("K2", "R")]

    # Many cells, then one save.
    tab_to(page, page.get_by_role("link", name="Change many cells, then save them together"))
    page.keyboard.press("Enter")
    for outcome in ("LO1", "LO2"):
        tab_to(page, page.locator(f"button[aria-label^='{grid_cell(outcome, 'K1')}']"))
        press(page, "Enter")
    save = page.get_by_role("button", name="Save 2 changes")
    tab_to(page, save, backwards=True)
    press(page, "Enter")
    expect(page.locator("#grid-status")).not_to_be_empty()
    assert sorted(
        OutcomeMapping.objects.values_list("outcome__code", "capability__code", "emphasis")
    ) == [("LO1", "K1", "I"), ("LO1", "K2", "R"), ("LO2", "K1", "I")]


def test_evaluator_chooses_words_of_a_turn_and_codes_them_with_the_keyboard(live_server, signed_in):
    focus_group = FocusGroupFactory()
    student = ParticipantFactory(course=focus_group.course, pseudonym="S01")
    transcript = TranscriptFactory(
        focus_group=focus_group,
        turns=[
            ("Facilitator", "What did you learn?"),
            (student, "Partners showed us how services are organised elsewhere."),
        ],
    )
    CodeFactory(name="Learning across countries")
    evaluator = UserFactory(roles=[Role.EVALUATOR])
    page = signed_in(evaluator)
    page.goto(f"{live_server.url}/evaluation/transcripts/{transcript.uuid}/code/")
    announcer = page.locator("#coding-announcer")
    form = page.locator("#new-excerpt")

    tab_to(page, page.get_by_role("list", name="Transcript"))
    page.keyboard.press("ArrowRight")
    expect(announcer).to_have_text("What")
    page.keyboard.press("ArrowDown")
    expect(announcer).to_have_text("Partners")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(announcer).to_have_text("us")
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Shift+ArrowRight")
    passage = "us how services"
    expect(announcer).to_have_text(passage)
    start = transcript.text.index(passage)
    expect(form.get_by_label("From character")).to_have_value(str(start))
    expect(form.get_by_label("To character")).to_have_value(str(start + len(passage)))
    expect(form.locator("[data-coding='preview']")).to_have_text(f"“{passage}”")
    assert page.evaluate("String(window.getSelection())") == passage
    # Shift with the left arrow gives words back; Enter takes the choice to the form.
    page.keyboard.press("Shift+ArrowLeft")
    passage = "us how"
    expect(announcer).to_have_text(passage)
    page.keyboard.press("Enter")
    expect(form.get_by_label("From character")).to_be_focused()
    expect(form.get_by_label("To character")).to_have_value(str(start + len(passage)))

    tab_to(page, form.get_by_label("Learning across countries"))
    page.keyboard.press("Space")
    tab_to(page, form.get_by_role("button", name="Save the excerpt"))
    press(page, "Enter")
    saved = f"The excerpt from {start} to {start + len(passage)} is saved."
    expect(announcer).to_have_text(saved)
    expect(page.locator("#new-excerpt")).to_be_focused()
    excerpt = Excerpt.objects.get()
    assert (excerpt.start, excerpt.end, excerpt.participant) == (
        start,
        start + len(passage),
        student,
    )
    assert list(excerpt.codes.values_list("name", flat=True)) == ["Learning across countries"]


def test_designer_signs_in_and_builds_a_framework_with_the_keyboard(live_server, page):
    UserFactory(username="designer", roles=[Role.CURRICULUM_DESIGNER])
    page.goto(f"{live_server.url}/accounts/login/")
    tab_to(page, page.get_by_label("Username"))
    page.keyboard.type("designer")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Signed in as designer")).to_be_visible()

    tab_to(page, page.get_by_role("link", name="New framework"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_label("Title"))
    page.keyboard.type("Keyboard competencies")
    tab_to(page, page.get_by_label("Slug"))
    page.keyboard.type("keyboard")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Framework created.")).to_be_visible()

    tab_to(page, page.locator("summary", has_text="Add a domain"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_label("Code"))
    page.keyboard.type("K")
    page.keyboard.press("Tab")
    page.keyboard.type("Knowledge")
    tab_to(page, page.get_by_role("button", name="Add domain"))
    press(page, "Enter")
    tab_to(page, page.locator("summary", has_text="Add a capability to Knowledge"))
    page.keyboard.press("Space")
    form = page.locator("form:has(button:text('Add capability'))")
    tab_to(page, form.get_by_label("Code"))
    page.keyboard.type("K1")
    tab_to(page, form.get_by_label("Capability"))
    page.keyboard.type("Local knowledge")
    tab_to(page, form.get_by_role("button", name="Add capability"))
    press(page, "Enter")
    expect(page.locator("li[data-code='K1']")).to_contain_text("Local knowledge")
    framework = Framework.objects.get(slug="keyboard")
    assert list(framework.capabilities.values_list("code", "title")) == [("K1", "Local knowledge")]


def test_course_lead_adds_an_outcome_with_the_keyboard(live_server, signed_in):
    lead = UserFactory(roles=[Role.COURSE_LEAD])
    course = CourseFactory(code="IMP701", leads=[lead])
    page = signed_in(lead)
    page.goto(f"{live_server.url}{course.get_absolute_url()}")
    tab_to(page, page.get_by_role("textbox", name="Learning outcome"))
    page.keyboard.type("Critically appraise implementation frameworks")
    tab_to(page, page.get_by_role("button", name="Add outcome"))
    press(page, "Enter")
    expect(page.get_by_text("Bloom: Analyse")).to_be_visible()
    assert list(course.outcomes.values_list("code", flat=True)) == ["LO1"]
