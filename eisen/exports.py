"""Export jobs: asking for a PDF, building it in a Celery worker, and removing it.

A job is created `queued`; its task is sent only once the transaction that created it commits.
The worker moves it to `running` (counting the attempt), builds the document through its kind,
renders it into a `.part` file and renames that into place, and only then marks the job `ready`:
a half-built PDF is never offered. A message handed out again after its worker died runs the job
again unless it is already finished; after `EXPORT_MAX_ATTEMPTS` starts the job fails instead of
killing worker after worker.

When the task queue (Redis) does not answer, no job is created: the export is refused. A job
whose message was lost after all (sending failed after the commit, or Redis restarted empty)
stays queued, and the workers send it again when they reconnect (`eisen.celery`).
"""

import logging
from datetime import timedelta
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded, TimeLimitExceeded
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from eisen import celery_app, export_kinds
from eisen.celery import broker_error
from eisen.export_files import PART_SUFFIX, write_pdf_atomically
from eisen.models import ExportJob
from eisen.roles import Role, has_role

logger = logging.getLogger("eisen.exports")

#: Errors after which the same task may well succeed a little later (a database restarting).
TRANSIENT_ERRORS = (OperationalError, InterfaceError)

_STAGE_PROGRESS = {
    ExportJob.Stage.COLLECTING: 10,
    ExportJob.Stage.LAYOUT: 40,
    ExportJob.Stage.WRITING: 85,
}


QUEUE_UNAVAILABLE = gettext_lazy(
    "The export service is not answering just now, so the export was not started and nothing "
    "was saved. Try again in a few minutes."
)
WAITING_FOR_QUEUE = gettext_lazy(
    "The export service did not answer when this export was asked for; it will start as soon "
    "as the service is back."
)


class ExportQueueUnavailable(Exception):
    """The task queue does not answer: an export asked for now would not be built."""


WHO_SEES_EXPORTS = gettext_lazy(
    "Exports are for administrators, curriculum designers, course leads and evaluators."
)


def kinds_startable_by(user) -> list[export_kinds.ExportKind]:
    return [kind for kind in export_kinds.all_kinds() if kind.may_start(user)]


def kinds_downloadable_by(user) -> list[export_kinds.ExportKind]:
    return [kind for kind in export_kinds.all_kinds() if kind.may_download(user)]


def may_see_exports(user) -> bool:
    return bool(kinds_startable_by(user) or kinds_downloadable_by(user))


def may_download(user, job: ExportJob) -> bool:
    kind = kind_or_none(job.kind)
    return kind is not None and kind.may_download(user)


def may_delete(user, job: ExportJob) -> bool:
    """Administrators remove any export; others those they asked for, of a kind they may start."""
    if has_role(user, Role.ADMINISTRATOR):
        return True
    kind = kind_or_none(job.kind)
    return (
        kind is not None
        and kind.may_start(user)
        and job.requested_by_id is not None
        and job.requested_by_id == user.pk
    )


def visible_exports(user):
    """The jobs `user` may see: those of the kinds they may download, newest first."""
    names = [kind.name for kind in kinds_downloadable_by(user)]
    return ExportJob.objects.filter(kind__in=names).select_related("requested_by")


def kind_or_none(name: str):
    try:
        return export_kinds.get(name)
    except KeyError:
        return None


def start_export(kind_name: str, data, user) -> ExportJob:
    """Validate `data` with the kind's form and queue a job; `ValidationError` names the field."""
    kind = kind_or_none(kind_name)
    if kind is None:
        raise ValidationError(
            {"kind": _("There is no export of the kind “%(kind)s”.") % {"kind": kind_name}}
        )
    if not kind.may_start(user):
        raise PermissionDenied(_("You may not start this kind of export."))
    form = kind.form_class(data)
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    return queue_export(kind, form, user)


def queue_export(kind: export_kinds.ExportKind, form, user) -> ExportJob:
    """Queue a job for the valid `form` of `kind`. Nothing is queued for refused data, nor when
    the task queue does not answer (`ExportQueueUnavailable`).

    The task is sent after the commit, so the worker always finds the row.
    """
    if not kind.may_start(user):
        raise PermissionDenied(_("You may not start this kind of export."))
    ensure_queue_answers()
    parameters = form.export_parameters()
    job = ExportJob.objects.create(
        kind=kind.name,
        parameters=parameters,
        summary=form.export_summary()[:400],
        language=parameters.get("language", ""),
        requested_by=user if user.is_authenticated else None,
    )
    transaction.on_commit(lambda: _send(job))
    return job


def ensure_queue_answers() -> None:
    """Refuse with `ExportQueueUnavailable` when the broker does not answer within a short
    timeout, before anything is saved. Tasks run in-process need no broker."""
    if celery_app.conf.task_always_eager:
        return
    error = broker_error(settings.CELERY_BROKER_URL, timeout=settings.EXPORT_QUEUE_TIMEOUT_SECONDS)
    if error is not None:
        logger.warning("Export refused: the task queue does not answer (%s)", error)
        raise ExportQueueUnavailable(str(QUEUE_UNAVAILABLE))


def _send(job: ExportJob) -> None:
    from eisen.tasks import build_export

    try:
        build_export.delay(job.pk)
    except Exception as error:
        if build_export.app.conf.task_always_eager:
            # No broker: the task ran here and its failure is already on the job.
            logger.exception("Export %s failed in the web process", job.uuid)
            fail_after_task_error(job.pk, error)
            return
        # The broker went away after the check: the job waits, and the workers send it again
        # when they reconnect. The note says why it waits, and marks it as never sent.
        logger.exception("Could not send export %s; it waits for the task queue", job.uuid)
        ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.QUEUED).update(
            error=str(WAITING_FOR_QUEUE)
        )


def resend_waiting_exports(*, all_queued: bool) -> int:
    """Send again the queued jobs whose message is gone, oldest first; return how many.

    Those marked as never sent, or every queued job when the broker lost its data (`all_queued`).
    A job that is also still in the queue is sent twice, which is harmless (see `_claim`).
    """
    from eisen.tasks import build_export

    waiting = ExportJob.objects.filter(status=ExportJob.Status.QUEUED)
    if not all_queued:
        waiting = waiting.exclude(error="")
    job_pks = list(waiting.order_by("created_at", "pk").values_list("pk", flat=True))
    for job_pk in job_pks:
        build_export.delay(job_pk)
        ExportJob.objects.filter(pk=job_pk, status=ExportJob.Status.QUEUED).update(error="")
    return len(job_pks)


def export_path(job: ExportJob) -> Path:
    return Path(settings.MEDIA_ROOT) / "exports" / f"{job.uuid}.pdf"


def _part_name(job: ExportJob) -> str:
    """Each attempt renders into a file of its own: two runs of one job never share one."""
    return f"{job.uuid}.pdf.{job.attempts}{PART_SUFFIX}"


def _remove_partial_files(job: ExportJob) -> None:
    target = export_path(job)
    for partial in target.parent.glob(f"{target.name}.*{PART_SUFFIX}"):
        partial.unlink(missing_ok=True)


def run_export(job_pk: int, *, earlier_run_over: bool = False) -> None:
    """Build the export `job_pk` (the body of the Celery task). Safe to run again.

    `earlier_run_over`: the message comes back because the run it started is over (handed out
    again after its worker died, or a retry after an error), so a job still marked running is
    taken over. Any other message for a running job is a copy, and is dropped.
    """
    job = _claim(job_pk, earlier_run_over=earlier_run_over)
    if job is None:
        return
    kind = kind_or_none(job.kind)
    target = export_path(job)
    try:
        if kind is None:
            raise export_kinds.ExportFailed(
                _("This kind of export (%(kind)s) is no longer offered.") % {"kind": job.kind}
            )
        document = kind.build(job.parameters)
        _record_stage(job, ExportJob.Stage.LAYOUT)

        def on_stage(renderer_stage: str) -> None:
            if renderer_stage == "write":
                _record_stage(job, ExportJob.Stage.WRITING)

        written = write_pdf_atomically(
            document, target, part_name=_part_name(job), on_stage=on_stage
        )
    except export_kinds.ExportFailed as refusal:
        _fail(job.pk, str(refusal), attempt=job.attempts)
        return
    except SoftTimeLimitExceeded:
        _fail(job.pk, _too_long(), attempt=job.attempts)
        return
    except TRANSIENT_ERRORS as error:
        if job.attempts >= settings.EXPORT_MAX_ATTEMPTS:
            # The task's retries end here too: queued again, the job would wait for ever.
            logger.exception("Export %s failed on its last attempt", job.uuid)
            _fail(job.pk, _database_gone(error), attempt=job.attempts)
            return
        _requeue(job.pk)
        raise
    except Exception as error:
        logger.exception("Export %s failed", job.uuid)
        _fail(job.pk, _unexpected(error), attempt=job.attempts)
        return
    _finish(job, document, target, written)


def _too_long() -> str:
    return _("The export took longer than %(minutes)s minutes and was stopped.") % {
        "minutes": settings.EXPORT_SOFT_TIME_LIMIT // 60
    }


def _database_gone(error: Exception) -> str:
    return _(
        "The export was tried %(attempts)s times and the database did not answer (%(error)s); "
        "it was given up. Try again later."
    ) % {"attempts": settings.EXPORT_MAX_ATTEMPTS, "error": type(error).__name__}


def _unexpected(error: Exception) -> str:
    return _(
        "The export could not be built (%(error)s). The worker's log has the details; try "
        "again, and tell an administrator if it fails again."
    ) % {"error": type(error).__name__}


def fail_after_task_error(job_pk: int, error: BaseException) -> None:
    """The task ended in an error it will not be retried for (its retries ran out, its hard
    time limit struck, its retry could not be sent): the job must not wait for ever."""
    if isinstance(error, TimeLimitExceeded | SoftTimeLimitExceeded):
        message = _too_long()
    elif isinstance(error, TRANSIENT_ERRORS):
        message = _database_gone(error)
    else:
        message = _unexpected(error)
    _fail(job_pk, message)


def _claim(job_pk: int, *, earlier_run_over: bool) -> ExportJob | None:
    """Mark the job running and count the attempt; None when there is nothing to do."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(pk=job_pk).first()
        if job is None or job.is_finished:
            return None
        if job.status == ExportJob.Status.RUNNING and not earlier_run_over:
            # A second message for a job that a live worker is building (sent again when a worker
            # reconnected): running it too would build the export twice.
            logger.info(
                "Export %s is already being built; this copy of its message is dropped", job.uuid
            )
            return None
        if job.attempts >= settings.EXPORT_MAX_ATTEMPTS:
            _fail_locked(
                job,
                _(
                    "The export was started %(attempts)s times and its worker stopped each time "
                    "(it may have run out of memory); it was given up."
                )
                % {"attempts": job.attempts},
            )
            return None
        job.attempts += 1
        job.status = ExportJob.Status.RUNNING
        job.stage = ExportJob.Stage.COLLECTING
        job.progress = _STAGE_PROGRESS[ExportJob.Stage.COLLECTING]
        job.started_at = timezone.now()
        job.error = ""
        job.save(update_fields=["attempts", "status", "stage", "progress", "started_at", "error"])
    return job


def _record_stage(job: ExportJob, stage: str) -> None:
    ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.RUNNING).update(
        stage=stage, progress=_STAGE_PROGRESS[stage]
    )


def _finish(job: ExportJob, document, target: Path, written) -> None:
    current_attempt = {"status": ExportJob.Status.RUNNING, "attempts": job.attempts}
    with transaction.atomic():
        updated = ExportJob.objects.filter(pk=job.pk, **current_attempt).update(
            status=ExportJob.Status.READY,
            stage=ExportJob.Stage.DONE,
            progress=100,
            file=str(target.relative_to(settings.MEDIA_ROOT)),
            filename=document.filename[:200],
            title=document.title[:300],
            language=document.language,
            size=written.size,
            pages=written.pages,
            sha256=written.sha256,
            finished_at=timezone.now(),
        )
    if updated:
        _remove_partial_files(job)  # what attempts killed before this one left behind
    elif not ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.READY).exists():
        # Deleted, failed as stalled, or taken over by a later attempt while it was being
        # built: this file is nobody's. (If the later attempt finished first, the file at this
        # path is the ready job's and stays.)
        target.unlink(missing_ok=True)


def _fail(job_pk: int, message: str, *, attempt: int | None = None) -> None:
    """Fail the job unless it is finished, or (with `attempt`) a later attempt has taken over."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(pk=job_pk).first()
        if job is None or job.is_finished:
            return
        if attempt is not None and job.attempts != attempt:
            return
        _fail_locked(job, message)


def _fail_locked(job: ExportJob, message: str) -> None:
    job.status = ExportJob.Status.FAILED
    job.error = message
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "finished_at"])
    _remove_partial_files(job)


def _requeue(job_pk: int) -> None:
    ExportJob.objects.filter(pk=job_pk, status=ExportJob.Status.RUNNING).update(
        status=ExportJob.Status.QUEUED, stage=ExportJob.Stage.WAITING, progress=0
    )


def fail_stalled_exports() -> int:
    """Fail the jobs nothing will finish: running for longer than the hard time limit (their
    worker died as a whole), or queued for longer than EXPORT_QUEUE_PATIENCE (their message was
    lost, e.g. with a Redis that keeps nothing on disk).

    A running job past the limit cannot still be running (the limit kills its process); if its
    message comes back, it finds the job finished and does nothing. Called where jobs are read.
    """
    now = timezone.now()
    running_too_long = Q(
        status=ExportJob.Status.RUNNING,
        started_at__lt=now - timedelta(seconds=settings.EXPORT_TIME_LIMIT + 60),
    )
    waiting_too_long = Q(
        status=ExportJob.Status.QUEUED,
        created_at__lt=now - timedelta(seconds=settings.EXPORT_QUEUE_PATIENCE),
    )
    stalled = ExportJob.objects.filter(running_too_long | waiting_too_long)
    failed = stalled.update(
        status=ExportJob.Status.FAILED,
        error=_("No worker finished this export; it was given up. Start it again."),
        finished_at=now,
    )
    if failed:
        for job in ExportJob.objects.filter(finished_at=now, status=ExportJob.Status.FAILED):
            _remove_partial_files(job)
            export_path(job).unlink(missing_ok=True)
    return failed


def delete_export(job: ExportJob, user) -> None:
    if not may_delete(user, job):
        raise PermissionDenied(_("You may not remove this export."))
    removed = ExportJob(uuid=job.uuid)
    job.delete()
    transaction.on_commit(lambda: _remove_files(removed))


def _remove_files(job: ExportJob) -> None:
    _remove_partial_files(job)
    export_path(job).unlink(missing_ok=True)
