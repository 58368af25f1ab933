"""What the courses API reads and writes.

Serializers check the shape of the input and find the rows it names; the services in
courses.services and the models' clean() enforce the rules, with the messages the pages show too.
Numbers the rules are about (EQF level, ECTS, emphasis) are therefore taken as plain values here.
"""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from competencies.models import Capability, Framework
from courses.bloom import bloom_suggestion
from courses.models import (
    BloomLevel,
    Course,
    Institution,
    LearningOutcome,
    OutcomeMapping,
    Programme,
)

FRAMEWORK_NOT_FOUND = _("There is no framework version with the identifier {value}.")


class InstitutionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Institution
        fields = ["id", "name", "country", "is_example"]
        # The unique name is checked by the model, with the message the pages show.
        extra_kwargs = {"name": {"validators": []}}


class ProgrammeSerializer(serializers.ModelSerializer):
    institution_name = serializers.CharField(source="institution.name", read_only=True)
    eqf_level = serializers.IntegerField(help_text="7 for an MSc, 8 for a PhD.")
    ects = serializers.DecimalField(max_digits=5, decimal_places=1)

    class Meta:
        model = Programme
        fields = [
            "id",
            "institution",
            "institution_name",
            "name",
            "award",
            "eqf_level",
            "ects",
            "is_example",
        ]
        validators = []


@extend_schema_field(OpenApiTypes.STR)
class LeadField(serializers.RelatedField):
    """A course lead, given by username or by numeric user identifier; read back as username."""

    default_error_messages = {
        "does_not_exist": _("There is no user {value}."),
        "incorrect_type": _("Give a username or a user's numeric identifier, not {data_type}."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", get_user_model().objects.filter(is_active=True))
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        users = self.get_queryset()
        if isinstance(data, int) and not isinstance(data, bool):
            user = users.filter(pk=data).first()
        elif isinstance(data, str):
            # A form sends numbers as text: "12" is a username first, else an identifier.
            user = users.filter(username=data).first()
            if user is None and data.isdecimal():
                user = users.filter(pk=int(data)).first()
        else:
            self.fail("incorrect_type", data_type=type(data).__name__)
        if user is None:
            self.fail("does_not_exist", value=data)
        return user

    def to_representation(self, value):
        return value.username


class CourseSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    url = serializers.HyperlinkedIdentityField(
        view_name="api:course-detail", lookup_field="uuid", read_only=True
    )
    institution_name = serializers.CharField(source="institution.name", read_only=True)
    programme_name = serializers.CharField(
        source="programme.name", default=None, read_only=True, allow_null=True
    )
    leads = serializers.SlugRelatedField(slug_field="username", many=True, read_only=True)
    framework = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    framework_title = serializers.CharField(source="framework", read_only=True)
    rolled_over_from = serializers.SlugRelatedField(
        slug_field="uuid", read_only=True, allow_null=True
    )

    class Meta:
        model = Course
        fields = [
            "id",
            "url",
            "institution",
            "institution_name",
            "programme",
            "programme_name",
            "code",
            "title",
            "eqf_level",
            "ects",
            "academic_year",
            "academic_year_label",
            "semester",
            "delivery_mode",
            "description",
            "leads",
            "framework",
            "framework_title",
            "rolled_over_from",
            "is_example",
            "revision",
        ]
        read_only_fields = fields


class CourseWriteSerializer(serializers.ModelSerializer):
    programme = serializers.PrimaryKeyRelatedField(
        queryset=Programme.objects.select_related("institution"), allow_null=True, required=False
    )
    eqf_level = serializers.IntegerField(help_text="7 (MSc) or 8 (PhD).")
    ects = serializers.DecimalField(max_digits=5, decimal_places=1)
    leads = LeadField(many=True, required=False)
    framework = serializers.SlugRelatedField(
        slug_field="uuid",
        queryset=Framework.objects.all(),
        error_messages={"does_not_exist": FRAMEWORK_NOT_FOUND},
        help_text="The published framework version the outcomes map to. Set when the course is "
        "created; moving to a newer version is a remap.",
    )

    class Meta:
        model = Course
        fields = [
            "institution",
            "programme",
            "code",
            "title",
            "eqf_level",
            "ects",
            "academic_year",
            "semester",
            "delivery_mode",
            "description",
            "leads",
            "framework",
        ]
        # Uniqueness of the code per institution and year is checked by the model's clean().
        validators = []

    def validate_framework(self, framework):
        if self.instance is not None and framework != self.instance.framework:
            raise serializers.ValidationError(
                _(
                    "A course moves to another framework version by a remap, which carries its "
                    "mappings over: POST /api/v1/courses/%(course)s/remap/."
                )
                % {"course": self.instance.uuid}
            )
        return framework


class OutcomeSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    url = serializers.HyperlinkedIdentityField(
        view_name="api:outcome-detail", lookup_field="uuid", read_only=True
    )
    course = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    suggested_level = serializers.SerializerMethodField(
        help_text="The Bloom level the outcome's leading verb suggests (one of the values of "
        "`bloom_level`); empty when the verb is not in the table."
    )
    verb = serializers.SerializerMethodField(help_text="The leading verb read from the text.")
    bloom_level = serializers.ChoiceField(
        choices=BloomLevel.choices,
        allow_blank=True,
        read_only=True,
        help_text="Chosen by the lead or suggested from the leading verb; empty when neither.",
    )
    warning = serializers.SerializerMethodField(
        help_text="Empty, or why the outcome does not start with an observable verb."
    )

    class Meta:
        model = LearningOutcome
        fields = [
            "id",
            "url",
            "course",
            "code",
            "text",
            "position",
            "bloom_level",
            "bloom_level_chosen",
            "suggested_level",
            "verb",
            "warning",
            "revision",
        ]
        read_only_fields = fields

    def _suggestion(self, outcome):
        # One reading of the text for the three fields it gives.
        memo = self.__dict__.setdefault("_suggestions", {})
        key = (outcome.pk, outcome.text)
        if key not in memo:
            memo[key] = bloom_suggestion(outcome.text)
        return memo[key]

    def get_suggested_level(self, outcome) -> str:
        return self._suggestion(outcome).level or ""

    def get_verb(self, outcome) -> str:
        return self._suggestion(outcome).verb

    def get_warning(self, outcome) -> str:
        return self._suggestion(outcome).warning


class OutcomeWriteSerializer(serializers.ModelSerializer):
    course = serializers.SlugRelatedField(
        slug_field="uuid",
        queryset=Course.objects.all(),
        error_messages={"does_not_exist": _("There is no course with the identifier {value}.")},
    )
    code = serializers.CharField(
        max_length=20, required=False, help_text="Left out on creation: the next free LO<n>."
    )
    bloom_level = serializers.ChoiceField(
        choices=BloomLevel.choices,
        allow_blank=True,
        required=False,
        help_text="A level the lead chooses; empty hands the choice back to the leading verb; "
        "left out keeps what there is.",
    )

    class Meta:
        model = LearningOutcome
        fields = ["course", "code", "text", "bloom_level"]
        validators = []

    def validate_course(self, course):
        if self.instance is not None and course != self.instance.course:
            raise serializers.ValidationError(
                _("An outcome stays in the course it was written for.")
            )
        return course


class OrderSerializer(serializers.Serializer):
    order = serializers.ListField(
        child=serializers.UUIDField(),
        help_text="The identifiers of every outcome of the course, in their new order.",
    )


class MappingSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:mapping-detail", read_only=True)
    outcome = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    outcome_code = serializers.CharField(source="outcome.code", read_only=True)
    course = serializers.UUIDField(source="outcome.course.uuid", read_only=True)
    capability = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    capability_code = serializers.CharField(source="capability.code", read_only=True)
    capability_title = serializers.CharField(source="capability.title", read_only=True)
    domain = serializers.CharField(source="capability.domain.name", read_only=True)

    class Meta:
        model = OutcomeMapping
        fields = [
            "id",
            "url",
            "course",
            "outcome",
            "outcome_code",
            "capability",
            "capability_code",
            "capability_title",
            "domain",
            "emphasis",
            "note",
        ]
        read_only_fields = fields


class MappingWriteSerializer(serializers.ModelSerializer):
    outcome = serializers.SlugRelatedField(
        slug_field="uuid",
        queryset=LearningOutcome.objects.select_related("course__framework"),
        error_messages={"does_not_exist": _("There is no outcome with the identifier {value}.")},
    )
    capability = serializers.SlugRelatedField(
        slug_field="uuid",
        queryset=Capability.objects.select_related("framework"),
        error_messages={"does_not_exist": _("There is no capability with the identifier {value}.")},
    )
    emphasis = serializers.CharField(help_text="I (Introduced), R (Reinforced) or M (Mastered).")
    note = serializers.CharField(allow_blank=True, required=False, default="")

    class Meta:
        model = OutcomeMapping
        fields = ["outcome", "capability", "emphasis", "note"]
        validators = []

    def validate(self, attrs):
        if self.instance is not None:
            moved = sorted({"outcome", "capability"} & set(attrs))
            if moved:
                raise serializers.ValidationError(
                    {
                        field: _(
                            "A mapping keeps its outcome and capability; delete it and map again."
                        )
                        for field in moved
                    }
                )
        return attrs


class GridChangeSerializer(serializers.Serializer):
    # Identifiers are taken as text: the bulk save names each one it cannot find.
    outcome = serializers.CharField(help_text="Identifier of one of the course's outcomes.")
    capability = serializers.CharField(help_text="Identifier of a capability.")
    emphasis = serializers.CharField(
        allow_blank=True, help_text="I, R or M; empty removes the mapping."
    )
    expected = serializers.CharField(
        allow_blank=True,
        allow_null=True,
        required=False,
        default=None,
        help_text="The emphasis the cell had when read (empty: not mapped); null: do not check.",
    )


class BulkSaveSerializer(serializers.Serializer):
    changes = GridChangeSerializer(many=True, allow_empty=False)
