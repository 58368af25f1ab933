"""axe-core on every page of the app, in real Chromium, with no serious or critical violation;
and the focus seen on each element of the main pages that Tab reaches.

Every route of the URL configuration that the permission matrix knows (tests/permissions) and that
answers GET is opened in Chromium, in the matrix's world, as a role the matrix lets read it
(administrators where they may: they are shown the most), and each HTML page is checked. A route
added later is checked by the same loop; one that answers with a piece of a page (for htmx) must be
listed in FRAGMENTS and opened in its page by the test of the important states, which fails
otherwise.

The API's routes are asked for as the API's clients ask, and only its documentation is a page: the
browsable API that DRF gives a browser is DRF's own and is not checked here.
"""

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.urls import resolve
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect
from rest_framework.renderers import BrowsableAPIRenderer
from rest_framework.views import APIView

from eisen.models import ExportJob
from tests.browser.accessibility import (
    finish_axe,
    focused_element_indicator,
    load_axe_in_every_page,
    serious_violations,
    start_axe,
)
from tests.browser.test_framework_editor_in_chromium import wait_for_htmx
from tests.eisen.export_kind_fixtures import ExportJobFactory
from tests.permissions.conftest import _build
from tests.permissions.table import ADMINISTRATOR, ANONYMOUS, EVALUATOR, IDENTITY_KEEPERS
from tests.permissions.test_matrix import ROUTES, _path, _rule, _variants

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: Routes that answer GET with a piece of a page, swapped in by htmx, and where it is checked.
FRAGMENTS = {
    "competencies:framework_metadata": "the editor with its forms open",
    "competencies:domain_edit": "the editor with its forms open",
    "competencies:capability_edit": "the editor with its forms open",
    "evaluation:excerpt_capability_row": "the coding page with an excerpt being edited",
}
#: The persona given here the permission that readers of the real names need and no role gives.
IDENTITY_KEEPER = EVALUATOR


@pytest.fixture
def world(live_server):
    world = _build(Path(settings.MEDIA_ROOT))
    world.users[IDENTITY_KEEPER].user_permissions.add(
        Permission.objects.get(codename="view_identity_key")
    )
    return world


class Browser:
    """Tabs signed in with the world's session of each persona: a browser context per persona,
    and as many tabs in it as asked for."""

    def __init__(self, browser, live_server, world):
        self.browser, self.url, self.world = browser, live_server.url, world
        self.contexts, self.tabs = {}, {}

    def tab(self, persona: str, number: int = 0):
        if persona not in self.contexts:
            context = self.browser.new_context()
            load_axe_in_every_page(context)
            if persona != ANONYMOUS:
                context.add_cookies(
                    [
                        {
                            "name": settings.SESSION_COOKIE_NAME,
                            "value": self.world.sessions[persona],
                            "url": self.url,
                        }
                    ]
                )
            self.contexts[persona] = context
        if (persona, number) not in self.tabs:
            page = self.contexts[persona].new_page()
            page.set_default_timeout(15_000)
            self.tabs[persona, number] = page
        return self.tabs[persona, number]

    def open(self, persona: str, path: str, number: int = 0):
        page = self.tab(persona, number)
        page.goto(self.url + path)
        return page

    def close(self):
        for context in self.contexts.values():
            context.close()


@pytest.fixture
def tabs(browser, live_server, world):
    opened = Browser(browser, live_server, world)
    yield opened
    opened.close()


def _reader(route, rule) -> str | None:
    """Who opens the page: administrators where they may, as they are shown the most; None when
    nobody may."""
    if rule.read is IDENTITY_KEEPERS:
        return IDENTITY_KEEPER
    allowed = rule.read.allowed
    return ADMINISTRATOR if ADMINISTRATOR in allowed else min(allowed, default=None)


def _drf_html_page(path: str) -> bool | None:
    """Whether a DRF view serves an HTML page of its own (the API's documentation) rather than
    data; None for a view of another kind. The browsable API that DRF adds to the data is not."""
    callback = resolve(path).func
    view_class = getattr(callback, "cls", None)
    if view_class is None or not issubclass(view_class, APIView):
        return None
    return any(
        renderer.format == "html" and not issubclass(renderer, BrowsableAPIRenderer)
        for renderer in view_class.renderer_classes
    )


def _client_answer(world, persona: str, path: str) -> str:
    """ "page", "fragment" or "other" (a file, data, a redirect), as the test client is answered."""
    response = world.client(persona).get(path)
    if response.streaming:
        b"".join(response.streaming_content)
        return "other"
    if response.status_code >= 300 or not response["Content-Type"].startswith("text/html"):
        return "other"
    return "page" if b"<html" in response.content[:1000].lower() else "fragment"


def _browser_answer(page, url: str) -> tuple[str, str]:
    """ "page", "fragment", "redirect" (with where to) or "file" (with its type), as the browser
    opening `url` is answered."""
    try:
        response = page.goto(url)
    except PlaywrightError as error:
        if "Download is starting" in error.message:
            return "file", "a download"
        raise
    if response.request.redirected_from is not None:
        return "redirect", response.url
    if not response.headers.get("content-type", "").startswith("text/html"):
        return "file", response.headers.get("content-type", "")
    if b"<html" in response.body()[:1000].lower():
        return "page", str(response.status)
    return "fragment", str(response.status)


SURELY_PAGES = (
    "competencies:framework_list",
    "competencies:framework_editor",
    "courses:course_create",
    "courses:grid",
    "coverage:coverage",
    "evaluation:coding",
    "evaluation:participant_identity",
    "exports:export_detail",
    "login",
    "api-docs",
    "api-redoc",
)
#: Pages checked at once, each in its tab: axe-core runs in one while the next ones load.
TABS_AT_ONCE = 4


def test_every_page_has_no_serious_or_critical_violation(world, tabs, live_server):
    checked, problems = [], []
    running = {}  # tab number: (what is checked, its page)

    def finish(number):
        if number in running:
            what, page = running.pop(number)
            problems.extend(f"{what}: {found}" for found in finish_axe(page))

    for route in ROUTES:
        if "get" not in route.methods:
            continue
        for variant in _variants(route):
            rule = _rule(route, variant)
            # The permission matrix fails for a route missing from its table.
            persona = rule and rule.read and _reader(route, rule)
            if persona is None:
                continue
            path = _path(world, route, variant)
            what = f"{route.name}{f'@{variant}' if variant else ''} as {persona} ({path})"
            if route.api:
                # Asked as the API's clients ask; only its documentation is a page for people.
                html_page = _drf_html_page(path)
                if html_page is None:
                    html_page = _client_answer(world, persona, path) == "page"
                if not html_page:
                    continue
            number = len(checked) % TABS_AT_ONCE
            finish(number)
            page = tabs.tab(persona, number)
            kind, detail = _browser_answer(page, live_server.url + path)
            if kind == "fragment" and route.name not in FRAGMENTS:
                problems.append(
                    f"{what} answers a piece of a page: list it in FRAGMENTS and open it in its "
                    "page in a test of the important states"
                )
            elif kind == "redirect" and not detail.startswith(live_server.url):
                problems.append(f"{what} sends the browser off the site, to {detail}")
            elif kind == "page":
                start_axe(page)
                running[number] = (what, page)
                checked.append(route.name)
    for number in list(running):
        finish(number)
    assert problems == [], "\n".join(problems)
    # Pages of each part of the app, each kind of page and the API's documentation were checked,
    # not taken for files or fragments.
    assert set(SURELY_PAGES) - set(checked) == set()


# The important states: what a page shows only after something was done on it ------------------


class FragmentsSeen:
    """The routes of the HTML fragments the pages fetched, by route name."""

    def __init__(self):
        self.names = set()

    def watch(self, page):
        page.on("response", self._seen)

    def _seen(self, response):
        if response.request.headers.get("hx-request") and "text/html" in response.headers.get(
            "content-type", ""
        ):
            self.names.add(resolve(urlsplit(response.url).path).view_name)


def check(page, state: str, problems: list[str]) -> None:
    wait_for_htmx(page)
    problems += [f"{state}: {found}" for found in serious_violations(page)]


def submit_without_browser_checks(page, form) -> None:
    """Send the form as it is, past the browser's own checks, so the server's errors show."""
    form.evaluate("form => { form.noValidate = true; form.requestSubmit(); }")
    page.wait_for_load_state("load")


#: Pages whose main form, sent empty, comes back with the errors named by field.
FORMS_SENT_EMPTY = (
    ("competencies:framework_create", "", ADMINISTRATOR),
    ("courses:course_create", "", ADMINISTRATOR),
    ("courses:institution_create", "", ADMINISTRATOR),
    ("evaluation:focus_group_create", "", ADMINISTRATOR),
    ("evaluation:participant_create", "", ADMINISTRATOR),
    ("evaluation:code_new", "", ADMINISTRATOR),
    ("evaluation:action_create", "", ADMINISTRATOR),
    ("competencies:framework_import", "", ADMINISTRATOR),
    ("login", "", ANONYMOUS),
)


def test_pages_in_their_important_states_have_no_serious_or_critical_violation(world, tabs):
    routes = {route.name: route for route in ROUTES}
    problems = []
    fragments = FragmentsSeen()

    for name, variant, persona in FORMS_SENT_EMPTY:
        page = tabs.open(persona, _path(world, routes[name], variant))
        form = page.locator("main form[method=post]").filter(has=page.locator("input, select"))
        submit_without_browser_checks(page, form.last)
        errors = page.locator("main .errorlist, main .error, main [role=alert]")
        expect(errors.first).to_be_visible()
        check(page, f"{name} sent empty", problems)

    # The editor of the draft with the title, a domain and a capability open for editing, the
    # forms for adding open, and a capability saved without its title.
    draft = world.frameworks["draft"]
    page = tabs.open(ADMINISTRATOR, f"/frameworks/{draft.framework.uuid}/edit/")
    fragments.watch(page)
    page.get_by_role("button", name="Edit title and description").click()
    page.get_by_role("button", name=f"Edit domain {draft.domain.name}").click()
    for summary in page.locator("#domains details.add-form > summary").all():
        summary.click()
    page.get_by_role("button", name="Edit K2").click()
    wait_for_htmx(page)
    capability_form = page.locator("form[aria-label='Edit K2']")
    capability_form.locator("input[name=title], textarea[name=title]").fill("")
    submit_without_browser_checks(page, capability_form)
    expect(page.locator("form[aria-label='Edit K2'] .error").first).to_be_visible()
    check(page, "the editor with its forms open", problems)

    # The heatmap of the course, whose outcome maps to a capability.
    course = world.objects["course"]
    page = tabs.open(ADMINISTRATOR, f"/coverage/?course={course.uuid}")
    expect(page.locator("main table").first).to_be_visible()
    check(page, "the coverage heatmap of a course", problems)

    # The mapping grid with a change waiting to be saved.
    page = tabs.open(ADMINISTRATOR, f"/courses/{course.uuid}/grid/?mode=batch")
    page.locator(".grid-button").first.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".grid-button.is-pending")).to_have_count(1)
    check(page, "the mapping grid with a change to save", problems)

    # The coding page with its excerpt being edited, and a second capability row added.
    transcript = world.objects["transcript"]
    page = tabs.open(ADMINISTRATOR, f"/evaluation/transcripts/{transcript.uuid}/code/")
    fragments.watch(page)
    expect(page.locator(".excerpt-card")).to_have_count(1)
    page.locator(".excerpt-card .row-actions a").first.click()
    wait_for_htmx(page)
    page.locator(".excerpt-card--editing").get_by_role(
        "button", name="Add another capability"
    ).click()
    check(page, "the coding page with an excerpt being edited", problems)

    # An export on its way, its progress shown and polled.
    job = ExportJobFactory(kind="curriculum", running=True, requested_by=world.users[ADMINISTRATOR])
    page = tabs.open(ADMINISTRATOR, f"/exports/{job.uuid}/")
    expect(page.get_by_role("progressbar")).to_be_visible()
    check(page, "an export in progress", problems)
    page = tabs.open(ADMINISTRATOR, "/exports/")
    check(page, "the exports with one in progress", problems)
    assert ExportJob.objects.filter(status=ExportJob.Status.RUNNING).exists()

    assert problems == [], "\n".join(problems)
    assert sorted(set(FRAGMENTS) - fragments.names) == [], "fragments no state opened"


# Visible focus -----------------------------------------------------------------------------------

#: The main pages, by route name and the world's variant, and who opens them.
MAIN_PAGES = (
    ("competencies:framework_list", "", ANONYMOUS),
    ("competencies:framework_detail", "published", ADMINISTRATOR),
    ("competencies:framework_editor", "draft", ADMINISTRATOR),
    ("competencies:capability_detail", "published", ADMINISTRATOR),
    ("courses:course_detail", "", ADMINISTRATOR),
    ("courses:grid", "", ADMINISTRATOR),
    ("coverage:coverage", "", ADMINISTRATOR),
    ("evaluation:focus_group_detail", "", ADMINISTRATOR),
    ("evaluation:coding", "", ADMINISTRATOR),
    ("exports:export_list", "", ADMINISTRATOR),
    ("login", "", ANONYMOUS),
)
MOST_TABS_PER_PAGE = 60


def test_each_element_tabbed_to_on_the_main_pages_shows_the_focus(world, tabs):
    routes = {route.name: route for route in ROUTES}
    unseen, reached = [], 0
    for name, variant, persona in MAIN_PAGES:
        page = tabs.open(persona, _path(world, routes[name], variant))
        first = None
        for _press in range(MOST_TABS_PER_PAGE):
            page.keyboard.press("Tab")
            focused = focused_element_indicator(page)
            if focused is None:
                continue
            key = (focused["tag"], focused["name"])
            if key == first:
                break  # round the page and back to the start
            first = first or key
            reached += 1
            if not focused["outline"] and not focused["shadow"]:
                unseen.append(f"{name}: <{focused['tag']}> “{focused['name']}”")
    assert unseen == [], "focus not shown on:\n" + "\n".join(unseen)
    assert reached > 200
