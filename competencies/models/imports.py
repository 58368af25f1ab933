from uuid import uuid4

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from competencies.models.frameworks import Framework


class FrameworkImport(models.Model):
    """One upload of a framework file: what it was, who sent it, and the report of the import.

    An update from a workbook is previewed first: the file is held here until it is applied, so
    the change applied is exactly the one previewed.
    """

    class Format(models.TextChoices):
        CASE = "case", _("CASE JSON")
        MOODLE = "moodle", _("Moodle competency CSV")
        WORKBOOK = "workbook", _("Workbook (XLSX)")

    class Action(models.TextChoices):
        CREATE = "create", _("New framework")
        UPDATE = "update", _("Update of a draft")

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("Previewed")
        APPLIED = "applied", _("Applied")

    uuid = models.UUIDField(_("identifier"), default=uuid4, unique=True, editable=False)
    framework = models.ForeignKey(
        Framework, verbose_name=_("framework"), on_delete=models.CASCADE, related_name="imports"
    )
    file_format = models.CharField(_("format"), max_length=12, choices=Format.choices)
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    source_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size in bytes"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    report = models.JSONField(_("report"), default=list, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    pending_file = models.BinaryField(_("file awaiting confirmation"), null=True, blank=True)
    base_revision = models.PositiveIntegerField(_("framework revision previewed"), null=True)

    class Meta:
        verbose_name = _("framework import")
        verbose_name_plural = _("framework imports")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="applied", pending_file__isnull=True)
                | Q(status="previewed", action="update", pending_file__isnull=False),
                name="framework_import_file_held_only_for_a_preview",
            ),
        ]

    def __str__(self):
        return f"{self.source_name} → {self.framework}"

    @property
    def report_lines(self) -> list[str]:
        return [f"{where}: {message}" if where else message for where, message in self.report]
