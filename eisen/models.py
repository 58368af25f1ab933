"""The one model of the project package: a PDF export job, whatever kind of document it builds.

The kinds (curriculum, evaluation report) live in their apps and register themselves in
`eisen.export_kinds`; a job names its kind and keeps the parameters the kind's form produced, so
that a Celery worker can build it later and the history can say what was asked for.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ExportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    class Stage(models.TextChoices):
        WAITING = "waiting", _("Waiting for a worker")
        COLLECTING = "collecting", _("Reading the data and writing the document")
        LAYOUT = "layout", _("Laying out the pages")
        WRITING = "writing", _("Writing the PDF")
        DONE = "done", _("Done")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=40)
    parameters = models.JSONField(_("parameters"), default=dict)
    summary = models.CharField(_("what was asked for"), max_length=400)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="export_jobs",
        verbose_name=_("requested by"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    stage = models.CharField(
        _("stage"), max_length=12, choices=Stage.choices, default=Stage.WAITING
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    title = models.CharField(_("title"), max_length=300, blank=True)
    language = models.CharField(_("language"), max_length=16, blank=True)
    #: Relative to MEDIA_ROOT; never served by URL, only by the download view.
    file = models.FileField(_("file"), upload_to="exports/", blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("asked for at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["kind", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "ready", "failed"]),
                name="export_job_status_known",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="export_job_progress_max"),
            # A ready export has its whole file; nothing else offers one.
            models.CheckConstraint(
                condition=~Q(status="ready")
                | (~Q(file="") & Q(size__isnull=False) & Q(pages__isnull=False) & ~Q(sha256="")),
                name="export_job_ready_has_file",
            ),
            models.CheckConstraint(
                condition=Q(status="ready") | Q(file=""), name="export_job_file_only_when_ready"
            ),
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(error=""), name="export_job_failure_explained"
            ),
        ]

    def __str__(self):
        return self.title or self.summary

    @property
    def build_seconds(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.READY, self.Status.FAILED)
