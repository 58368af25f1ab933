"""A designer imports a Moodle file, then updates the draft from an edited workbook, in Chromium."""

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from competencies.models import Framework
from eisen.roles import Role
from tests.browser.test_framework_editor_in_chromium import (
    PASSWORD,
    assert_accessible,
    sign_in,
)
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MOODLE_FILE = (
    Path(__file__).parent.parent / "competencies" / "data" / "moodle_lpimportcsv_example_OECD.csv"
)


def _edited_workbook(content: bytes, code: str, title: str) -> bytes:
    workbook = load_workbook(io.BytesIO(content))
    items = workbook["Items"]
    headers = [cell.value for cell in items[1]]
    code_column, title_column = headers.index("code"), headers.index("title")
    for row in items.iter_rows(min_row=2):
        if row[code_column].value == code:
            row[title_column].value = title
    edited = io.BytesIO()
    workbook.save(edited)
    return edited.getvalue()


def test_designer_imports_moodle_csv_and_updates_the_draft_from_a_workbook(
    live_server, page, tmp_path
):
    UserFactory(username="dana", password=PASSWORD, roles=[Role.CURRICULUM_DESIGNER])
    sign_in(page, live_server, "dana")

    page.goto(f"{live_server.url}/frameworks/")
    page.get_by_role("link", name="Import a framework").click()
    assert_accessible(page)
    page.get_by_label("File").set_input_files(str(MOODLE_FILE))
    page.get_by_role("button", name="Import").click()

    expect(page.get_by_role("heading", name="Import report")).to_be_visible()
    expect(page.get_by_test_id("import-report")).to_contain_text("scale")
    expect(page.get_by_test_id("summary-capabilities")).to_have_text("62")
    assert_accessible(page)
    page.get_by_role("link", name="Open the framework").click()
    framework = Framework.objects.get()
    expect(page.get_by_role("heading", level=1)).to_contain_text(framework.title)

    with page.expect_download() as download:
        page.get_by_role("link", name="Workbook (XLSX)").click()
    workbook = tmp_path / "edited.xlsx"
    workbook.write_bytes(
        _edited_workbook(Path(download.value.path()).read_bytes(), "level-1", "Level one")
    )

    page.get_by_role("link", name="Update from a file").click()
    page.get_by_label("File").set_input_files(str(workbook))
    page.get_by_role("button", name="Preview the changes").click()
    changed = page.get_by_test_id("plan-changed")
    expect(changed).to_contain_text("level-1")
    expect(changed).to_contain_text("Level one")
    assert page.get_by_test_id("plan-added").count() == 0
    assert_accessible(page)

    page.get_by_role("button", name="Apply these changes").click()
    expect(page.locator(".messages")).to_contain_text("were applied")
    assert framework.capabilities.get(code="level-1").title == "Level one"
