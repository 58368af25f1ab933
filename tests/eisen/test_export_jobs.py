"""Export jobs: asking for one, and the task's state machine, with the tests' own handout kind."""

import hashlib
import io
from datetime import timedelta
from types import SimpleNamespace

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnreachable
from pypdf import PdfReader

from eisen import celery_app, export_files, exports
from eisen.export_kinds import ExportFailed
from eisen.models import ExportJob
from eisen.tasks import build_export
from tests.eisen.export_kind_fixtures import ExportJobFactory, build_handout, pdf_text

pytestmark = pytest.mark.django_db

HANDOUT_DATA = {"title": "Board handout", "language": "en", "pages": "3"}


def _files_in(folder) -> list[str]:
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


class SentTasks:
    """Stands in for the Celery task: records what was sent instead of sending it."""

    def __init__(self):
        self.sent = []

    def delay(self, job_pk):
        self.sent.append(job_pk)


@pytest.fixture
def sent_tasks(monkeypatch):
    tasks = SentTasks()
    monkeypatch.setattr("eisen.tasks.build_export", tasks)
    return tasks


@pytest.fixture
def build_calls(handout_built_with):
    """The handout kind, counting the builds it is asked for."""
    calls = []

    def counted_build(parameters):
        calls.append(parameters)
        return build_handout(parameters)

    handout_built_with(counted_build)
    return calls


# --- asking for an export ---------------------------------------------------------------------


def test_start_export_records_what_was_asked_and_sends_the_task_only_after_commit(
    handout_kind, administrator, sent_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = exports.start_export("handout", HANDOUT_DATA, administrator)
        assert sent_tasks.sent == []
    assert len(callbacks) == 1
    assert sent_tasks.sent == [job.pk]
    job.refresh_from_db()
    assert job.status == ExportJob.Status.QUEUED
    assert job.stage == ExportJob.Stage.WAITING
    assert job.parameters == {"title": "Board handout", "language": "en", "pages": 3}
    assert job.summary == "Handout “Board handout”, 3 pages, in en"
    assert job.language == "en"
    assert job.requested_by == administrator
    assert job.attempts == 0


def test_refused_data_queues_nothing_and_names_the_fields(handout_kind, administrator, sent_tasks):
    with pytest.raises(ValidationError) as refusal:
        exports.start_export(
            "handout", {"title": "", "language": "tlh", "pages": "1"}, administrator
        )
    assert set(refusal.value.message_dict) == {"title", "language"}
    assert "tlh" in refusal.value.message_dict["language"][0]
    assert not ExportJob.objects.exists()
    assert sent_tasks.sent == []


def test_a_language_added_to_the_settings_is_accepted(
    handout_kind, administrator, sent_tasks, settings
):
    settings.LANGUAGES = [*settings.LANGUAGES, ("nb", "Norsk bokmål")]
    job = exports.start_export("handout", {**HANDOUT_DATA, "language": "nb"}, administrator)
    assert job.language == "nb"


def test_an_unknown_kind_is_refused_naming_the_kind(handout_kind, administrator):
    with pytest.raises(ValidationError) as refusal:
        exports.start_export("horoscope", HANDOUT_DATA, administrator)
    assert "horoscope" in refusal.value.message_dict["kind"][0]
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize("persona", ["designer", "course_lead", "evaluator", "plain_user"])
def test_only_those_the_kind_allows_may_start_it(handout_kind, persona, request, sent_tasks):
    with pytest.raises(PermissionDenied):
        exports.start_export("handout", HANDOUT_DATA, request.getfixturevalue(persona))
    assert not ExportJob.objects.exists()


def test_a_job_whose_message_cannot_be_sent_waits_for_the_task_queue_with_a_note(
    handout_kind, administrator, monkeypatch, django_capture_on_commit_callbacks
):
    class UnreachableBroker:
        app = SimpleNamespace(conf=SimpleNamespace(task_always_eager=False))

        def delay(self, job_pk):
            raise BrokerUnreachable("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr("eisen.tasks.build_export", UnreachableBroker())
    with django_capture_on_commit_callbacks(execute=True):
        job = exports.start_export("handout", HANDOUT_DATA, administrator)
    job.refresh_from_db()
    # Not failed: the workers send it again when they reconnect (tests/faults).
    assert job.status == ExportJob.Status.QUEUED
    assert job.error == (
        "The export service did not answer when this export was asked for; it will start as "
        "soon as the service is back."
    )
    assert job.finished_at is None


# --- the task: queued → running → ready --------------------------------------------------------


def test_job_runs_from_queued_through_its_stages_to_a_ready_file_that_matches_its_row(
    handout_built_with,
    administrator,
    exports_folder,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    seen = []

    def build_and_look(parameters):
        job = ExportJob.objects.get()
        seen.append(("build", job.status, job.stage, job.progress, job.attempts))
        return build_handout(parameters)

    real_render = export_files.render_pdf_to

    def render_and_look(html, target, *, title, language, on_stage=None):
        def stage_then_look(renderer_stage):
            on_stage(renderer_stage)
            job = ExportJob.objects.get()
            seen.append((renderer_stage, job.status, job.stage, job.progress, job.attempts))
            assert _files_in(exports_folder) == [f"{job.uuid}.pdf.1.part"]

        return real_render(html, target, title=title, language=language, on_stage=stage_then_look)

    handout_built_with(build_and_look)
    monkeypatch.setattr(export_files, "render_pdf_to", render_and_look)
    with django_capture_on_commit_callbacks(execute=True):
        job = exports.start_export("handout", HANDOUT_DATA, administrator)

    assert seen == [
        ("build", "running", "collecting", 10, 1),
        ("layout", "running", "layout", 40, 1),
        ("write", "running", "writing", 85, 1),
    ]
    job.refresh_from_db()
    assert (job.status, job.stage, job.progress, job.error) == ("ready", "done", 100, "")
    assert job.file.name == f"exports/{job.uuid}.pdf"
    assert _files_in(exports_folder) == [f"{job.uuid}.pdf"]
    pdf = (exports_folder / f"{job.uuid}.pdf").read_bytes()
    assert job.size == len(pdf)
    assert job.sha256 == hashlib.sha256(pdf).hexdigest()
    reader = PdfReader(io.BytesIO(pdf))
    assert job.pages == len(reader.pages) == 3
    assert reader.metadata.title == job.title == "Board handout"
    assert pdf_text(pdf).count("Board handout") == 3
    assert job.filename == "handout-board-handout.pdf"
    assert job.started_at <= job.finished_at
    assert job.build_seconds >= 0


def test_the_kinds_refusal_fails_the_job_with_its_message(handout_built_with, exports_folder):
    def refuse(parameters):
        raise ExportFailed("The course MSC101 was deleted since the export was asked for.")

    handout_built_with(refuse)
    job = ExportJobFactory()
    exports.run_export(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED
    assert job.error == "The course MSC101 was deleted since the export was asked for."
    assert job.file.name == ""
    assert job.finished_at is not None
    assert _files_in(exports_folder) == []


def test_a_kind_no_longer_registered_fails_the_job(handout_kind, exports_folder):
    job = ExportJobFactory(kind="retired-kind")
    exports.run_export(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED
    assert job.error == "This kind of export (retired-kind) is no longer offered."


class FontCacheCorrupted(Exception):
    pass


def _render_that_breaks_after_writing(error):
    def render(html, target, *, title, language, on_stage=None):
        target.write(b"%PDF-1.7\n% half a document")
        target.flush()
        raise error

    return render


def test_an_unexpected_error_fails_the_job_naming_the_error_and_leaves_no_file(
    handout_kind, monkeypatch, exports_folder
):
    monkeypatch.setattr(
        export_files,
        "render_pdf_to",
        _render_that_breaks_after_writing(FontCacheCorrupted("/var/cache/fontconfig")),
    )
    job = ExportJobFactory()
    exports.run_export(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED
    assert "(FontCacheCorrupted)" in job.error
    assert "/var/cache" not in job.error
    assert job.file.name == ""
    assert _files_in(exports_folder) == []


def test_a_render_past_the_soft_time_limit_fails_the_job(handout_kind, monkeypatch, settings):
    monkeypatch.setattr(
        export_files, "render_pdf_to", _render_that_breaks_after_writing(SoftTimeLimitExceeded())
    )
    settings.EXPORT_SOFT_TIME_LIMIT = 600
    job = ExportJobFactory()
    exports.run_export(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED
    assert job.error == "The export took longer than 10 minutes and was stopped."


def test_a_transient_database_error_puts_the_job_back_in_the_queue_and_is_raised(
    handout_built_with, exports_folder
):
    def database_gone(parameters):
        raise OperationalError("server closed the connection unexpectedly")

    handout_built_with(database_gone)
    job = ExportJobFactory()
    with pytest.raises(OperationalError):
        exports.run_export(job.pk)
    job.refresh_from_db()
    assert (job.status, job.stage, job.progress, job.attempts) == ("queued", "waiting", 0, 1)
    assert _files_in(exports_folder) == []


def test_a_transient_error_on_the_last_attempt_fails_the_job_instead_of_leaving_it_queued(
    handout_built_with, settings
):
    def database_gone(parameters):
        raise OperationalError("server closed the connection unexpectedly")

    handout_built_with(database_gone)
    job = ExportJobFactory(attempts=settings.EXPORT_MAX_ATTEMPTS - 1)
    exports.run_export(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED
    assert job.attempts == settings.EXPORT_MAX_ATTEMPTS
    assert job.error == (
        "The export was tried 3 times and the database did not answer (OperationalError); "
        "it was given up. Try again later."
    )


def test_the_task_retries_transient_errors_up_to_the_attempt_cap_then_fails_the_job(
    handout_built_with, settings, monkeypatch
):
    builds = []

    def database_gone(parameters):
        builds.append(parameters)
        raise OperationalError("server closed the connection unexpectedly")

    handout_built_with(database_gone)
    # Propagating eager errors (the tests' setting) would stop at the first retry.
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)
    job = ExportJobFactory()
    build_export.delay(job.pk)
    job.refresh_from_db()
    assert len(builds) == settings.EXPORT_MAX_ATTEMPTS
    assert job.attempts == settings.EXPORT_MAX_ATTEMPTS
    assert job.status == ExportJob.Status.FAILED


def test_a_database_that_fails_before_the_job_is_claimed_still_ends_in_a_failed_job(
    handout_kind, build_calls, settings, monkeypatch
):
    claims = []

    def database_gone(job_pk, *, earlier_run_over):
        claims.append(job_pk)
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(exports, "_claim", database_gone)
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)
    job = ExportJobFactory()
    build_export.delay(job.pk)
    job.refresh_from_db()
    # The task's retries ran out without one attempt counted on the job: its on_failure hook
    # fails the job rather than leaving it queued with nothing left to run it.
    assert len(claims) == settings.EXPORT_MAX_ATTEMPTS
    assert build_calls == []
    assert (job.status, job.attempts) == (ExportJob.Status.FAILED, 0)
    assert "the database did not answer (OperationalError)" in job.error


def test_an_attempt_overtaken_by_a_later_one_neither_finishes_nor_fails_the_job(
    handout_kind, exports_folder
):
    job = ExportJobFactory()
    first = exports._claim(job.pk, earlier_run_over=False)
    # The message handed out again (its worker looked dead) while the first attempt still ran.
    second = exports._claim(job.pk, earlier_run_over=True)
    assert (first.attempts, second.attempts) == (1, 2)
    document = build_handout({"title": "Old", "language": "en", "pages": 1})
    target = exports.export_path(first)
    written = export_files.write_pdf_atomically(
        document, target, part_name=exports._part_name(first)
    )
    exports._finish(first, document, target, written)
    exports._fail(job.pk, "the first attempt's late failure", attempt=first.attempts)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.error) == (ExportJob.Status.RUNNING, 2, "")
    assert _files_in(exports_folder) == []


def test_a_job_whose_message_was_lost_is_failed_after_the_queue_patience(handout_kind, settings):
    now = timezone.now()
    lost = ExportJobFactory()
    waiting = ExportJobFactory()
    ExportJob.objects.filter(pk=lost.pk).update(
        created_at=now - timedelta(seconds=settings.EXPORT_QUEUE_PATIENCE + 1)
    )
    assert exports.fail_stalled_exports() == 1
    lost.refresh_from_db()
    waiting.refresh_from_db()
    assert (lost.status, waiting.status) == (ExportJob.Status.FAILED, ExportJob.Status.QUEUED)
    assert lost.error == "No worker finished this export; it was given up. Start it again."


@pytest.mark.parametrize("status", [ExportJob.Status.QUEUED, ExportJob.Status.RUNNING])
def test_a_job_started_too_often_is_given_up_without_building(
    build_calls, settings, status, exports_folder
):
    job = ExportJobFactory(
        status=status, attempts=settings.EXPORT_MAX_ATTEMPTS, started_at=timezone.now()
    )
    part = exports_folder / f"{job.uuid}.pdf.{job.attempts}.part"
    exports_folder.mkdir(parents=True)
    part.write_bytes(b"%PDF-1.7\n% left by the killed worker")
    exports.run_export(job.pk, earlier_run_over=True)
    job.refresh_from_db()
    assert build_calls == []
    assert job.status == ExportJob.Status.FAILED
    assert job.attempts == settings.EXPORT_MAX_ATTEMPTS
    assert job.error.startswith(
        f"The export was started {settings.EXPORT_MAX_ATTEMPTS} times and its worker stopped"
    )
    assert job.error.endswith("it was given up.")
    assert _files_in(exports_folder) == []


def test_a_job_whose_worker_died_once_runs_again(build_calls, exports_folder):
    job = ExportJobFactory(running=True)
    exports.run_export(job.pk, earlier_run_over=True)
    job.refresh_from_db()
    assert len(build_calls) == 1
    assert (job.status, job.attempts) == ("ready", 2)


def test_a_ready_job_is_left_alone_when_its_message_comes_again(
    built_job, build_calls, exports_folder
):
    before = ExportJob.objects.values().get(pk=built_job.pk)
    pdf = (exports_folder / f"{built_job.uuid}.pdf").read_bytes()
    build_export.delay(built_job.pk)
    assert build_calls == []
    assert ExportJob.objects.values().get(pk=built_job.pk) == before
    assert (exports_folder / f"{built_job.uuid}.pdf").read_bytes() == pdf


def test_a_failed_job_is_left_alone_when_its_message_comes_again(build_calls):
    job = ExportJobFactory(failed=True)
    before = ExportJob.objects.values().get(pk=job.pk)
    exports.run_export(job.pk)
    assert build_calls == []
    assert ExportJob.objects.values().get(pk=job.pk) == before


def test_a_message_for_a_removed_job_does_nothing(build_calls):
    exports.run_export(987654)
    assert build_calls == []


def test_a_job_removed_while_it_runs_has_its_file_removed_when_it_finishes(
    handout_kind, administrator, monkeypatch, exports_folder, django_capture_on_commit_callbacks
):
    real_render = export_files.render_pdf_to

    def render_while_removed(html, target, *, title, language, on_stage=None):
        with django_capture_on_commit_callbacks(execute=True):
            exports.delete_export(ExportJob.objects.get(), administrator)
        return real_render(html, target, title=title, language=language, on_stage=on_stage)

    monkeypatch.setattr(export_files, "render_pdf_to", render_while_removed)
    job = ExportJobFactory(requested_by=administrator)
    exports.run_export(job.pk)
    assert not ExportJob.objects.exists()
    assert _files_in(exports_folder) == []


def test_removing_a_ready_job_removes_its_file_after_the_commit(
    built_job, administrator, exports_folder, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        exports.delete_export(built_job, administrator)
        assert _files_in(exports_folder) == [f"{built_job.uuid}.pdf"]
    assert _files_in(exports_folder) == []
    assert not ExportJob.objects.exists()


def test_a_designer_may_not_remove_an_export(built_job, designer, exports_folder):
    with pytest.raises(PermissionDenied):
        exports.delete_export(built_job, designer)
    assert ExportJob.objects.filter(pk=built_job.pk).exists()
    assert _files_in(exports_folder) == [f"{built_job.uuid}.pdf"]


# --- jobs whose worker died --------------------------------------------------------------------


def test_only_jobs_running_longer_than_the_hard_limit_are_failed_as_stalled(
    handout_kind, settings, exports_folder, build_calls
):
    now = timezone.now()
    long_ago = now - timedelta(seconds=settings.EXPORT_TIME_LIMIT + 120)
    stalled = ExportJobFactory(running=True, started_at=long_ago)
    still_running = ExportJobFactory(
        running=True, started_at=now - timedelta(seconds=settings.EXPORT_TIME_LIMIT - 30)
    )
    old_queued = ExportJobFactory()
    old_ready = ExportJobFactory(ready=True, started_at=long_ago)
    ExportJob.objects.filter(pk__in=[old_queued.pk, old_ready.pk]).update(created_at=long_ago)
    exports_folder.mkdir(parents=True)
    (exports_folder / f"{stalled.uuid}.pdf.1.part").write_bytes(b"%PDF-1.7\n% cut short")

    assert exports.fail_stalled_exports() == 1

    statuses = dict(ExportJob.objects.values_list("pk", "status"))
    assert statuses == {
        stalled.pk: "failed",
        still_running.pk: "running",
        old_queued.pk: "queued",
        old_ready.pk: "ready",
    }
    stalled.refresh_from_db()
    assert stalled.error == "No worker finished this export; it was given up. Start it again."
    assert _files_in(exports_folder) == []
    # Its message, handed out again after the broker's visibility timeout, changes nothing.
    exports.run_export(stalled.pk)
    assert build_calls == []
    assert exports.fail_stalled_exports() == 0


# --- the database keeps the rules --------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"status": "ready"}, id="ready-without-file"),
        pytest.param(
            {"status": "ready", "file": "exports/x.pdf", "size": 10, "pages": 1},
            id="ready-without-checksum",
        ),
        pytest.param({"status": "queued", "file": "exports/x.pdf"}, id="file-while-queued"),
        pytest.param({"status": "failed"}, id="failed-without-error"),
        pytest.param({"status": "lost"}, id="unknown-status"),
        pytest.param({"progress": 101}, id="progress-over-100"),
    ],
)
def test_the_database_refuses_rows_that_break_the_rules(handout_kind, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        ExportJob.objects.create(kind="handout", summary="Handout", **fields)


def test_the_database_accepts_a_complete_ready_row(handout_kind):
    ExportJobFactory(ready=True)
    assert ExportJob.objects.filter(status="ready").count() == 1


def test_a_crash_while_writing_never_leaves_a_file_at_the_final_path(
    handout_kind, monkeypatch, exports_folder
):
    at_final_path = []

    def render(html, target, *, title, language, on_stage=None):
        target.write(b"%PDF-1.7\n" + b"0" * 50_000)
        target.flush()
        at_final_path.append(_files_in(exports_folder))
        raise MemoryError

    monkeypatch.setattr(export_files, "render_pdf_to", render)
    job = ExportJobFactory()
    exports.run_export(job.pk)
    job.refresh_from_db()
    assert at_final_path == [[f"{job.uuid}.pdf.1.part"]]
    assert job.status == ExportJob.Status.FAILED
    assert "(MemoryError)" in job.error
    assert _files_in(exports_folder) == []
