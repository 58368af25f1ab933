"""Frameworks and what they hold: domains, capabilities, their links, themes and references."""

from uuid import uuid4

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from eisen.rows import taken_by_another

# Long enough for codes and statements of frameworks made elsewhere (CASE humanCodingScheme,
# Moodle ID numbers), not only EISEN's own short codes.
CODE_MAX_LENGTH = 60
TITLE_MAX_LENGTH = 255


class Framework(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    uuid = models.UUIDField(_("identifier"), default=uuid4, unique=True, editable=False)
    slug = models.SlugField(_("slug"), max_length=80)
    title = models.CharField(_("title"), max_length=200)
    version_label = models.CharField(_("version"), max_length=40)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    previous_version = models.ForeignKey(
        "self",
        verbose_name=_("previous version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_versions",
    )
    language = models.CharField(_("language"), max_length=12, default="en")
    licence = models.CharField(_("licence"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    source = models.TextField(
        _("source"), blank=True, help_text=_("Where the framework's content comes from.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    revision = models.PositiveIntegerField(
        _("revision"),
        default=1,
        editable=False,
        help_text=_("Raised by every save; stale edits are refused."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")
        ordering = ["title", "-published_at", "version_label"]
        constraints = [
            models.UniqueConstraint(
                fields=["slug", "version_label"], name="framework_version_unique_per_slug"
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="framework_published_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(previous_version=F("id")), name="framework_not_its_own_previous"
            ),
        ]

    def __str__(self):
        return f"{self.title} {self.version_label}"

    def get_absolute_url(self):
        return reverse("competencies:framework_detail", args=[self.uuid])

    def clean(self):
        if taken_by_another(self, slug=self.slug, version_label=self.version_label):
            raise ValidationError(
                {
                    "version_label": _("“%(slug)s” already has a version %(version)s.")
                    % {"slug": self.slug, "version": self.version_label}
                }
            )

    @property
    def is_draft(self):
        return self.status == self.Status.DRAFT

    @property
    def is_editable(self):
        return self.status == self.Status.DRAFT


class Domain(models.Model):
    """One of the framework's top-level groups: in EISEN, Knowledge, Skills and Attitudes."""

    uuid = models.UUIDField(_("identifier"), default=uuid4, unique=True, editable=False)
    framework = models.ForeignKey(
        Framework, verbose_name=_("framework"), on_delete=models.CASCADE, related_name="domains"
    )
    code = models.CharField(_("code"), max_length=CODE_MAX_LENGTH)
    name = models.CharField(_("name"), max_length=TITLE_MAX_LENGTH)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveIntegerField(_("position"))
    revision = models.PositiveIntegerField(_("revision"), default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")
        ordering = ["framework", "position"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="domain_code_unique"),
            models.UniqueConstraint(
                fields=["framework", "position"], name="domain_position_unique"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def clean(self):
        if self.framework_id and taken_by_another(
            self, framework_id=self.framework_id, code=self.code
        ):
            raise ValidationError(
                {"code": _("Another domain of this framework has the code %s.") % self.code}
            )


class Theme(models.Model):
    """A cross-cutting theme (the report's Figure 1) that capabilities contribute to."""

    framework = models.ForeignKey(
        Framework, verbose_name=_("framework"), on_delete=models.CASCADE, related_name="themes"
    )
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveIntegerField(_("position"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["framework", "position"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="theme_code_unique"),
            models.UniqueConstraint(fields=["framework", "position"], name="theme_position_unique"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.framework_id and taken_by_another(
            self, framework_id=self.framework_id, code=self.code
        ):
            raise ValidationError({"code": _("This framework already has a theme %s.") % self.code})


class Reference(models.Model):
    framework = models.ForeignKey(
        Framework, verbose_name=_("framework"), on_delete=models.CASCADE, related_name="references"
    )
    key = models.SlugField(
        _("key"), max_length=80, help_text=_("Short citation key, e.g. gabbay-2014.")
    )
    citation = models.TextField(_("citation"))
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    doi = models.CharField(_("DOI"), max_length=200, blank=True)
    url = models.URLField(_("URL"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reference")
        verbose_name_plural = _("references")
        ordering = ["framework", "citation"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "key"], name="reference_key_unique"),
            models.CheckConstraint(
                condition=Q(year__isnull=True) | Q(year__gte=1800, year__lte=2200),
                name="reference_year_plausible",
            ),
        ]

    def __str__(self):
        return self.citation

    def clean(self):
        if self.framework_id and taken_by_another(
            self, framework_id=self.framework_id, key=self.key
        ):
            raise ValidationError(
                {"key": _("This framework already has a reference %s.") % self.key}
            )

    @property
    def link(self):
        return f"https://doi.org/{self.doi}" if self.doi else self.url


class Capability(models.Model):
    uuid = models.UUIDField(_("identifier"), default=uuid4, unique=True, editable=False)
    # Denormalised from the domain so the database can hold codes unique within a framework.
    framework = models.ForeignKey(
        Framework,
        verbose_name=_("framework"),
        on_delete=models.CASCADE,
        related_name="capabilities",
    )
    domain = models.ForeignKey(
        Domain, verbose_name=_("domain"), on_delete=models.CASCADE, related_name="capabilities"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent capability"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
    )
    code = models.CharField(_("code"), max_length=CODE_MAX_LENGTH)
    title = models.CharField(_("capability"), max_length=TITLE_MAX_LENGTH)
    description = models.TextField(_("description"), blank=True)
    relevance = models.TextField(_("relevance to research co-production"), blank=True)
    notes = models.TextField(
        _("notes"), blank=True, help_text=_("Anything else, e.g. the notes of an imported item.")
    )
    position = models.PositiveIntegerField(_("position"))
    themes = models.ManyToManyField(
        Theme, verbose_name=_("themes"), blank=True, related_name="capabilities"
    )
    references = models.ManyToManyField(
        Reference, verbose_name=_("references"), blank=True, related_name="capabilities"
    )
    # Lineage: the same capability across versions and copies of a framework shares one lineage;
    # `derived_from` is the capability of the version it was copied from.
    lineage = models.UUIDField(_("lineage"), default=uuid4, editable=False, db_index=True)
    derived_from = models.ForeignKey(
        "self",
        verbose_name=_("derived from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="derived_capabilities",
    )
    revision = models.PositiveIntegerField(_("revision"), default=1, editable=False)

    history = HistoricalRecords(m2m_fields=[themes, references])

    class Meta:
        verbose_name = _("capability")
        verbose_name_plural = _("capabilities")
        ordering = ["domain__position", "position"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="capability_code_unique"),
            models.UniqueConstraint(
                fields=["framework", "lineage"], name="capability_lineage_once_per_framework"
            ),
            models.UniqueConstraint(
                fields=["domain", "position"],
                condition=Q(parent__isnull=True),
                name="capability_top_level_position_unique",
            ),
            models.UniqueConstraint(
                fields=["parent", "position"],
                condition=Q(parent__isnull=False),
                name="capability_child_position_unique",
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("id")), name="capability_not_its_own_parent"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    def get_absolute_url(self):
        return reverse("competencies:capability_detail", args=[self.uuid])

    def clean(self):
        if self.framework_id and taken_by_another(
            self, framework_id=self.framework_id, code=self.code
        ):
            raise ValidationError(
                {"code": _("Another capability of this framework has the code %s.") % self.code}
            )
        if self.domain_id and self.framework_id and self.domain.framework_id != self.framework_id:
            raise ValidationError({"domain": _("The domain belongs to another framework.")})
        if self.parent_id and self.parent.domain_id != self.domain_id:
            raise ValidationError(
                {"parent": _("A sub-capability must sit in the same domain as its parent.")}
            )


class LevelDescriptor(models.Model):
    """What a capability looks like at an EQF level (7: master's, 8: doctoral)."""

    class EqfLevel(models.IntegerChoices):
        MASTER = 7, _("EQF 7 (master's)")
        DOCTORAL = 8, _("EQF 8 (doctoral)")

    capability = models.ForeignKey(
        Capability,
        verbose_name=_("capability"),
        on_delete=models.CASCADE,
        related_name="level_descriptors",
    )
    eqf_level = models.PositiveSmallIntegerField(_("EQF level"), choices=EqfLevel.choices)
    text = models.TextField(_("descriptor"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("level descriptor")
        verbose_name_plural = _("level descriptors")
        ordering = ["capability", "eqf_level"]
        constraints = [
            models.UniqueConstraint(
                fields=["capability", "eqf_level"], name="level_descriptor_one_per_level"
            ),
            models.CheckConstraint(
                condition=Q(eqf_level__in=[7, 8]), name="level_descriptor_eqf_7_or_8"
            ),
        ]

    def __str__(self):
        return f"{self.capability.code} EQF {self.eqf_level}"


class CapabilityAssociation(models.Model):
    """A typed link between two capabilities, named as in 1EdTech CASE CFAssociation."""

    class Type(models.TextChoices):
        IS_RELATED_TO = "isRelatedTo", _("is related to")
        IS_PART_OF = "isPartOf", _("is part of")
        EXACT_MATCH_OF = "exactMatchOf", _("is an exact match of")
        IS_PEER_OF = "isPeerOf", _("is a peer of")
        PRECEDES = "precedes", _("precedes")
        EXEMPLAR = "exemplar", _("is an exemplar of")
        HAS_SKILL_LEVEL = "hasSkillLevel", _("has skill level")
        REPLACED_BY = "replacedBy", _("is replaced by")

    INVERSE_LABELS = {
        Type.IS_RELATED_TO: _("is related from"),
        Type.IS_PART_OF: _("has part"),
        Type.EXACT_MATCH_OF: _("is an exact match of"),
        Type.IS_PEER_OF: _("is a peer of"),
        Type.PRECEDES: _("follows"),
        Type.EXEMPLAR: _("has exemplar"),
        Type.HAS_SKILL_LEVEL: _("is skill level of"),
        Type.REPLACED_BY: _("replaces"),
    }

    uuid = models.UUIDField(_("identifier"), default=uuid4, unique=True, editable=False)
    origin = models.ForeignKey(
        Capability,
        verbose_name=_("origin"),
        on_delete=models.CASCADE,
        related_name="outgoing_associations",
    )
    destination = models.ForeignKey(
        Capability,
        verbose_name=_("destination"),
        on_delete=models.CASCADE,
        related_name="incoming_associations",
    )
    association_type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("capability association")
        verbose_name_plural = _("capability associations")
        constraints = [
            models.UniqueConstraint(
                fields=["origin", "destination", "association_type"],
                name="association_unique",
            ),
            models.CheckConstraint(
                condition=~Q(origin=F("destination")), name="association_not_to_itself"
            ),
        ]

    def __str__(self):
        return f"{self.origin.code} {self.association_type} {self.destination.code}"

    @property
    def inverse_label(self):
        return self.INVERSE_LABELS[self.association_type]


class ExternalAssociation(models.Model):
    """A typed link between a capability and a node of a framework held elsewhere.

    Kept from an import (a CASE association whose other end is not in the package), so that
    exporting the framework again gives the link back.
    """

    uuid = models.UUIDField(_("identifier"), default=uuid4, unique=True, editable=False)
    capability = models.ForeignKey(
        Capability,
        verbose_name=_("capability"),
        on_delete=models.CASCADE,
        related_name="external_associations",
    )
    capability_is_origin = models.BooleanField(
        _("capability is the origin"),
        default=True,
        help_text=_("Off when the link points from the external node to the capability."),
    )
    association_type = models.CharField(
        _("type"), max_length=20, choices=CapabilityAssociation.Type.choices
    )
    identifier = models.CharField(_("external identifier"), max_length=200)
    uri = models.CharField(_("external URI"), max_length=500, blank=True)
    title = models.CharField(_("external title"), max_length=TITLE_MAX_LENGTH, blank=True)
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("external association")
        verbose_name_plural = _("external associations")
        ordering = ["capability", "association_type", "identifier"]
        constraints = [
            models.UniqueConstraint(
                fields=["capability", "capability_is_origin", "association_type", "identifier"],
                name="external_association_unique",
            ),
            models.CheckConstraint(
                condition=~Q(identifier=""), name="external_association_has_identifier"
            ),
        ]

    def __str__(self):
        return f"{self.capability.code} {self.association_type} {self.title or self.identifier}"
