"""An administrator asks for the curriculum PDF, watches its progress bar advance while a worker
builds it, downloads it and removes it, in real Chromium; the same form by keyboard alone; what a
curriculum designer and an evaluator are offered.

The live server must not build the export inside the request (the eager Celery of the tests would
finish it before the page shows): `_send` is replaced by a thread of the test process that runs
the task body, and each stage of the build is held for a moment so that the polls can see it.
"""

import hashlib
import re
import threading
import time
from pathlib import Path

import pytest
from django.db import connection, connections
from django.template.defaultfilters import filesizeformat
from playwright.sync_api import expect
from pypdf import PdfReader

from competencies.models import Capability
from courses.curriculum_pdf.form import SECTIONS
from courses.models import Programme
from courses.services.samples import eisen_sample_courses_load
from eisen import exports
from eisen.models import ExportJob
from eisen.roles import Role
from tests.browser.test_evaluation_in_chromium import tab_to
from tests.browser.test_framework_editor_in_chromium import assert_accessible, sign_in
from tests.eisen.export_kind_fixtures import pdf_text
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROGRAMME = "MSc in Implementation in Health and Social Care (example)"
PROGRAMME_OPTION = f"{PROGRAMME} (Western Norway University of Applied Sciences)"
NEW_CURRICULUM = "New Curriculum export"
NEW_EVALUATION_REPORT = "New Evaluation report export"
NEW_EXPORT = re.compile(r"^New .* export$")
#: Longer than the one-second poll of the progress partial, so that every stage is seen.
STAGE_SECONDS = 1.5
BUILD_TIMEOUT_MS = 30_000

#: Run in the page before its own scripts: the progress partial's status and bar at the first
#: render and after each htmx poll has settled.
RECORD_PROGRESS = """
window.seenProgress = [];
const recordProgress = () => {
    const region = document.querySelector("[data-testid=export-progress]");
    if (!region) return;
    const bar = region.querySelector("progress");
    window.seenProgress.push({status: region.dataset.status, value: bar ? bar.value : null});
};
document.addEventListener("DOMContentLoaded", recordProgress);
document.addEventListener("htmx:afterSettle", recordProgress);
"""


@pytest.fixture
def framework_with_courses(eisen_framework):
    """The EISEN framework and its example programmes and courses."""
    eisen_sample_courses_load()
    return eisen_framework


@pytest.fixture
def exports_built_in_background(monkeypatch, live_server):
    """Exports are built by a thread of the test process, as a worker would, with every stage
    held for STAGE_SECONDS; the threads are waited for, and their errors raised, at the end."""
    threads: list[threading.Thread] = []
    errors: list[BaseException] = []
    # An in-memory SQLite database is one connection that the live server shares with the test;
    # the builder shares it too. PostgreSQL gives the thread a connection of its own.
    shared_connections = dict(live_server.thread.connections_override)

    def build(job_pk: int) -> None:
        for alias, shared in shared_connections.items():
            connections[alias] = shared
        try:
            exports.run_export(job_pk)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    def send(job: ExportJob) -> None:
        thread = threading.Thread(target=build, args=(job.pk,), name=f"export-{job.pk}")
        threads.append(thread)
        thread.start()

    claim, record_stage = exports._claim, exports._record_stage

    def claim_and_hold(job_pk, **delivery):
        job = claim(job_pk, **delivery)
        time.sleep(STAGE_SECONDS)
        return job

    def record_and_hold(job, stage):
        record_stage(job, stage)
        time.sleep(STAGE_SECONDS)

    monkeypatch.setattr(exports, "_send", send)
    monkeypatch.setattr(exports, "_claim", claim_and_hold)
    monkeypatch.setattr(exports, "_record_stage", record_and_hold)
    yield threads
    for thread in threads:
        thread.join(timeout=BUILD_TIMEOUT_MS / 1000)
        assert not thread.is_alive(), f"{thread.name} is still building"
    assert errors == []


@pytest.fixture
def ready_curriculum_export(framework_with_courses, administrator):
    """A curriculum export of the MSc programme, built for real (tasks run eagerly here)."""
    programme = Programme.objects.get(name=PROGRAMME)
    job = exports.start_export(
        "curriculum",
        {"framework": str(framework_with_courses.uuid), "programme": str(programme.pk)},
        administrator,
    )
    job.refresh_from_db()
    assert job.status == ExportJob.Status.READY, job.error
    return job


def open_new_curriculum_export(page, live_server):
    page.goto(live_server.url)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Exports").click()
    expect(page.get_by_role("heading", name="PDF exports", level=1)).to_be_visible()
    page.get_by_role("link", name=NEW_CURRICULUM).click()
    expect(page.get_by_role("heading", name=NEW_CURRICULUM, level=1)).to_be_visible()


def wait_until_ready(page):
    expect(page.get_by_test_id("export-progress")).to_have_attribute(
        "data-status", "ready", timeout=BUILD_TIMEOUT_MS
    )


def test_administrator_watches_the_progress_bar_advance_and_downloads_the_pdf(
    live_server, page, framework_with_courses, administrator, exports_built_in_background, tmp_path
):
    page.add_init_script(RECORD_PROGRESS)
    sign_in(page, live_server, "administrator")
    open_new_curriculum_export(page, live_server)
    form = page.get_by_test_id("export-form")
    form.get_by_label("Framework version").select_option(label=str(framework_with_courses))
    form.get_by_label("Programme").select_option(label=PROGRAMME_OPTION)
    for _name, label in SECTIONS:
        expect(form.get_by_role("checkbox", name=str(label))).to_be_checked()
    form.get_by_role("button", name="Start the export").click()

    expect(page.get_by_test_id("export-progress").locator("progress")).to_be_visible()
    wait_until_ready(page)
    job = ExportJob.objects.get()
    assert job.requested_by == administrator
    assert job.parameters["sections"] == [name for name, _label in SECTIONS]
    seen = page.evaluate("window.seenProgress")
    running = [entry["value"] for entry in seen if entry["status"] != "ready"]
    assert running == sorted(running), seen
    assert len({value for value in running if value < 100}) >= 2, seen
    assert seen[-1] == {"status": "ready", "value": None}, seen

    progress = page.get_by_test_id("export-progress")
    expect(progress.get_by_role("heading")).to_have_text("Status: Ready")
    expect(progress.locator("progress")).to_have_count(0)
    facts = progress.locator("dl.facts")
    shown_pages = int(facts.locator("dt:text-is('Pages') + dd").inner_text())
    shown_checksum = facts.locator("dt:text-is('SHA-256') + dd").inner_text()
    with page.expect_download() as download_info:
        progress.get_by_role("link", name=f"Download {job.filename}").click()
    download = download_info.value
    assert download.suggested_filename == job.filename
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    pdf = saved.read_bytes()

    assert hashlib.sha256(pdf).hexdigest() == shown_checksum == job.sha256
    reader = PdfReader(saved)
    assert reader.metadata.title == f"Curriculum: {framework_with_courses}"
    assert len(reader.pages) == shown_pages == job.pages
    text = pdf_text(pdf)
    codes = list(
        Capability.objects.filter(domain__framework=framework_with_courses).values_list(
            "code", flat=True
        )
    )
    assert codes
    assert [code for code in codes if code not in text] == []
    assert "EISEN-MSC-EX" in text


def test_history_shows_the_export_and_an_administrator_removes_it(
    live_server, page, ready_curriculum_export, settings
):
    job = ready_curriculum_export
    stored = Path(settings.MEDIA_ROOT) / job.file.name
    assert stored.exists()
    sign_in(page, live_server, "administrator")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Exports").click()

    row = page.get_by_test_id("export-row")
    expect(row).to_have_count(1)
    cells = row.locator("td")
    expect(cells.nth(0)).to_contain_text(job.title)
    expect(cells.nth(0)).to_contain_text(job.summary)
    expect(cells.nth(1)).to_have_text("administrator")
    expect(cells.nth(3)).to_have_text("Ready")
    expect(cells.nth(4)).to_have_text(filesizeformat(job.size))
    expect(cells.nth(5)).to_have_text(str(job.pages))
    expect(cells.nth(6).locator("code")).to_have_attribute("title", job.sha256)
    expect(cells.nth(6)).to_have_text(job.sha256[:12] + "\N{HORIZONTAL ELLIPSIS}")
    assert_accessible(page)

    row.get_by_role("link", name=f"Remove {job.title}").click()
    expect(page.get_by_role("heading", name="Remove this export?")).to_be_visible()
    page.get_by_role("button", name="Remove").click()
    expect(page.get_by_text(f"The export “{job.title}” was removed.")).to_be_visible()
    expect(page.get_by_test_id("export-row")).to_have_count(0)
    expect(page.get_by_text("No exports yet.")).to_be_visible()
    assert not ExportJob.objects.exists()
    assert not stored.exists()


def test_an_export_without_sections_is_refused_beside_the_field(
    live_server, page, framework_with_courses, administrator, exports_built_in_background
):
    sign_in(page, live_server, "administrator")
    open_new_curriculum_export(page, live_server)
    form = page.get_by_test_id("export-form")
    form.get_by_label("Programme").select_option(label=PROGRAMME_OPTION)
    for _name, label in SECTIONS:
        form.get_by_role("checkbox", name=str(label)).uncheck()
    form.get_by_role("button", name="Start the export").click()

    sections = page.locator(".field").filter(has=page.get_by_role("group", name="Sections"))
    expect(sections.locator(".error")).to_have_text(
        "Choose at least one section: The framework, Course specifications, Coverage matrix, Gaps."
    )
    expect(page.get_by_role("heading", name=NEW_CURRICULUM, level=1)).to_be_visible()
    expect(form.get_by_label("Programme")).to_have_value(
        str(Programme.objects.get(name=PROGRAMME).pk)
    )
    assert ExportJob.objects.count() == 0
    assert exports_built_in_background == []


def test_a_designer_downloads_but_cannot_start_a_curriculum_export(
    live_server, page, ready_curriculum_export
):
    job = ready_curriculum_export
    UserFactory(username="designer", roles=[Role.CURRICULUM_DESIGNER])
    sign_in(page, live_server, "designer")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Exports").click()

    expect(page.get_by_role("heading", name="PDF exports", level=1)).to_be_visible()
    expect(page.locator("main").get_by_role("link", name=NEW_EXPORT)).to_have_count(0)
    row = page.get_by_test_id("export-row")
    expect(row).to_have_count(1)
    expect(row.get_by_role("link", name="Remove", exact=False)).to_have_count(0)
    with page.expect_download() as download_info:
        row.get_by_role("link", name=f"Download {job.filename}").click()
    pdf = Path(download_info.value.path()).read_bytes()
    assert hashlib.sha256(pdf).hexdigest() == job.sha256


def test_an_evaluator_is_offered_evaluation_reports_but_no_curriculum_export(
    live_server, page, ready_curriculum_export
):
    UserFactory(username="evaluator", roles=[Role.EVALUATOR])
    sign_in(page, live_server, "evaluator")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Exports").click()

    expect(page.get_by_role("link", name=NEW_EVALUATION_REPORT)).to_be_visible()
    expect(page.get_by_role("link", name=NEW_CURRICULUM)).to_have_count(0)
    expect(page.get_by_test_id("export-row")).to_have_count(0)
    expect(page.get_by_text("No exports yet.")).to_be_visible()
    response = page.goto(f"{live_server.url}/exports/{ready_curriculum_export.uuid}/")
    assert response.status == 403


def test_keyboard_alone_starts_an_export_and_the_progress_is_announced(
    live_server, page, framework_with_courses, administrator, exports_built_in_background
):
    sign_in(page, live_server, "administrator")
    open_new_curriculum_export(page, live_server)
    assert_accessible(page)
    form = page.get_by_test_id("export-form")

    tab_to(page, form.get_by_label("Framework version"))
    page.keyboard.press("ArrowDown")
    expect(form.get_by_label("Framework version")).to_have_value(str(framework_with_courses.uuid))
    tab_to(page, form.get_by_label("Programme"))
    page.keyboard.type("MSc")
    expect(form.get_by_label("Programme")).to_have_value(
        str(Programme.objects.get(name=PROGRAMME).pk)
    )
    gaps = form.get_by_role("checkbox", name="Gaps")
    tab_to(page, gaps)
    page.keyboard.press("Space")
    expect(gaps).not_to_be_checked()
    tab_to(page, form.get_by_role("button", name="Start the export"))
    page.keyboard.press("Enter")

    stages = "|".join(re.escape(str(label)) for label in ExportJob.Stage.labels)
    announcer = page.get_by_role("status")
    expect(announcer).to_have_attribute("data-testid", "export-announcer")
    expect(announcer).to_have_text(re.compile(rf"^({stages}) \(\d+%\)$"))
    bar = page.get_by_role("progressbar", name="Progress of the export")
    expect(bar).to_have_attribute("aria-describedby", "export-stage")
    assert_accessible(page)
    wait_until_ready(page)
    expect(announcer).to_have_text(re.compile(r"^Ready: curriculum-.+\.pdf can be downloaded\.$"))
    assert_accessible(page)
    job = ExportJob.objects.get()
    assert job.parameters["sections"] == ["framework", "courses", "matrix"]
    assert job.parameters["framework"] == str(framework_with_courses.uuid)
