"""A real Celery worker process, on the real Redis broker, for the tests of this folder.

The worker is `celery -A eisen worker --pool=prefork --concurrency=1` started per test, with the
environment pointing at the test database pytest-django created and at the test's MEDIA_ROOT.
It consumes only a queue named for this test alone, and the test process sends its tasks there,
so that no message of another run (or of a developer's worker) can be taken or given. Its log is
kept in a file and shown under a failed test's report.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from eisen import celery_app

#: How long a worker may take to say "ready." (it imports Django and WeasyPrint first).
READY_TIMEOUT_SECONDS = 60
#: How long a warm shutdown (SIGTERM) may take before the worker's process group is killed.
STOP_TIMEOUT_SECONDS = 10

real_worker_key = pytest.StashKey["RealWorker"]()


@dataclass
class RealWorker:
    process: subprocess.Popen
    node_name: str
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def pool_processes(self) -> list[int]:
        """The pids of the worker's pool processes (the children of its main process)."""
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text()
        return [int(pid) for pid in children.split()]

    def kill_pool_process(self) -> int:
        """SIGKILL the one pool process, as the OOM killer would; return its pid."""
        pool = self.pool_processes()
        assert len(pool) == 1, f"expected one pool process under {self.pid}, found {pool}"
        os.kill(pool[0], signal.SIGKILL)
        return pool[0]

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if f"{self.node_name} ready." in self.log_text():
                return
            if self.process.poll() is not None:
                pytest.fail(
                    f"The Celery worker {self.node_name} exited with code "
                    f"{self.process.returncode} before it was ready; its log follows."
                )
            time.sleep(0.1)
        pytest.fail(
            f"The Celery worker {self.node_name} was not ready after {READY_TIMEOUT_SECONDS} s; "
            "its log follows."
        )

    def stop(self) -> None:
        """Warm shutdown; after STOP_TIMEOUT_SECONDS, SIGKILL to its whole process group."""
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            # Still running (so its group is still its own): a render may be holding it up.
            os.killpg(self.pid, signal.SIGKILL)
            self.process.wait()


def _database_url() -> str:
    """The URL of the database this test runs on: the test database pytest-django made."""
    database = connection.settings_dict
    user = quote(database["USER"], safe="")
    password = f":{quote(database['PASSWORD'], safe='')}" if database["PASSWORD"] else ""
    # Quoted, a socket folder (/run/postgresql) stays one host part of the URL.
    host = quote(database["HOST"], safe="")
    port = database["PORT"] or 5432
    return f"postgres://{user}{password}@{host}:{port}/{quote(database['NAME'], safe='')}"


def _delete_queue(name: str) -> None:
    """Drop the test's queue from Redis: its messages (none, if all went to plan) and binding."""
    with celery_app.connection_for_write() as broker:
        queue = celery_app.amqp.queues[name].bind(broker.default_channel)
        # Declared here too, so that this channel knows the binding that delete() removes.
        queue.declare()
        queue.purge()
        queue.delete()
    del celery_app.amqp.queues[name]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    worker = item.stash.get(real_worker_key, None)
    if worker is not None and report.failed:
        report.sections.append((f"Celery worker log ({report.when})", worker.log_text()))
    return report


@pytest.fixture
def real_worker(request, transactional_db, settings, tmp_path):
    """A worker started for this test; stopped afterwards, and its queue removed from Redis."""
    if not settings.CELERY_BROKER_URL:
        pytest.skip("CELERY_BROKER_URL is not set: there is no broker for a real worker")
    if connection.vendor != "postgresql":
        pytest.skip(
            f"a worker process cannot share the {connection.vendor} test database; "
            "set DATABASE_URL to a PostgreSQL server"
        )
    run = uuid.uuid4().hex[:12]
    queue = f"eisen-test-exports-{run}"
    node_name = f"eisen-test-{run}@{os.uname().nodename}"
    log_path = tmp_path / "celery-worker.log"
    Path(settings.MEDIA_ROOT).mkdir(parents=True, exist_ok=True)
    environment = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "DJANGO_SETTINGS_MODULE": "eisen.settings",
    }
    command = [
        str(Path(sys.executable).with_name("celery")),
        "-A",
        "eisen",
        "worker",
        "--pool=prefork",
        "--concurrency=1",
        "--loglevel=INFO",
        "-Q",
        queue,
        "-n",
        node_name,
        # No need to sync with or listen to other workers on the broker; it starts faster.
        "--without-mingle",
        "--without-gossip",
    ]
    default_queue = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    try:
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                command,
                cwd=settings.BASE_DIR,
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        worker = RealWorker(process=process, node_name=node_name, log_path=log_path)
        request.node.stash[real_worker_key] = worker
        try:
            worker.wait_until_ready()
            yield worker
        finally:
            worker.stop()
    finally:
        celery_app.conf.task_default_queue = default_queue
        _delete_queue(queue)
