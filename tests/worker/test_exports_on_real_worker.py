"""Curriculum exports built by a real Celery worker process through the real Redis broker.

The issue's claim: a render whose worker process is SIGKILLed (as the OOM killer does) runs
again, because its task is acknowledged late and rejected when its worker is lost, and no
half-built PDF is offered meanwhile; a job already started as often as allowed fails instead of
killing worker after worker. They run in the PostgreSQL step of .ci/run, which sets
CELERY_BROKER_URL; the `real_worker` fixture skips them without a broker or on SQLite.
"""

import hashlib
import io
import re
import subprocess
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pypdf
import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from competencies.models import Capability, Framework
from courses.models import Emphasis, LearningOutcome, OutcomeMapping
from eisen.export_files import PART_SUFFIX
from eisen.exports import start_export
from eisen.models import ExportJob
from tests.factories import CourseFactory, DomainFactory, FrameworkFactory, ProgrammeFactory

pytestmark = [pytest.mark.real_worker, pytest.mark.django_db(transaction=True)]

#: Long enough for any export of these tests, kill and re-run included, on a busy machine.
FINISH_TIMEOUT_SECONDS = 120
POLL_SECONDS = 0.1
EXPORTS_URL = "/api/v1/exports/"
EMPHASES = (Emphasis.INTRODUCED, Emphasis.REINFORCED, Emphasis.MASTERED)
STATUS_ORDER = (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING, ExportJob.Status.READY)
FINISHED = (ExportJob.Status.READY, ExportJob.Status.FAILED)


@dataclass
class Observed:
    """What following an export through the API saw."""

    #: The statuses, in the order they were seen, each once.
    statuses: list[str] = field(default_factory=list)
    #: The answers to every download asked for meanwhile, and the SHA-256 of every PDF given.
    download_codes: set[int] = field(default_factory=set)
    downloaded_sha256: set[str] = field(default_factory=set)
    #: The job as last seen.
    job: dict = field(default_factory=dict)

    def record(self, download, job: dict) -> None:
        self.job = job
        if not self.statuses or self.statuses[-1] != job["status"]:
            self.statuses.append(job["status"])
        self.download_codes.add(download.status_code)
        if download.status_code == 200:
            content = b"".join(download.streaming_content)
            self.downloaded_sha256.add(hashlib.sha256(content).hexdigest())

    def assert_no_partial_pdf_offered(self) -> None:
        """Every download was refused as not ready (409) or gave the finished PDF."""
        assert self.download_codes <= {200, 409}
        assert self.downloaded_sha256 <= {self.job["sha256"]}


def curriculum(capabilities: int, courses: int) -> dict:
    """Parameters of a curriculum export of a generated framework and programme.

    Three domains share the capabilities; each course has five outcomes, each mapped to eight
    capabilities, so that the matrix and the course specifications both have content.
    """
    framework = FrameworkFactory()
    domains = [DomainFactory(framework=framework, position=position) for position in range(3)]
    created = Capability.objects.bulk_create(
        Capability(
            framework=framework,
            domain=domains[number % len(domains)],
            code=f"{domains[number % len(domains)].code}.{number}",
            title=f"Capability {number}: co-produce and evaluate an implementation strategy",
            description="Plans, with partners from practice, how evidence is put to use.",
            relevance="Research co-production depends on it.",
            position=number,
        )
        for number in range(capabilities)
    )
    programme = ProgrammeFactory()
    chosen = [
        CourseFactory(
            institution=programme.institution,
            programme=programme,
            framework=framework,
            semester=1 + number % 4,
        )
        for number in range(courses)
    ]
    outcomes = LearningOutcome.objects.bulk_create(
        LearningOutcome(
            course=course,
            code=f"LO{position}",
            position=position,
            text=f"Appraises implementation strategy {position} with partners from practice.",
            bloom_level="evaluate",
        )
        for course in chosen
        for position in range(1, 6)
    )
    OutcomeMapping.objects.bulk_create(
        OutcomeMapping(
            outcome=outcome,
            capability=created[(number * 8 + offset) % capabilities],
            emphasis=EMPHASES[(number + offset) % len(EMPHASES)],
        )
        for number, outcome in enumerate(outcomes)
        for offset in range(8)
    )
    return {
        "framework": str(framework.uuid),
        "course": [str(course.uuid) for course in chosen],
        "language": "en",
    }


def moment(value: str) -> datetime:
    return datetime.fromisoformat(value)


def start(client, parameters: dict) -> str:
    response = client.post(
        EXPORTS_URL,
        {"kind": "curriculum", "parameters": parameters},
        content_type="application/json",
    )
    assert response.status_code == 202, response.content
    assert response.json()["status"] == ExportJob.Status.QUEUED
    return response.json()["id"]


def poll_until_finished(client, job_id: str, *, on_running=None) -> Observed:
    """Follow the job through the API until it is ready or failed, downloading at every poll.

    The download is asked for before the status, so a PDF given must be that of a job the
    status that follows calls ready. `on_running(job)` is called whenever the job is running.
    """
    observed = Observed()
    deadline = time.monotonic() + FINISH_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        download = client.get(f"{EXPORTS_URL}{job_id}/download/")
        job = client.get(f"{EXPORTS_URL}{job_id}/").json()
        observed.record(download, job)
        if job["status"] in FINISHED:
            return observed
        if job["status"] == ExportJob.Status.RUNNING and on_running is not None:
            on_running(job)
        time.sleep(POLL_SECONDS)
    pytest.fail(f"Export {job_id} did not finish in {FINISH_TIMEOUT_SECONDS} s: {observed}")


def downloaded_pdf(client, job: dict) -> bytes:
    response = client.get(f"{EXPORTS_URL}{job['id']}/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content)


def left_in_exports_folder() -> list[str]:
    folder = Path(settings.MEDIA_ROOT) / "exports"
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def assert_whole_pdf(content: bytes, job: dict) -> None:
    assert len(content) == job["size"]
    assert hashlib.sha256(content).hexdigest() == job["sha256"]
    assert len(pypdf.PdfReader(io.BytesIO(content)).pages) == job["pages"]


def mentions(text: str, code: str) -> bool:
    """`code` is in `text` as a whole code: "D0.1" is not found in "D0.12"."""
    return re.search(rf"(?<![\w.]){re.escape(code)}(?!\.?\d)", text) is not None


def pdf_text(content: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


def test_a_worker_builds_an_export_asked_for_through_the_api(real_worker, administrator_client):
    parameters = curriculum(capabilities=60, courses=6)
    job_id = start(administrator_client, parameters)

    observed = poll_until_finished(administrator_client, job_id)

    job = observed.job
    assert job["status"] == ExportJob.Status.READY, job["error"]
    assert ExportJob.Status.RUNNING in observed.statuses
    assert observed.statuses == [status for status in STATUS_ORDER if status in observed.statuses]
    assert moment(job["created_at"]) <= moment(job["started_at"]) < moment(job["finished_at"])
    assert job["attempts"] == 1
    observed.assert_no_partial_pdf_offered()
    content = downloaded_pdf(administrator_client, job)
    assert_whole_pdf(content, job)
    # Built from this test's database: its framework and every one of its capabilities.
    text = pdf_text(content)
    framework = Framework.objects.get(uuid=parameters["framework"])
    assert framework.title in text
    codes = Capability.objects.filter(framework=framework).values_list("code", flat=True)
    assert [code for code in codes if not mentions(text, code)] == []
    assert left_in_exports_folder() == [f"{job_id}.pdf"]


def test_an_export_whose_worker_process_is_killed_runs_again(real_worker, administrator_client):
    # About 110 pages: some ten seconds of layout here, to be killed in the middle of.
    job_id = start(administrator_client, curriculum(capabilities=400, courses=20))
    partial = f"{job_id}.pdf.1{PART_SUFFIX}"  # the first attempt's file
    killed = {}

    def kill_during_the_layout(job):
        if killed or job["stage"] != ExportJob.Stage.LAYOUT:
            return
        left = left_in_exports_folder()
        if partial in left:
            killed.update(pid=real_worker.kill_pool_process(), at=timezone.now(), left=left)

    observed = poll_until_finished(administrator_client, job_id, on_running=kill_during_the_layout)

    job = observed.job
    assert killed, f"the export was never seen laying out its pages: {observed.statuses}"
    # The half-written file was there, and the download refused all along until the end.
    assert killed["left"] == [partial]
    assert 409 in observed.download_codes
    observed.assert_no_partial_pdf_offered()
    assert job["status"] == ExportJob.Status.READY, job["error"]
    assert job["attempts"] == 2
    assert moment(job["started_at"]) > killed["at"], "the export was not started again"
    assert killed["pid"] not in real_worker.pool_processes()
    assert_whole_pdf(downloaded_pdf(administrator_client, job), job)
    assert left_in_exports_folder() == [f"{job_id}.pdf"]


def test_an_export_started_too_often_fails_on_the_worker(
    real_worker, administrator, administrator_client
):
    parameters = curriculum(capabilities=10, courses=2)
    # The task is sent when this block commits, by then with the attempts at the cap.
    with transaction.atomic():
        job = start_export("curriculum", parameters, administrator)
        ExportJob.objects.filter(pk=job.pk).update(attempts=settings.EXPORT_MAX_ATTEMPTS)

    observed = poll_until_finished(administrator_client, str(job.uuid))

    failed = observed.job
    assert failed["status"] == ExportJob.Status.FAILED
    assert "given up" in failed["error"]
    assert failed["attempts"] == settings.EXPORT_MAX_ATTEMPTS
    assert failed["started_at"] is None
    assert observed.download_codes == {409}
    assert ExportJob.objects.get(pk=job.pk).file == ""
    assert left_in_exports_folder() == []
