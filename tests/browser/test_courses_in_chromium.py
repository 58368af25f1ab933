"""A course lead writes an outcome, maps it two ways and sees coverage change, in real Chromium."""

import re

import pytest
from playwright.sync_api import expect

from courses.models import OutcomeMapping
from eisen.roles import Role
from tests.browser.test_framework_editor_in_chromium import (
    assert_accessible,
    sign_in,
    wait_for_htmx,
)
from tests.factories import CourseFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def grid_cell(outcome: str, capability: str) -> str:
    """The start of a grid cell's accessible name: outcome, times sign, capability, colon."""
    return f"{outcome} \N{MULTIPLICATION SIGN} {capability}: "


def open_coverage(page, course):
    page.get_by_role("link", name="Coverage", exact=True).last.click()
    expect(page.get_by_role("heading", name="Heatmap")).to_be_visible()
    assert f"course={course.uuid}" in page.url


def test_course_lead_maps_an_outcome_and_sees_coverage_change(live_server, page, eisen_framework):
    lead = UserFactory(username="lead", roles=[Role.COURSE_LEAD])
    course = CourseFactory(
        code="IMP701", title="Implementation in practice", framework=eisen_framework, leads=[lead]
    )
    capabilities = eisen_framework.capabilities.count()
    sign_in(page, live_server, "lead")

    page.goto(f"{live_server.url}{course.get_absolute_url()}")
    page.get_by_role("textbox", name="Learning outcome").fill(
        "Critically appraise implementation frameworks for a local service"
    )
    page.get_by_role("button", name="Add outcome").click()
    expect(page.get_by_text("Bloom: Analyse")).to_be_visible()

    open_coverage(page, course)
    expect(page.get_by_test_id("unmapped-capabilities")).to_contain_text(
        f"{capabilities} capabilities no outcome maps to"
    )
    expect(page.get_by_test_id("unmapped-outcomes")).to_contain_text(
        "1 learning outcome mapped to nothing"
    )
    page.goto(f"{live_server.url}{course.get_absolute_url()}")

    # The picker: Mastered for K1.
    page.get_by_role("link", name="Map LO1").click()
    page.get_by_label("Find a capability").fill("interdisciplinary")
    page.get_by_label("Find a capability").press("Enter")
    expect(page.get_by_role("heading", name=re.compile("matches"))).to_be_visible()
    page.get_by_label("Emphasis for K1").select_option(label="Mastered")
    page.get_by_role("button", name="Map K1").click()
    expect(page.get_by_role("heading", name="LO1 maps to 1 capability")).to_be_visible()

    # The grid: a click on the empty LO1, K2 cell introduces it and is saved in place.
    page.get_by_role("link", name="Mapping grid").click()
    cell = page.get_by_role("button", name=re.compile("^" + grid_cell("LO1", "K2")))
    cell.click()
    wait_for_htmx(page)
    expect(page.get_by_role("button", name=grid_cell("LO1", "K2") + "Introduced")).to_be_visible()
    expect(page.get_by_role("button", name=grid_cell("LO1", "K1") + "Mastered")).to_be_visible()
    assert_accessible(page)
    assert sorted(
        OutcomeMapping.objects.filter(outcome__course=course).values_list(
            "capability__code", "emphasis"
        )
    ) == [("K1", "M"), ("K2", "I")]

    page.goto(f"{live_server.url}{course.get_absolute_url()}")
    open_coverage(page, course)
    mastered = page.get_by_role("link", name="K1 in IMP701: Mastered, by LO1")
    expect(mastered).to_be_visible()
    mastered.focus()
    expect(page.get_by_role("tooltip").filter(has_text="LO1")).to_be_visible()
    expect(page.get_by_test_id("unmapped-capabilities")).to_contain_text(
        f"{capabilities - 2} capabilities no outcome maps to"
    )
    expect(page.get_by_test_id("introduced-only")).to_contain_text(
        "1 capability only ever Introduced"
    )
    expect(page.get_by_test_id("unmapped-outcomes")).to_contain_text(
        "0 learning outcomes mapped to nothing"
    )
    assert_accessible(page)
