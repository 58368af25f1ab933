"""An export whose whole worker is killed is taken over by another worker.

When the machine or container of a worker dies, its main process dies with its pool: nothing is
left to reject the message, which stays unacknowledged in Redis. The next worker on the queue puts
it back once it has been unacknowledged for longer than the visibility timeout, at one of its
sweeps (every `unacked_restore_interval` × `unacked_restore_throttle` seconds), and the export
runs again. The workers here run with a visibility timeout of a few seconds, so that this happens
within the test; in production it is far above the longest render.

kombu keeps the unacknowledged messages of every queue of a Redis database together, and a worker
with such a short timeout puts back any of them that is older, whatever its queue: run this test
against a Redis database that no worker with long tasks shares.
"""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from eisen.export_files import PART_SUFFIX
from eisen.models import ExportJob
from tests.worker.test_exports_on_real_worker import (
    assert_whole_pdf,
    curriculum,
    downloaded_pdf,
    left_in_exports_folder,
    moment,
    poll_until_finished,
    start,
)

pytestmark = [pytest.mark.real_worker, pytest.mark.django_db(transaction=True)]

VISIBILITY_TIMEOUT_SECONDS = 10
#: What may pass, on a busy machine, between the sweep that puts the message back and the job's
#: start on the new worker.
TAKEOVER_LATENCY_SECONDS = 10
TASK_RECEIVED = "Task eisen.tasks.build_export[{task_id}] received"


def sweep_period_seconds() -> int:
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    return options["unacked_restore_interval"] * options["unacked_restore_throttle"]


def process_is_gone(pid: int) -> bool:
    """True once `pid` has exited: no such process, or one left as a zombie for its reaper."""
    try:
        status = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    # The state follows the command name, which is in parentheses and may hold spaces.
    return status.rpartition(")")[2].split()[0] == "Z"


def received_task_ids(log: str) -> list[str]:
    prefix, _, suffix = TASK_RECEIVED.partition("{task_id}")
    return [
        line.partition(prefix)[2].partition(suffix)[0]
        for line in log.splitlines()
        if prefix in line and suffix in line
    ]


def test_an_export_whose_whole_worker_is_killed_is_taken_over_by_another_worker(
    start_real_worker, administrator_client, capsys
):
    short_visibility = {"CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT_SECONDS)}
    worker_a = start_real_worker(**short_visibility)
    # About 60 pages: some five seconds of layout here, to be killed in the middle of.
    job_id = start(administrator_client, curriculum(capabilities=200, courses=10))
    partial = f"{job_id}.pdf.1{PART_SUFFIX}"  # the first attempt's file
    takeover = {}

    def kill_worker_a_during_the_layout_and_start_worker_b(job):
        if takeover or job["stage"] != ExportJob.Stage.LAYOUT:
            return
        left = left_in_exports_folder()
        if partial not in left:
            return
        takeover.update(at=timezone.now(), left=left)
        takeover["killed"] = worker_a.kill_whole_worker()
        takeover["worker_b"] = start_real_worker(**short_visibility)
        takeover["worker_b_ready_at"] = timezone.now()

    observed = poll_until_finished(
        administrator_client,
        job_id,
        on_running=kill_worker_a_during_the_layout_and_start_worker_b,
    )

    job = observed.job
    assert takeover, f"the export was never seen laying out its pages: {observed.statuses}"
    assert takeover["left"] == [partial]
    assert all(process_is_gone(pid) for pid in takeover["killed"]), takeover["killed"]
    assert 409 in observed.download_codes
    observed.assert_no_partial_pdf_offered()
    assert job["status"] == ExportJob.Status.READY, job["error"]
    assert job["attempts"] == 2
    killed_at, started_again_at = takeover["at"], moment(job["started_at"])
    assert started_again_at > killed_at, "the export was not started again"
    # The message comes back at the first sweep of worker B after it has been unacknowledged for
    # the visibility timeout (it was handed to worker A before the kill).
    latest_takeover = max(
        takeover["worker_b_ready_at"],
        killed_at + timedelta(seconds=VISIBILITY_TIMEOUT_SECONDS),
    ) + timedelta(seconds=sweep_period_seconds() + TAKEOVER_LATENCY_SECONDS)
    assert started_again_at <= latest_takeover
    # Worker B ran the very message worker A was killed with, and no other (it may have had it
    # twice: a re-run longer than the visibility timeout is put back too, and then finds the job
    # finished).
    task_ids = received_task_ids(worker_a.log_text())
    assert len(task_ids) == 1
    assert set(received_task_ids(takeover["worker_b"].log_text())) == set(task_ids)
    assert_whole_pdf(downloaded_pdf(administrator_client, job), job)
    # Attempt 2 wrote its .part where attempt 1 had left one, and renamed it into place.
    assert left_in_exports_folder() == [f"{job_id}.pdf"]

    with capsys.disabled():
        print(
            f"\nWhole worker killed (visibility timeout {VISIBILITY_TIMEOUT_SECONDS} s, "
            f"sweep every {sweep_period_seconds()} s): worker B ready after "
            f"{(takeover['worker_b_ready_at'] - killed_at).total_seconds():.1f} s, "
            f"export started again after {(started_again_at - killed_at).total_seconds():.1f} s, "
            f"ready after {(moment(job['finished_at']) - killed_at).total_seconds():.1f} s "
            f"({job['pages']} pages)."
        )
