"""Real Celery worker processes, on the real Redis broker, for the tests of this folder.

A worker is `celery -A eisen worker --pool=prefork --concurrency=1` started by the test, with the
environment pointing at the test database pytest-django created and at the test's MEDIA_ROOT.
Every worker of a test consumes only a queue named for that test alone, and the test process sends
its tasks there, so that no message of another run (or of a developer's worker) can be taken or
given. Each worker's log is kept in a file and shown under a failed test's report.
"""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from contextlib import ExitStack
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

    def kill_whole_worker(self) -> list[int]:
        """SIGKILL the main process and its pool together, as when the machine or container dies.

        Return the pids killed. Nothing of the worker runs any code afterwards: its message stays
        unacknowledged in Redis until a worker's sweep finds it older than the visibility timeout.
        """
        killed = [self.pid, *self.pool_processes()]
        # The worker leads a process group of its own (it was started in a new session).
        os.killpg(self.pid, signal.SIGKILL)
        self.process.wait()
        return killed

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


real_workers_key = pytest.StashKey[list[RealWorker]]()


def _database_url() -> str:
    """The URL of the database this test runs on: the test database pytest-django made."""
    database = connection.settings_dict
    user = quote(database["USER"], safe="")
    password = f":{quote(database['PASSWORD'], safe='')}" if database["PASSWORD"] else ""
    # Quoted, a socket folder (/run/postgresql) stays one host part of the URL.
    host = quote(database["HOST"], safe="")
    port = database["PORT"] or 5432
    return f"postgres://{user}{password}@{host}:{port}/{quote(database['NAME'], safe='')}"


def _remove_from_redis(queue_name: str, workers: list[RealWorker]) -> None:
    """Drop what the test left in Redis once its workers have stopped.

    That is its queue (messages and binding), its messages still unacknowledged, and the workers'
    remote-control (pidbox) bindings. If all went to plan, only the queue's binding is left; a
    worker killed as a whole also leaves its pidbox binding, and its message unacknowledged when
    the test failed before another worker took it back.
    """
    with celery_app.connection_for_write() as broker:
        channel = broker.default_channel
        # kombu keeps every queue's unacknowledged messages in one hash and one sorted set, each
        # entry holding [message, exchange, routing key]; the test's tasks are routed by its queue.
        for tag, entry in channel.client.hscan_iter(channel.unacked_key):
            if json.loads(entry)[2] == queue_name:
                channel.client.pipeline().zrem(channel.unacked_index_key, tag).hdel(
                    channel.unacked_key, tag
                ).execute()
        queues = [celery_app.amqp.queues[queue_name]]
        queues += [celery_app.control.mailbox.get_queue(worker.node_name) for worker in workers]
        for queue in queues:
            bound = queue.bind(channel)
            # Declared here too, so that this channel knows the binding that delete() removes.
            bound.declare()
            bound.purge()
            bound.delete()
    del celery_app.amqp.queues[queue_name]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed:
        for worker in item.stash.get(real_workers_key, []):
            report.sections.append(
                (f"Celery worker {worker.node_name} log ({report.when})", worker.log_text())
            )
    return report


@pytest.fixture
def start_real_worker(request, transactional_db, settings, tmp_path):
    """Start a worker on this test's queue: `start_real_worker(**extra_environment_variables)`.

    It returns once the worker is ready. Every worker started is stopped after the test, and what
    the test left in Redis removed.
    """
    if not settings.CELERY_BROKER_URL:
        pytest.skip("CELERY_BROKER_URL is not set: there is no broker for a real worker")
    if connection.vendor != "postgresql":
        pytest.skip(
            f"a worker process cannot share the {connection.vendor} test database; "
            "set DATABASE_URL to a PostgreSQL server"
        )
    run = uuid.uuid4().hex[:12]
    queue = f"eisen-test-exports-{run}"
    Path(settings.MEDIA_ROOT).mkdir(parents=True, exist_ok=True)
    environment = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "DJANGO_SETTINGS_MODULE": "eisen.settings",
    }
    workers = request.node.stash.setdefault(real_workers_key, [])

    with ExitStack() as cleanup:

        def start(**extra_environment: str) -> RealWorker:
            node_name = f"eisen-test-{run}-{len(workers) + 1}@{os.uname().nodename}"
            log_path = tmp_path / f"celery-worker-{len(workers) + 1}.log"
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
            with log_path.open("wb") as log:
                process = subprocess.Popen(
                    command,
                    cwd=settings.BASE_DIR,
                    env={**environment, **extra_environment},
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            worker = RealWorker(process=process, node_name=node_name, log_path=log_path)
            workers.append(worker)
            cleanup.callback(worker.stop)
            worker.wait_until_ready()
            return worker

        cleanup.callback(_remove_from_redis, queue, workers)
        cleanup.callback(
            setattr, celery_app.conf, "task_default_queue", celery_app.conf.task_default_queue
        )
        celery_app.conf.task_default_queue = queue
        yield start


@pytest.fixture
def real_worker(start_real_worker) -> RealWorker:
    """One worker started for this test, with the project's settings."""
    return start_real_worker()
