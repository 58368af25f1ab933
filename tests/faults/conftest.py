"""Fixtures of the fault tests: the export tests' own kinds, and a broker that does not answer."""

import pytest

from eisen import celery_app, export_kinds
from tests.eisen.export_kind_fixtures import HANDOUT_KIND, MINUTES_KIND

#: Nothing listens on port 1: a connection there is refused at once, as by a stopped Redis.
CLOSED_BROKER_URL = "redis://127.0.0.1:1/0"


@pytest.fixture
def handout_kind(monkeypatch):
    monkeypatch.setattr(
        export_kinds, "_kinds", {HANDOUT_KIND.name: HANDOUT_KIND, MINUTES_KIND.name: MINUTES_KIND}
    )
    return HANDOUT_KIND


@pytest.fixture
def tasks_through_broker():
    """Tasks are sent to the broker rather than run in the test's process."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def broker_down(tasks_through_broker, settings):
    """Tasks go through a broker, and the broker is a closed port."""
    settings.CELERY_BROKER_URL = CLOSED_BROKER_URL


class SentTasks:
    """Stands in for the export task: records the jobs sent instead of sending them."""

    def __init__(self):
        self.sent = []

    def delay(self, job_pk):
        self.sent.append(job_pk)


@pytest.fixture
def sent_tasks(monkeypatch):
    tasks = SentTasks()
    monkeypatch.setattr("eisen.tasks.build_export", tasks)
    return tasks
