"""A curriculum designer's day in the framework editor, in real Chromium."""

import re

import pytest
from playwright.sync_api import expect

from competencies.models import Framework
from eisen.roles import Role
from tests.browser.accessibility import assert_accessible
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {username}")).to_be_visible()


def codes(page):
    return page.locator("#domains li.capability-item").evaluate_all(
        "items => items.map(item => item.dataset.code)"
    )


def wait_for_htmx(page):
    """Until htmx has swapped and settled what the last request brought."""
    # A locator, not wait_for_function: the site's Content-Security-Policy forbids the eval that
    # a predicate given as a string runs on.
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling")).to_have_count(0)


def add_capability(page, code, title):
    page.get_by_text("Add a capability to Knowledge").click()
    form = page.locator("form:has(button:text('Add capability'))")
    form.get_by_label("Code").fill(code)
    form.get_by_label("Capability").fill(title)
    form.get_by_label("Description").fill(f"What {title.lower()} means.")
    form.get_by_role("button", name="Add capability").click()
    expect(page.locator(f"li[data-code='{code}']")).to_be_visible()


def test_designer_builds_publishes_versions_and_compares(live_server, page):
    UserFactory(username="designer", roles=[Role.CURRICULUM_DESIGNER])
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, live_server, "designer")

    page.get_by_role("link", name="New framework").click()
    page.get_by_label("Title").fill("Implementation competencies")
    page.get_by_label("Slug").fill("implementation")
    page.get_by_role("button", name="Create framework").click()
    expect(page.get_by_text("Framework created.")).to_be_visible()

    page.get_by_text("Add a domain").click()
    page.get_by_label("Code").fill("K")
    page.get_by_label("Name").fill("Knowledge")
    page.get_by_role("button", name="Add domain").click()
    for code, title in (("K1", "Local knowledge"), ("K2", "Systems knowledge"), ("K3", "Theory")):
        add_capability(page, code, title)
    assert codes(page) == ["K1", "K2", "K3"]
    assert_accessible(page)

    # Drag K3 above K1.
    handle = page.locator("li[data-code='K3'] .drag-handle")
    target = page.locator("li[data-code='K1'] .capability-row")
    handle_box, target_box = handle.bounding_box(), target.bounding_box()
    page.mouse.move(handle_box["x"] + 4, handle_box["y"] + 4)
    page.mouse.down()
    page.mouse.move(target_box["x"] + 20, target_box["y"] + 2, steps=12)
    page.mouse.move(target_box["x"] + 20, target_box["y"] + 1, steps=4)
    with page.expect_response(lambda response: response.url.endswith("/drop/")):
        page.mouse.up()
    wait_for_htmx(page)
    assert codes(page) == ["K3", "K1", "K2"]

    # Move K1 down with the keyboard; focus stays on the button for the next press.
    button = page.get_by_role("button", name="Move down: K1")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#domains li.capability-item").last).to_have_attribute("data-code", "K1")
    assert codes(page) == ["K3", "K2", "K1"]
    expect(page.get_by_role("button", name="Move down: K1")).to_be_focused()

    page.get_by_role("button", name="Publish this version").click()
    expect(page.get_by_text("is published")).to_be_visible()

    page.get_by_role("link", name="Versions and links").click()
    expect(page.get_by_text("read-only")).to_be_visible()
    page.get_by_label("New version").fill("2.0")
    page.get_by_role("button", name="Start new version").click()
    expect(page.get_by_text("Version 2.0 started as a draft.")).to_be_visible()

    page.get_by_role("button", name="Edit K2").click()
    form = page.locator("form[aria-label='Edit K2']")
    form.get_by_label("Description").fill("How services and systems of care are organised.")
    form.get_by_role("button", name="Save").click()
    expect(page.locator("form[aria-label='Edit K2']")).to_have_count(0)

    page.get_by_role("link", name="Compare versions").click()
    expect(page.locator(".lead")).to_contain_text("0 added, 0 removed, 0 moved, 1 changed.")
    change = page.locator("article.change")
    expect(change).to_contain_text("K2 Systems knowledge")
    expect(change.locator("ins").first).to_be_visible()
    expect(change.locator("del").first).to_contain_text("What")
    assert_accessible(page)
    assert Framework.objects.filter(slug="implementation").count() == 2


def test_second_editor_sees_the_conflict_and_keeps_their_text(live_server, browser):
    from competencies.services.editing import capability_create, domain_create, framework_create

    framework = framework_create(title="Shared draft", slug="shared")
    domain = domain_create(framework=framework, code="K", name="Knowledge")
    capability_create(domain=domain, code="K1", title="Local knowledge", description="First text.")
    UserFactory(username="anna", roles=[Role.CURRICULUM_DESIGNER])
    UserFactory(username="ben", roles=[Role.CURRICULUM_DESIGNER])
    editor_url = f"{live_server.url}/frameworks/{framework.uuid}/edit/"

    pages = {}
    for name in ("anna", "ben"):
        page = browser.new_context().new_page()
        sign_in(page, live_server, name)
        page.goto(editor_url)
        page.get_by_role("button", name="Edit K1").click()
        pages[name] = page

    anna_form = pages["anna"].locator("form[aria-label='Edit K1']")
    anna_form.get_by_label("Description").fill("Anna's text.")
    anna_form.get_by_role("button", name="Save").click()
    expect(pages["anna"].locator("form[aria-label='Edit K1']")).to_have_count(0)

    ben_form = pages["ben"].locator("form[aria-label='Edit K1']")
    ben_form.get_by_label("Description").fill("Ben's text.")
    ben_form.get_by_role("button", name="Save").click()
    conflict = pages["ben"].locator(".conflict")
    expect(conflict).to_contain_text("Someone else saved this capability")
    expect(conflict.locator("[data-testid='their-description']")).to_have_text("Anna's text.")
    expect(
        pages["ben"].locator("form[aria-label='Edit K1']").get_by_label("Description")
    ).to_have_value("Ben's text.")
    assert_accessible(pages["ben"])


def test_course_lead_sees_no_edit_controls(live_server, page, eisen_framework):
    UserFactory(username="lead", roles=[Role.COURSE_LEAD])
    sign_in(page, live_server, "lead")
    page.goto(f"{live_server.url}{eisen_framework.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("EISEN Competency Framework")
    expect(page.get_by_role("link", name=re.compile("^(Edit|Versions and links)$"))).to_have_count(
        0
    )
    expect(page.get_by_role("link", name="New framework")).to_have_count(0)
    page.get_by_role("link", name="Local knowledge").click()
    expect(page.get_by_role("link", name="Edit in the framework editor")).to_have_count(0)
    expect(page.get_by_label("Your comment")).to_be_visible()
