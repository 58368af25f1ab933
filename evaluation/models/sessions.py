"""Focus groups, their pseudonymous participants, consent, and transcripts split into turns."""

from uuid import uuid4

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from evaluation.models.logic import Phase


class FocusGroup(models.Model):
    class Mode(models.TextChoices):
        ONLINE_BREAKOUT = "online_breakout", _("Online with breakout rooms")
        ONLINE = "online", _("Online")
        IN_PERSON = "in_person", _("In person")

    class Audience(models.TextChoices):
        STUDENTS = "students", _("Students")
        STAFF = "staff", _("Staff")
        MIXED = "mixed", _("Students and staff")

    uuid = models.UUIDField(_("identifier"), default=uuid4, unique=True, editable=False)
    course = models.ForeignKey(
        "courses.Course",
        verbose_name=_("course"),
        on_delete=models.PROTECT,
        related_name="focus_groups",
    )
    title = models.CharField(_("session"), max_length=200, help_text=_("E.g. “Cohort 1, week 6”."))
    phase = models.CharField(_("phase"), max_length=10, choices=Phase.choices)
    held_on = models.DateField(_("date"))
    mode = models.CharField(_("mode"), max_length=16, choices=Mode.choices)
    facilitator = models.CharField(_("facilitator"), max_length=200, blank=True)
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices)
    language = models.CharField(
        _("language"), max_length=12, help_text=_("A language code such as en, nb or sv.")
    )
    retention_until = models.DateField(
        _("keep transcripts until"),
        help_text=_("`manage.py purge_expired` deletes the transcripts after this date."),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    revision = models.PositiveIntegerField(_("revision"), default=1, editable=False)

    class Meta:
        verbose_name = _("focus group")
        verbose_name_plural = _("focus groups")
        ordering = ["-held_on", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "title"], name="focus_group_title_unique_per_course"
            ),
            models.CheckConstraint(
                condition=Q(phase__in=["formative", "summative"]), name="focus_group_phase_known"
            ),
            models.CheckConstraint(
                condition=Q(retention_until__gte=models.F("held_on")),
                name="focus_group_kept_at_least_until_held",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.get_phase_display()}, {self.held_on:%Y-%m-%d})"


pseudonym_validator = RegexValidator(
    r"^[A-Z]{1,3}[0-9]{1,4}$",
    _("A pseudonym is one to three capital letters and a number, such as S03 or T01."),
)


class Participant(models.Model):
    """A person who took part, known here by pseudonym only; see ParticipantIdentity."""

    class Role(models.TextChoices):
        STUDENT = "student", _("Student")
        TEACHER = "teacher", _("Teacher")
        STAFF = "staff", _("Other staff")
        STAKEHOLDER = "stakeholder", _("Stakeholder")

    uuid = models.UUIDField(_("identifier"), default=uuid4, unique=True, editable=False)
    course = models.ForeignKey(
        "courses.Course",
        verbose_name=_("course"),
        on_delete=models.PROTECT,
        related_name="participants",
    )
    pseudonym = models.CharField(_("pseudonym"), max_length=8, validators=[pseudonym_validator])
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    country = models.CharField(_("country"), max_length=100, blank=True)
    cohort = models.CharField(_("cohort"), max_length=100, blank=True)
    focus_groups = models.ManyToManyField(
        FocusGroup, verbose_name=_("focus groups"), blank=True, related_name="participants"
    )
    revision = models.PositiveIntegerField(_("revision"), default=1, editable=False)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["course", "pseudonym"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "pseudonym"], name="participant_pseudonym_unique_per_course"
            ),
            models.CheckConstraint(
                condition=Q(pseudonym__regex=r"^[A-Z]{1,3}[0-9]{1,4}$"),
                name="participant_pseudonym_shape",
            ),
        ]
        permissions = [
            ("view_identity_key", _("Can see participants' real identities")),
        ]

    def __str__(self):
        return self.pseudonym


class ParticipantIdentity(models.Model):
    """Who a pseudonym is, encrypted with EISEN_IDENTITY_KEY; readable with view_identity_key."""

    participant = models.OneToOneField(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="identity",
    )
    encrypted_name = models.BinaryField(_("name (encrypted)"))
    encrypted_email = models.BinaryField(_("email (encrypted)"), blank=True, default=b"")
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("participant identity")
        verbose_name_plural = _("identity key")

    def __str__(self):
        return f"identity of {self.participant}"


class ConsentScope(models.TextChoices):
    TAKE_PART = "take_part", _("Take part")
    RECORDING = "recording", _("Recording")
    TRANSCRIPTION = "transcription", _("Transcription")
    VERBATIM_QUOTES = "verbatim_quotes", _("Verbatim quotes in reports")
    REUSE = "reuse", _("Reuse in later research")


class Consent(models.Model):
    """One consent given by a participant, and its withdrawal (whole or in part) if any.

    The latest consent of a participant is the one in force; its scopes less the withdrawn ones
    are what the participant allows.
    """

    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="consents",
    )
    text_version = models.CharField(
        _("consent text version"), max_length=40, help_text=_("E.g. “v2 2026-01”.")
    )
    scopes = models.JSONField(_("scopes"), default=list)
    given_on = models.DateField(_("given on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawn_scopes = models.JSONField(_("withdrawn scopes"), default=list, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["participant", "-given_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True, withdrawn_scopes=[])
                | Q(withdrawn_on__isnull=False),
                name="consent_withdrawn_scopes_need_a_date",
            ),
        ]

    def __str__(self):
        return f"{self.participant} {self.text_version} ({self.given_on})"

    @property
    def scopes_in_force(self) -> set[str]:
        return set(self.scopes) - set(self.withdrawn_scopes)


class Transcript(models.Model):
    """What was said in a focus group, already pseudonymised, one version per edit.

    Once coded a version is never changed: an edit makes the next version and carries the
    codings over by text position.
    """

    class SourceFormat(models.TextChoices):
        TEXT = "text", _("Plain text")
        VTT = "vtt", _("WebVTT")
        PASTED = "pasted", _("Pasted")

    uuid = models.UUIDField(_("identifier"), default=uuid4, unique=True, editable=False)
    focus_group = models.ForeignKey(
        FocusGroup,
        verbose_name=_("focus group"),
        on_delete=models.CASCADE,
        related_name="transcripts",
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    previous = models.OneToOneField(
        "self",
        verbose_name=_("previous version"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next_version",
    )
    is_current = models.BooleanField(_("current version"), default=True)
    text = models.TextField(_("text"))
    source_format = models.CharField(_("source"), max_length=6, choices=SourceFormat.choices)
    source_name = models.CharField(_("file name"), max_length=255, blank=True)
    independent_coding = models.BooleanField(
        _("coded independently by several evaluators"),
        default=False,
        help_text=_(
            "Each evaluator codes blind; the agreed coding recorded after comparing is what "
            "reports use."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("transcript")
        verbose_name_plural = _("transcripts")
        ordering = ["focus_group", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["focus_group", "version"], name="transcript_version_unique"
            ),
            models.UniqueConstraint(
                fields=["focus_group"],
                condition=Q(is_current=True),
                name="transcript_one_current_version",
            ),
            models.CheckConstraint(condition=~Q(text=""), name="transcript_text_not_empty"),
        ]

    def __str__(self):
        return f"{self.focus_group.title} v{self.version}"


class Utterance(models.Model):
    """One speaker turn: a span of the transcript's text, tied to a participant when known."""

    transcript = models.ForeignKey(
        Transcript,
        verbose_name=_("transcript"),
        on_delete=models.CASCADE,
        related_name="utterances",
    )
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="utterances",
    )
    speaker = models.CharField(_("speaker"), max_length=40)
    position = models.PositiveIntegerField(_("position"))
    start = models.PositiveIntegerField(_("start"))
    end = models.PositiveIntegerField(_("end"))
    spoken_at = models.DurationField(_("time in the recording"), null=True, blank=True)

    class Meta:
        verbose_name = _("utterance")
        verbose_name_plural = _("utterances")
        ordering = ["transcript", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["transcript", "position"], name="utterance_position_unique"
            ),
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="utterance_span"),
        ]

    def __str__(self):
        return f"{self.speaker} [{self.start}:{self.end}]"
