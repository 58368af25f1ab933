"""The logic model a project is evaluated against: its chain of items and its mechanisms."""

from uuid import uuid4

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Phase(models.TextChoices):
    FORMATIVE = "formative", _("Formative")
    SUMMATIVE = "summative", _("Summative")


class Verdict(models.TextChoices):
    HELD = "held", _("Held")
    PARTLY_HELD = "partly_held", _("Partly held")
    DID_NOT_HOLD = "did_not_hold", _("Did not hold")
    NOT_ENOUGH_EVIDENCE = "not_enough_evidence", _("Not enough evidence")


class LogicModel(models.Model):
    uuid = models.UUIDField(_("identifier"), default=uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_example = models.BooleanField(_("example"), default=False)
    revision = models.PositiveIntegerField(_("revision"), default=1, editable=False)

    class Meta:
        verbose_name = _("logic model")
        verbose_name_plural = _("logic models")
        ordering = ["title"]

    def __str__(self):
        return self.title


class LogicModelItem(models.Model):
    """One entry in a column of the model: what goes in, what is done, what comes out."""

    class Component(models.TextChoices):
        INPUTS = "inputs", _("Inputs and resources")
        ACTIVITIES = "activities", _("Activities")
        OUTPUTS = "outputs", _("Outputs")
        OUTCOMES = "outcomes", _("Outcomes")
        IMPACT = "impact", _("Impact")

    logic_model = models.ForeignKey(
        LogicModel, verbose_name=_("logic model"), on_delete=models.CASCADE, related_name="items"
    )
    component = models.CharField(_("component"), max_length=10, choices=Component.choices)
    text = models.TextField(_("text"))
    position = models.PositiveIntegerField(_("position"))

    class Meta:
        verbose_name = _("logic model item")
        verbose_name_plural = _("logic model items")
        ordering = ["logic_model", "component", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["logic_model", "component", "position"],
                name="logic_item_position_unique",
            ),
            models.CheckConstraint(condition=~Q(text=""), name="logic_item_text_not_empty"),
            models.CheckConstraint(
                condition=Q(
                    component__in=["inputs", "activities", "outputs", "outcomes", "impact"]
                ),
                name="logic_item_component_known",
            ),
        ]

    def __str__(self):
        return f"{self.get_component_display()}: {self.text[:60]}"


class Mechanism(models.Model):
    """What the project assumed would make it work, and the reflection on whether it did."""

    uuid = models.UUIDField(_("identifier"), default=uuid4, unique=True, editable=False)
    logic_model = models.ForeignKey(
        LogicModel,
        verbose_name=_("logic model"),
        on_delete=models.CASCADE,
        related_name="mechanisms",
    )
    name = models.CharField(_("name"), max_length=200)
    assumption = models.TextField(_("assumption"))
    reflection = models.TextField(_("reflection"), blank=True)
    position = models.PositiveIntegerField(_("position"))
    revision = models.PositiveIntegerField(_("revision"), default=1, editable=False)

    class Meta:
        verbose_name = _("mechanism")
        verbose_name_plural = _("mechanisms")
        ordering = ["logic_model", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["logic_model", "name"], name="mechanism_name_unique_per_model"
            ),
            models.UniqueConstraint(
                fields=["logic_model", "position"], name="mechanism_position_unique"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="mechanism_name_not_empty"),
        ]

    def __str__(self):
        return self.name


class MechanismAssessment(models.Model):
    """The verdict on a mechanism after one phase of evaluation, with the excerpts it rests on."""

    mechanism = models.ForeignKey(
        Mechanism, verbose_name=_("mechanism"), on_delete=models.CASCADE, related_name="assessments"
    )
    phase = models.CharField(_("phase"), max_length=10, choices=Phase.choices)
    verdict = models.CharField(_("verdict"), max_length=20, choices=Verdict.choices)
    reflection = models.TextField(_("reflection"), blank=True)
    evidence = models.ManyToManyField(
        "evaluation.Excerpt",
        verbose_name=_("excerpts cited as evidence"),
        blank=True,
        related_name="cited_in",
    )
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessed by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    revision = models.PositiveIntegerField(_("revision"), default=1, editable=False)

    class Meta:
        verbose_name = _("mechanism assessment")
        verbose_name_plural = _("mechanism assessments")
        ordering = ["mechanism", "-phase"]
        constraints = [
            models.UniqueConstraint(
                fields=["mechanism", "phase"], name="assessment_once_per_mechanism_and_phase"
            ),
            models.CheckConstraint(
                condition=Q(phase__in=["formative", "summative"]), name="assessment_phase_known"
            ),
            models.CheckConstraint(
                condition=Q(
                    verdict__in=["held", "partly_held", "did_not_hold", "not_enough_evidence"]
                ),
                name="assessment_verdict_known",
            ),
        ]

    def __str__(self):
        return f"{self.mechanism} ({self.get_phase_display()}): {self.get_verdict_display()}"


class FormativeAction(models.Model):
    """A formative finding, the change it led to in the course, and its re-check at the end."""

    class Status(models.TextChoices):
        OPEN = "open", _("Finding recorded")
        CHANGED = "changed", _("Course changed")
        RECHECKED = "rechecked", _("Re-checked in the summative phase")

    course = models.ForeignKey(
        "courses.Course",
        verbose_name=_("course"),
        on_delete=models.PROTECT,
        related_name="formative_actions",
    )
    mechanism = models.ForeignKey(
        Mechanism,
        verbose_name=_("mechanism"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="formative_actions",
    )
    finding = models.TextField(_("finding"))
    source_excerpts = models.ManyToManyField(
        "evaluation.Excerpt",
        verbose_name=_("excerpts behind the finding"),
        blank=True,
        related_name="formative_actions",
    )
    change_made = models.TextField(_("change made to the course"), blank=True)
    changed_on = models.DateField(_("changed on"), null=True, blank=True)
    recheck = models.TextField(_("re-check in the summative phase"), blank=True)
    rechecked_on = models.DateField(_("re-checked on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    revision = models.PositiveIntegerField(_("revision"), default=1, editable=False)

    class Meta:
        verbose_name = _("formative action")
        verbose_name_plural = _("formative action log")
        ordering = ["course", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(finding=""), name="action_finding_not_empty"),
            models.CheckConstraint(
                condition=Q(status="open") | ~Q(change_made=""),
                name="action_changed_says_what_changed",
            ),
            models.CheckConstraint(
                condition=~Q(status="rechecked") | ~Q(recheck=""),
                name="action_rechecked_says_what_was_found",
            ),
        ]

    def __str__(self):
        return self.finding[:60]
