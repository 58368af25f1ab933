import re

import pytest
from playwright.sync_api import expect

from eisen.roles import Role
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_signed_in_reader_opens_the_eisen_framework_and_sees_three_domain_tables(
    live_server, page, eisen_framework
):
    UserFactory(username="lead", roles=[Role.COURSE_LEAD])

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("lead")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as lead")).to_be_visible()

    page.get_by_role("link", name="EISEN Competency Framework").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("EISEN Competency Framework")
    tables = page.locator("table.capability-table")
    expect(tables).to_have_count(3)
    for table, (domain, count) in zip(
        tables.all(), [("Knowledge", 6), ("Skills", 5), ("Attitudes", 4)], strict=True
    ):
        expect(table.locator("thead")).to_contain_text(f"{domain} capabilities")
        expect(table.locator("tbody tr")).to_have_count(count)
    expect(page.locator("tbody tr")).to_have_count(15)

    page.get_by_role("link", name="Leadership and Political skills").click()
    expect(page).to_have_url(re.compile(r"/capabilities/[0-9a-f-]+/$"))
    expect(page.get_by_text("A3 Committed to impact")).to_be_visible()


def test_search_box_finds_capabilities_as_you_type(live_server, page, eisen_framework):
    page.goto(f"{live_server.url}/capabilities/")
    page.locator("#id_q").fill("boundaries")
    results = page.locator("#search-results")
    expect(results).to_contain_text("Working with multiple communities")
    expect(page).to_have_url(re.compile(r"q=boundaries"))
