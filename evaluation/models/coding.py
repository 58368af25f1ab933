"""The codebook and the coded excerpts of transcripts, linked to mechanisms and capabilities."""

from uuid import uuid4

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from evaluation.models.logic import Mechanism
from evaluation.models.sessions import Participant, Transcript


class Code(models.Model):
    """A code of the hierarchical codebook, itself linkable to mechanisms and capabilities."""

    uuid = models.UUIDField(_("identifier"), default=uuid4, unique=True, editable=False)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent code"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    name = models.CharField(_("name"), max_length=120)
    definition = models.TextField(_("definition"), blank=True)
    include = models.TextField(_("use when"), blank=True)
    exclude = models.TextField(_("do not use when"), blank=True)
    colour = models.CharField(
        _("colour"),
        max_length=7,
        default="#4c6ef5",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("A colour is written #rrggbb."))],
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    mechanisms = models.ManyToManyField(
        Mechanism, verbose_name=_("mechanisms"), blank=True, related_name="codes"
    )
    capabilities = models.ManyToManyField(
        "competencies.Capability",
        verbose_name=_("capabilities"),
        blank=True,
        related_name="evaluation_codes",
    )
    revision = models.PositiveIntegerField(_("revision"), default=1, editable=False)

    class Meta:
        verbose_name = _("code")
        verbose_name_plural = _("codebook")
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"],
                condition=Q(parent__isnull=False),
                name="code_name_unique_among_siblings",
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(parent__isnull=True),
                name="code_name_unique_at_top_level",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="code_name_not_empty"),
            models.CheckConstraint(condition=~Q(parent=models.F("pk")), name="code_not_own_parent"),
            models.CheckConstraint(
                condition=Q(colour__regex=r"^#[0-9a-fA-F]{6}$"), name="code_colour_hex"
            ),
        ]

    def __str__(self):
        return self.name


class Valence(models.TextChoices):
    POSITIVE = "positive", _("Positive")
    NEGATIVE = "negative", _("Negative")
    MIXED = "mixed", _("Mixed")
    NEUTRAL = "neutral", _("Neutral")


class Stance(models.TextChoices):
    SUPPORTS = "supports", _("Supports")
    CHALLENGES = "challenges", _("Challenges")
    MIXED = "mixed", _("Mixed")


class Excerpt(models.Model):
    """A coded passage of a transcript: characters [start, end) of its text.

    `quote` keeps the passage's words so reports need not slice transcripts; `in_analysis` says
    whether reports count it (a blind coder's own excerpts on an independently coded transcript
    do not: the agreed coding does).
    """

    uuid = models.UUIDField(_("identifier"), default=uuid4, unique=True, editable=False)
    transcript = models.ForeignKey(
        Transcript,
        verbose_name=_("transcript"),
        on_delete=models.CASCADE,
        related_name="excerpts",
    )
    start = models.PositiveIntegerField(_("start"))
    end = models.PositiveIntegerField(_("end"))
    quote = models.TextField(_("quote"))
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="excerpts",
    )
    coder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    in_analysis = models.BooleanField(_("counted in reports"), default=True)
    is_agreed = models.BooleanField(_("agreed coding"), default=False)
    codes = models.ManyToManyField(
        Code, verbose_name=_("codes"), through="Coding", related_name="excerpts"
    )
    valence = models.CharField(
        _("valence"), max_length=8, choices=Valence.choices, default=Valence.NEUTRAL
    )
    is_exemplar = models.BooleanField(_("exemplar quote"), default=False)
    memo = models.TextField(_("memo"), blank=True)
    created_at = models.DateTimeField(_("coded"), auto_now_add=True)
    revision = models.PositiveIntegerField(_("revision"), default=1, editable=False)

    class Meta:
        verbose_name = _("excerpt")
        verbose_name_plural = _("excerpts")
        ordering = ["transcript", "start", "end", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="excerpt_span"),
            models.CheckConstraint(
                condition=Q(valence__in=["positive", "negative", "mixed", "neutral"]),
                name="excerpt_valence_known",
            ),
        ]
        indexes = [models.Index(fields=["transcript", "coder"], name="excerpt_by_coder")]

    def __str__(self):
        return f"{self.transcript} [{self.start}:{self.end}]"


class Coding(models.Model):
    """A code applied to an excerpt (one row of the quote bank)."""

    excerpt = models.ForeignKey(
        Excerpt, verbose_name=_("excerpt"), on_delete=models.CASCADE, related_name="codings"
    )
    code = models.ForeignKey(
        Code, verbose_name=_("code"), on_delete=models.PROTECT, related_name="codings"
    )

    class Meta:
        verbose_name = _("coding")
        verbose_name_plural = _("codings")
        constraints = [
            models.UniqueConstraint(fields=["excerpt", "code"], name="coding_once_per_excerpt"),
        ]

    def __str__(self):
        return f"{self.code} on {self.excerpt}"


class ExcerptMechanism(models.Model):
    excerpt = models.ForeignKey(
        Excerpt,
        verbose_name=_("excerpt"),
        on_delete=models.CASCADE,
        related_name="mechanism_links",
    )
    mechanism = models.ForeignKey(
        Mechanism,
        verbose_name=_("mechanism"),
        on_delete=models.CASCADE,
        related_name="excerpt_links",
    )
    stance = models.CharField(_("stance"), max_length=10, choices=Stance.choices)

    class Meta:
        verbose_name = _("excerpt's mechanism")
        verbose_name_plural = _("excerpts' mechanisms")
        constraints = [
            models.UniqueConstraint(fields=["excerpt", "mechanism"], name="excerpt_mechanism_once"),
            models.CheckConstraint(
                condition=Q(stance__in=["supports", "challenges", "mixed"]),
                name="excerpt_mechanism_stance_known",
            ),
        ]

    def __str__(self):
        return f"{self.excerpt} {self.stance} {self.mechanism}"


class ExcerptCapability(models.Model):
    excerpt = models.ForeignKey(
        Excerpt,
        verbose_name=_("excerpt"),
        on_delete=models.CASCADE,
        related_name="capability_links",
    )
    # PROTECT: the framework editor is told which excerpts cite a capability before deleting it.
    capability = models.ForeignKey(
        "competencies.Capability",
        verbose_name=_("capability"),
        on_delete=models.PROTECT,
        related_name="excerpt_links",
    )
    stance = models.CharField(_("stance"), max_length=10, choices=Stance.choices)

    class Meta:
        verbose_name = _("excerpt's capability")
        verbose_name_plural = _("excerpts' capabilities")
        constraints = [
            models.UniqueConstraint(
                fields=["excerpt", "capability"], name="excerpt_capability_once"
            ),
            models.CheckConstraint(
                condition=Q(stance__in=["supports", "challenges", "mixed"]),
                name="excerpt_capability_stance_known",
            ),
        ]

    def __str__(self):
        return f"{self.excerpt} {self.stance} {self.capability}"


class CodingComparison(models.Model):
    """An evaluator's choice to stop coding blind and see the others' coding of a transcript."""

    transcript = models.ForeignKey(
        Transcript,
        verbose_name=_("transcript"),
        on_delete=models.CASCADE,
        related_name="comparisons",
    )
    coder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("evaluator"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    compared_at = models.DateTimeField(_("compared"), auto_now_add=True)

    class Meta:
        verbose_name = _("coding comparison")
        verbose_name_plural = _("coding comparisons")
        constraints = [
            models.UniqueConstraint(
                fields=["transcript", "coder"], name="comparison_once_per_coder"
            ),
        ]

    def __str__(self):
        return f"{self.coder} compared {self.transcript}"


class ErasureRecord(models.Model):
    """That a participant was erased, and how much: deliberately nothing that identifies them."""

    erased_at = models.DateTimeField(_("erased"), auto_now_add=True)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("erased by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    course = models.ForeignKey(
        "courses.Course",
        verbose_name=_("course"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    utterances_redacted = models.PositiveIntegerField(_("utterances redacted"))
    excerpts_removed = models.PositiveIntegerField(_("excerpts removed"))
    excerpts_anonymised = models.PositiveIntegerField(_("excerpts anonymised"))
    consents_deleted = models.PositiveIntegerField(_("consent records deleted"))

    class Meta:
        verbose_name = _("erasure record")
        verbose_name_plural = _("erasure records")
        ordering = ["-erased_at"]

    def __str__(self):
        return f"erasure {self.erased_at:%Y-%m-%d %H:%M}"
