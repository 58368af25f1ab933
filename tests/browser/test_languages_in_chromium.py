import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_switches_to_swedish_and_back_and_the_choice_follows_them(
    live_server, page, eisen_framework
):
    page.goto(f"{live_server.url}/frameworks/")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_label("Language").select_option("sv")
    page.get_by_role("button", name="Change language").click()

    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page).to_have_url(f"{live_server.url}/frameworks/")
    expect(page.get_by_role("link", name="Logga in")).to_be_visible()
    expect(page.get_by_label("Språk")).to_have_value("sv")

    page.get_by_role("link", name="EISEN Competency Framework").click()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_role("button", name="Byt språk")).to_be_visible()

    page.get_by_label("Språk").select_option("nb")
    page.get_by_role("button", name="Byt språk").click()
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    expect(page.get_by_role("link", name="Logg inn")).to_be_visible()

    page.get_by_label("Språk").select_option("en")
    page.get_by_role("button", name="Bytt språk").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
