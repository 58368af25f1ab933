"""Redis down: starting an export is refused with a clear message and saves nothing; jobs whose
message was lost are sent again when a worker reconnects, and a message sent twice builds once."""

import dataclasses
import time
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
from django.db import OperationalError
from kombu.exceptions import OperationalError as BrokerUnreachable

from eisen import export_kinds, exports
from eisen.celery import BROKER_KEEPS_MESSAGES_KEY, ResendWaitingExports
from eisen.models import ExportJob
from eisen.tasks import build_export
from tests.eisen.export_kind_fixtures import ExportJobFactory, build_handout

pytestmark = pytest.mark.django_db

NEW = "/exports/new/handout/"
REFUSAL = (
    "The export service is not answering just now, so the export was not started and nothing "
    "was saved. Try again in a few minutes."
)
WAITING = (
    "The export service did not answer when this export was asked for; it will start as soon "
    "as the service is back."
)
HANDOUT = {"title": "Board handout", "language": "en", "pages": "2"}


# --- asking for an export while Redis is down ---------------------------------------------------


def test_the_api_refuses_an_export_with_503_and_saves_nothing(
    handout_kind, administrator_client, broker_down
):
    administrator_client.get("/api/v1/exports/")  # loads the API's modules, not to be timed
    started = time.monotonic()
    response = administrator_client.post(
        "/api/v1/exports/",
        {"kind": "handout", "parameters": HANDOUT},
        content_type="application/json",
    )
    assert time.monotonic() - started < 3
    assert response.status_code == 503
    assert response.json() == {"detail": REFUSAL}
    assert response["Retry-After"] == "60"
    assert not ExportJob.objects.exists()


def test_the_form_comes_back_with_the_reason_and_the_users_choices(
    handout_kind, administrator_client, broker_down
):
    response = administrator_client.post(NEW, {**HANDOUT, "title": "Partners 2027"})
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    html = response.content.decode()
    assert REFUSAL in html
    assert 'value="Partners 2027"' in html
    assert '<option value="en" selected>' in html
    assert 'value="2"' in html
    assert not ExportJob.objects.exists()


def test_refused_data_is_named_before_the_broker_is_asked(
    handout_kind, administrator_client, broker_down
):
    response = administrator_client.post(NEW, {**HANDOUT, "title": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert REFUSAL not in response.content.decode()


def test_a_job_whose_sending_failed_after_the_commit_waits_and_says_why(
    handout_kind,
    administrator_client,
    monkeypatch,
    tasks_through_broker,
    django_capture_on_commit_callbacks,
):
    monkeypatch.setattr(exports, "ensure_queue_answers", lambda: None)

    def unreachable(job_pk):
        raise BrokerUnreachable("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(build_export, "delay", unreachable)
    with django_capture_on_commit_callbacks(execute=True):
        response = administrator_client.post(NEW, HANDOUT)
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert (job.status, job.error, job.finished_at) == ("queued", WAITING, None)
    page = administrator_client.get(response["Location"]).content.decode()
    assert f'<p class="notice" data-testid="export-waiting">{WAITING}</p>' in page
    assert 'data-status="queued"' in page


# --- sending the waiting jobs again -------------------------------------------------------------


def _waiting_jobs():
    """A never-sent job, two queued ones (oldest first), and jobs that are no longer waiting."""
    return SimpleNamespace(
        older=ExportJobFactory(),
        unsent=ExportJobFactory(error=WAITING),
        newer=ExportJobFactory(),
        running=ExportJobFactory(running=True),
        ready=ExportJobFactory(ready=True),
        failed=ExportJobFactory(failed=True),
    )


def test_after_redis_lost_its_data_every_queued_job_is_sent_again_oldest_first(
    handout_kind, sent_tasks
):
    jobs = _waiting_jobs()
    assert exports.resend_waiting_exports(all_queued=True) == 3
    assert sent_tasks.sent == [jobs.older.pk, jobs.unsent.pk, jobs.newer.pk]
    jobs.unsent.refresh_from_db()
    assert (jobs.unsent.status, jobs.unsent.error) == ("queued", "")


def test_when_redis_kept_its_data_only_the_jobs_never_sent_are_sent(handout_kind, sent_tasks):
    jobs = _waiting_jobs()
    assert exports.resend_waiting_exports(all_queued=False) == 1
    assert sent_tasks.sent == [jobs.unsent.pk]
    assert exports.resend_waiting_exports(all_queued=False) == 0


class FakeRedis:
    def __init__(self, keys=()):
        self.keys = dict.fromkeys(keys, "1")

    def exists(self, key):
        return int(key in self.keys)

    def set(self, key, value):
        self.keys[key] = value


def _consumer(redis: FakeRedis):
    @contextmanager
    def connection_for_write():
        yield SimpleNamespace(default_channel=SimpleNamespace(client=redis))

    return SimpleNamespace(app=SimpleNamespace(connection_for_write=connection_for_write))


@pytest.mark.parametrize(
    ("keys", "sent"),
    [
        pytest.param((), ["older", "unsent", "newer"], id="redis-emptied"),
        pytest.param((BROKER_KEEPS_MESSAGES_KEY,), ["unsent"], id="redis-kept-its-data"),
    ],
)
def test_a_worker_connecting_sends_again_what_the_broker_lost(handout_kind, sent_tasks, keys, sent):
    jobs = _waiting_jobs()
    redis = FakeRedis(keys)
    ResendWaitingExports(parent=SimpleNamespace()).start(_consumer(redis))
    assert sent_tasks.sent == [getattr(jobs, name).pk for name in sent]
    assert redis.exists(BROKER_KEEPS_MESSAGES_KEY)


def test_a_worker_that_cannot_read_the_jobs_keeps_running_and_tries_again_next_time(
    handout_kind, monkeypatch, caplog
):
    def database_gone(*, all_queued):
        raise OperationalError("the database system is starting up")

    monkeypatch.setattr(exports, "resend_waiting_exports", database_gone)
    redis = FakeRedis()
    ResendWaitingExports(parent=SimpleNamespace()).start(_consumer(redis))
    assert not redis.exists(BROKER_KEEPS_MESSAGES_KEY)
    assert "Could not send the waiting exports again" in caplog.text


# --- a message sent twice builds the export once ------------------------------------------------


@pytest.fixture
def build_calls(monkeypatch, handout_kind):
    calls = []

    def counted_build(parameters):
        calls.append(parameters)
        return build_handout(parameters)

    kind = dataclasses.replace(handout_kind, build=counted_build)
    monkeypatch.setitem(export_kinds._kinds, kind.name, kind)
    return calls


def _deliver(job_pk: int, *, redelivered: bool = False, retries: int = 0) -> None:
    """Run the task body as a worker would for a message with these delivery facts."""
    build_export.push_request(delivery_info={"redelivered": redelivered}, retries=retries)
    try:
        build_export.run(job_pk)
    finally:
        build_export.pop_request()


def test_the_copy_of_a_message_for_a_job_being_built_is_dropped(build_calls):
    job = ExportJobFactory(running=True)
    before = ExportJob.objects.values().get(pk=job.pk)
    _deliver(job.pk)
    assert build_calls == []
    assert ExportJob.objects.values().get(pk=job.pk) == before


def test_two_copies_of_a_queued_jobs_message_build_it_once(build_calls):
    job = ExportJobFactory()
    _deliver(job.pk)
    _deliver(job.pk)
    job.refresh_from_db()
    assert (len(build_calls), job.status, job.attempts) == (1, "ready", 1)


@pytest.mark.parametrize(
    "delivery",
    [
        pytest.param({"redelivered": True}, id="handed-out-again-after-its-worker-died"),
        pytest.param({"retries": 1}, id="retry-after-an-error"),
    ],
)
def test_a_message_whose_earlier_run_is_over_takes_the_running_job_over(build_calls, delivery):
    job = ExportJobFactory(running=True)
    _deliver(job.pk, **delivery)
    job.refresh_from_db()
    assert (len(build_calls), job.status, job.attempts) == (1, "ready", 2)
