"""Institutions, programmes and courses; learning outcomes and their mappings to capabilities."""

from uuid import uuid4

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from competencies.models import Capability, Framework
from eisen.rows import taken_by_another

EQF_LEVELS = [(7, _("EQF 7 (master's)")), (8, _("EQF 8 (doctoral)"))]


def eqf_level_field():
    return models.PositiveSmallIntegerField(
        _("EQF level"),
        choices=EQF_LEVELS,
        error_messages={"invalid_choice": _("The EQF level must be 7 (MSc) or 8 (PhD).")},
    )


def ects_field():
    return models.DecimalField(
        _("ECTS"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(0, _("ECTS credits cannot be negative."))],
    )


def academic_year_label(start_year: int) -> str:
    return f"{start_year}/{(start_year + 1) % 100:02d}"


class Institution(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    country = models.CharField(_("country"), max_length=100)
    is_example = models.BooleanField(
        _("example"), default=False, help_text=_("Sample content, not a real curriculum.")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Programme(models.Model):
    class Award(models.TextChoices):
        MSC = "MSc", _("MSc")
        PHD = "PhD", _("PhD")

    institution = models.ForeignKey(
        Institution,
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        related_name="programmes",
    )
    name = models.CharField(_("name"), max_length=200)
    award = models.CharField(_("award"), max_length=3, choices=Award.choices)
    eqf_level = eqf_level_field()
    ects = ects_field()
    is_example = models.BooleanField(_("example"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["institution__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "name"], name="programme_name_unique_per_institution"
            ),
            models.CheckConstraint(condition=Q(eqf_level__in=[7, 8]), name="programme_eqf_7_or_8"),
            models.CheckConstraint(condition=Q(ects__gte=0), name="programme_ects_not_negative"),
            models.CheckConstraint(
                condition=Q(award="MSc", eqf_level=7) | Q(award="PhD", eqf_level=8),
                name="programme_award_matches_level",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.institution})"

    def clean(self):
        expected = {self.Award.MSC: 7, self.Award.PHD: 8}.get(self.award)
        if expected and self.eqf_level and self.eqf_level != expected:
            raise ValidationError(
                {
                    "eqf_level": _("The award %(award)s is at EQF level %(level)s.")
                    % {"award": self.get_award_display(), "level": expected}
                }
            )


class Course(models.Model):
    class DeliveryMode(models.TextChoices):
        ONLINE = "online", _("Online")
        BLENDED = "blended", _("Blended")
        ON_CAMPUS = "on_campus", _("On campus")

    uuid = models.UUIDField(_("identifier"), default=uuid4, unique=True, editable=False)
    institution = models.ForeignKey(
        Institution, verbose_name=_("institution"), on_delete=models.PROTECT, related_name="courses"
    )
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="courses",
    )
    code = models.CharField(_("code"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    eqf_level = eqf_level_field()
    ects = ects_field()
    academic_year = models.PositiveSmallIntegerField(
        _("academic year"),
        validators=[MinValueValidator(2000)],
        help_text=_("The year it starts: 2026 for 2026/27."),
    )
    semester = models.PositiveSmallIntegerField(
        _("semester"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_("Its place in the programme: courses in earlier semesters come first."),
    )
    delivery_mode = models.CharField(
        _("delivery mode"), max_length=12, choices=DeliveryMode.choices
    )
    description = models.TextField(_("description"), blank=True)
    leads = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("course leads"),
        blank=True,
        related_name="led_courses",
    )
    framework = models.ForeignKey(
        Framework,
        verbose_name=_("framework version"),
        on_delete=models.PROTECT,
        related_name="courses",
        help_text=_("The published framework version its outcomes map to."),
    )
    rolled_over_from = models.ForeignKey(
        "self",
        verbose_name=_("rolled over from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="rollovers",
    )
    is_example = models.BooleanField(
        _("example"), default=False, help_text=_("Sample content, not a real curriculum.")
    )
    revision = models.PositiveIntegerField(_("revision"), default=1, editable=False)

    history = HistoricalRecords(m2m_fields=[leads])

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["-academic_year", "semester", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "code", "academic_year"],
                name="course_code_unique_per_institution_and_year",
            ),
            models.CheckConstraint(condition=Q(eqf_level__in=[7, 8]), name="course_eqf_7_or_8"),
            models.CheckConstraint(condition=Q(ects__gte=0), name="course_ects_not_negative"),
            models.CheckConstraint(condition=Q(semester__gte=1), name="course_semester_positive"),
        ]

    def __str__(self):
        return f"{self.code} {self.title} ({self.academic_year_label})"

    def get_absolute_url(self):
        return reverse("courses:course_detail", args=[self.uuid])

    @property
    def academic_year_label(self) -> str:
        return academic_year_label(self.academic_year)

    def clean(self):
        errors = {}
        if self.programme_id and self.institution_id:
            if self.programme.institution_id != self.institution_id:
                errors["programme"] = _("The programme belongs to another institution.")
            elif self.eqf_level and self.programme.eqf_level != self.eqf_level:
                errors["eqf_level"] = _(
                    "The programme is at EQF level %(level)s; its courses are too."
                ) % {"level": self.programme.eqf_level}
        if self.framework_id and self.framework.is_draft:
            errors["framework"] = _(
                "“%(framework)s” is a draft; courses map to published versions only."
            ) % {"framework": self.framework}
        if (
            self.institution_id
            and self.code
            and self.academic_year
            and taken_by_another(
                self,
                institution_id=self.institution_id,
                code=self.code,
                academic_year=self.academic_year,
            )
        ):
            errors["code"] = _("%(institution)s already has a course %(code)s in %(year)s.") % {
                "institution": self.institution,
                "code": self.code,
                "year": self.academic_year_label,
            }
        if errors:
            raise ValidationError(errors)


class BloomLevel(models.TextChoices):
    """Bloom's revised taxonomy (Anderson and Krathwohl, 2001), lowest to highest."""

    REMEMBER = "remember", _("Remember")
    UNDERSTAND = "understand", _("Understand")
    APPLY = "apply", _("Apply")
    ANALYSE = "analyse", _("Analyse")
    EVALUATE = "evaluate", _("Evaluate")
    CREATE = "create", _("Create")


class LearningOutcome(models.Model):
    uuid = models.UUIDField(_("identifier"), default=uuid4, unique=True, editable=False)
    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="outcomes"
    )
    code = models.CharField(_("code"), max_length=20)
    text = models.TextField(_("learning outcome"))
    position = models.PositiveIntegerField(_("position"))
    bloom_level = models.CharField(
        _("Bloom level"), max_length=12, choices=BloomLevel.choices, blank=True
    )
    bloom_level_chosen = models.BooleanField(
        _("Bloom level chosen by the lead"),
        default=False,
        help_text=_("Otherwise it is suggested from the outcome's leading verb."),
    )
    revision = models.PositiveIntegerField(_("revision"), default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("learning outcome")
        verbose_name_plural = _("learning outcomes")
        ordering = ["course", "position"]
        constraints = [
            models.UniqueConstraint(fields=["course", "code"], name="outcome_code_unique"),
            models.UniqueConstraint(fields=["course", "position"], name="outcome_position_unique"),
            models.CheckConstraint(condition=~Q(text=""), name="outcome_text_not_empty"),
        ]

    def __str__(self):
        return f"{self.code} {self.text[:60]}"

    def clean(self):
        if (
            self.course_id
            and self.code
            and taken_by_another(self, course_id=self.course_id, code=self.code)
        ):
            raise ValidationError({"code": _("This course already has an outcome %s.") % self.code})


class Emphasis(models.TextChoices):
    """How far an outcome develops a capability; ordered, so the highest can be taken."""

    INTRODUCED = "I", _("Introduced")
    REINFORCED = "R", _("Reinforced")
    MASTERED = "M", _("Mastered")


EMPHASIS_RANK = {Emphasis.INTRODUCED: 1, Emphasis.REINFORCED: 2, Emphasis.MASTERED: 3}


class OutcomeMapping(models.Model):
    outcome = models.ForeignKey(
        LearningOutcome,
        verbose_name=_("learning outcome"),
        on_delete=models.CASCADE,
        related_name="mappings",
    )
    # PROTECT: a capability that outcomes map to is not deleted from under them (the framework
    # editor is told which outcomes, through competencies' usage registry).
    capability = models.ForeignKey(
        Capability,
        verbose_name=_("capability"),
        on_delete=models.PROTECT,
        related_name="outcome_mappings",
    )
    emphasis = models.CharField(
        _("emphasis"),
        max_length=1,
        choices=Emphasis.choices,
        error_messages={
            "invalid_choice": _(
                "The emphasis must be I (Introduced), R (Reinforced) or M (Mastered)."
            )
        },
    )
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("outcome mapping")
        verbose_name_plural = _("outcome mappings")
        ordering = ["outcome", "capability__domain__position", "capability__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["outcome", "capability"], name="mapping_once_per_outcome_and_capability"
            ),
            models.CheckConstraint(
                condition=Q(emphasis__in=["I", "R", "M"]), name="mapping_emphasis_i_r_m"
            ),
        ]

    def __str__(self):
        return f"{self.outcome.code} → {self.capability.code} ({self.emphasis})"

    def clean(self):
        if self.outcome_id and self.capability_id:
            problem = capability_framework_error(self.outcome.course, self.capability)
            if problem:
                raise ValidationError({"capability": problem})


def capability_framework_error(course: Course, capability: Capability) -> str | None:
    """Why the course's outcomes cannot map to the capability, or None when they can."""
    if capability.framework_id == course.framework_id:
        return None
    return _("%(code)s belongs to “%(other)s”; %(course)s maps to “%(framework)s” only.") % {
        "code": capability.code,
        "other": capability.framework,
        "course": course.code,
        "framework": course.framework,
    }


class RemapReport(models.Model):
    """What a remap to a newer framework version carried over, and what the lead must resolve."""

    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="remap_reports"
    )
    from_framework = models.ForeignKey(
        Framework, verbose_name=_("from"), on_delete=models.PROTECT, related_name="+"
    )
    to_framework = models.ForeignKey(
        Framework, verbose_name=_("to"), on_delete=models.PROTECT, related_name="+"
    )
    carried_over = models.PositiveIntegerField(_("mappings carried over"))
    not_carried_over = models.JSONField(
        _("not carried over"),
        default=list,
        help_text=_("One entry per mapping whose capability the new version no longer has."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("remapped by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("remapped"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        verbose_name = _("remap report")
        verbose_name_plural = _("remap reports")
        ordering = ["course", "-created_at"]

    def __str__(self):
        return f"{self.course.code}: {self.from_framework} → {self.to_framework}"
