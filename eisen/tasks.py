"""Celery tasks of the project package: building PDF exports."""

from celery import shared_task
from django.conf import settings

from eisen import exports


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=exports.TRANSIENT_ERRORS,
    retry_backoff=5,
    max_retries=settings.EXPORT_MAX_ATTEMPTS - 1,
    soft_time_limit=settings.EXPORT_SOFT_TIME_LIMIT,
    time_limit=settings.EXPORT_TIME_LIMIT,
)
def build_export(job_pk: int) -> None:
    """Build one export job. Idempotent: a finished job is left as it is."""
    exports.run_export(job_pk)
