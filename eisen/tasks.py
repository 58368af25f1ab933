"""Celery tasks of the project package: building PDF exports."""

from celery import Task, shared_task
from django.conf import settings

from eisen import exports


class ExportTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        """Retries used up, the hard time limit struck (called in the worker's main process), a
        retry that could not be sent: the job is failed with a message, never left waiting."""
        exports.fail_after_task_error(args[0], exc)


@shared_task(
    bind=True,
    base=ExportTask,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=exports.TRANSIENT_ERRORS,
    # 10 s, then 20 s: long enough for PostgreSQL to restart. No jitter, which could spend both
    # retries within a second.
    retry_backoff=10,
    retry_jitter=False,
    max_retries=settings.EXPORT_MAX_ATTEMPTS - 1,
    soft_time_limit=settings.EXPORT_SOFT_TIME_LIMIT,
    time_limit=settings.EXPORT_TIME_LIMIT,
)
def build_export(self, job_pk: int) -> None:
    """Build one export job. Idempotent: a finished job is left as it is, and a running one is
    left to its worker unless that worker's run is over."""
    delivery = self.request.delivery_info or {}
    # kombu marks a message redelivered when it hands it out again: its worker died, or stopped
    # before running it. A retry is sent by the run that just raised.
    earlier_run_over = bool(delivery.get("redelivered")) or self.request.retries > 0
    exports.run_export(job_pk, earlier_run_over=earlier_run_over)
