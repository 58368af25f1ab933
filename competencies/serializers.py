from django.utils.translation import gettext as _
from rest_framework import serializers

from competencies.models import (
    CODE_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Capability,
    CapabilityAssociation,
    Comment,
    Domain,
    Framework,
    Reference,
    Theme,
)
from eisen.rest import WholeItemSerializer


class FrameworkSummarySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    url = serializers.HyperlinkedIdentityField(
        view_name="api:framework-detail", lookup_field="uuid", read_only=True
    )
    previous_version = serializers.SlugRelatedField(
        slug_field="uuid", read_only=True, allow_null=True
    )

    class Meta:
        model = Framework
        fields = [
            "id",
            "url",
            "slug",
            "title",
            "version_label",
            "status",
            "language",
            "licence",
            "description",
            "previous_version",
            "published_at",
            "updated_at",
            "revision",
        ]


# The nested framework: these serializers document the shape of selectors.framework_tree() in the
# OpenAPI schema; the API returns that plain data as it is (tests hold the two together).
class LevelDescriptorSerializer(WholeItemSerializer):
    eqf_level = serializers.IntegerField()
    text = serializers.CharField()


class ThemeReferenceSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    position = serializers.IntegerField()


class CapabilityNodeSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    code = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    relevance = serializers.CharField(allow_blank=True)
    position = serializers.IntegerField()
    depth = serializers.IntegerField(help_text="0 for a capability directly under its domain.")
    parent = serializers.UUIDField(allow_null=True)
    themes = ThemeReferenceSerializer(many=True)
    level_descriptors = LevelDescriptorSerializer(many=True)


class DomainNodeSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    code = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    position = serializers.IntegerField()
    capabilities = CapabilityNodeSerializer(many=True)


class ThemeSerializer(ThemeReferenceSerializer):
    description = serializers.CharField(allow_blank=True)


class FrameworkTreeSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    slug = serializers.CharField()
    title = serializers.CharField()
    version_label = serializers.CharField()
    status = serializers.ChoiceField(choices=Framework.Status.choices)
    language = serializers.CharField()
    licence = serializers.CharField(allow_blank=True)
    description = serializers.CharField(allow_blank=True)
    source = serializers.CharField(allow_blank=True)
    published_at = serializers.DateTimeField(allow_null=True)
    revision = serializers.IntegerField(help_text="Also the ETag; send it in If-Match to edit.")
    themes = ThemeSerializer(many=True)
    domains = DomainNodeSerializer(many=True)


class CapabilitySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    url = serializers.HyperlinkedIdentityField(
        view_name="api:capability-detail", lookup_field="uuid", read_only=True
    )
    framework = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    domain = serializers.SlugRelatedField(slug_field="code", read_only=True)
    parent = serializers.SlugRelatedField(slug_field="uuid", read_only=True, allow_null=True)
    themes = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    level_descriptors = LevelDescriptorSerializer(many=True, read_only=True)

    class Meta:
        model = Capability
        fields = [
            "id",
            "url",
            "framework",
            "domain",
            "parent",
            "code",
            "title",
            "description",
            "relevance",
            "position",
            "themes",
            "level_descriptors",
            "revision",
        ]


# Writes. Serializers check the shape of the input and find the rows it names; the services in
# competencies.services enforce the rules (drafts only, no cycles, unique codes, …).


class FrameworkWriteSerializer(serializers.ModelSerializer):
    copy_of = serializers.SlugRelatedField(
        slug_field="uuid",
        queryset=Framework.objects.all(),
        required=False,
        write_only=True,
        help_text="Create the new framework as a copy of this one.",
    )

    class Meta:
        model = Framework
        fields = ["title", "slug", "version_label", "language", "licence", "description", "copy_of"]
        extra_kwargs = {"version_label": {"required": False, "default": "1.0"}}
        # Uniqueness of slug + version is checked by the service, with the field named.
        validators = []


class NewVersionSerializer(serializers.Serializer):
    version_label = serializers.CharField(max_length=40)


class DomainSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    framework = serializers.SlugRelatedField(slug_field="uuid", queryset=Framework.objects.all())

    class Meta:
        model = Domain
        fields = ["id", "framework", "code", "name", "description", "position", "revision"]
        read_only_fields = ["position", "revision"]
        validators = []

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            fields["framework"].read_only = True
        return fields


class MoveSerializer(serializers.Serializer):
    index = serializers.IntegerField(min_value=0, help_text="0-based place among the siblings.")
    parent = serializers.SlugRelatedField(
        slug_field="uuid", queryset=Capability.objects.all(), required=False, allow_null=True
    )
    domain = serializers.SlugRelatedField(
        slug_field="uuid", queryset=Domain.objects.all(), required=False, allow_null=True
    )


class CapabilityWriteSerializer(serializers.Serializer):
    domain = serializers.SlugRelatedField(slug_field="uuid", queryset=Domain.objects.all())
    parent = serializers.SlugRelatedField(
        slug_field="uuid", queryset=Capability.objects.all(), required=False, allow_null=True
    )
    code = serializers.CharField(max_length=CODE_MAX_LENGTH)
    title = serializers.CharField(max_length=TITLE_MAX_LENGTH)
    description = serializers.CharField(required=False, allow_blank=True)
    relevance = serializers.CharField(required=False, allow_blank=True)
    themes = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Theme codes of the framework."
    )
    references = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Reference keys of the framework."
    )
    level_descriptors = LevelDescriptorSerializer(
        many=True, required=False, help_text="Given levels are set; an empty text removes one."
    )

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            # Where a capability sits is changed by the move operation, not by an edit.
            del fields["domain"], fields["parent"]
        return fields

    def validate_level_descriptors(self, descriptors):
        levels = [descriptor["eqf_level"] for descriptor in descriptors]
        if len(levels) != len(set(levels)):
            raise serializers.ValidationError(_("Each EQF level may be given once."))
        return {descriptor["eqf_level"]: descriptor["text"] for descriptor in descriptors}

    def validate(self, attrs):
        framework = self.instance.framework if self.instance else attrs["domain"].framework
        for field, model, key in (("themes", Theme, "code"), ("references", Reference, "key")):
            if field not in attrs:
                continue
            found = {
                getattr(row, key): row
                for row in model.objects.filter(framework=framework, **{f"{key}__in": attrs[field]})
            }
            missing = [name for name in attrs[field] if name not in found]
            if missing:
                raise serializers.ValidationError(
                    {field: _("Not in this framework: %(names)s.") % {"names": ", ".join(missing)}}
                )
            attrs[field] = [found[name] for name in attrs[field]]
        return attrs


class AssociationSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    origin = serializers.SlugRelatedField(slug_field="uuid", queryset=Capability.objects.all())
    destination = serializers.SlugRelatedField(slug_field="uuid", queryset=Capability.objects.all())
    label = serializers.CharField(source="get_association_type_display", read_only=True)
    inverse_label = serializers.CharField(read_only=True)

    class Meta:
        model = CapabilityAssociation
        fields = [
            "id",
            "origin",
            "destination",
            "association_type",
            "label",
            "inverse_label",
            "note",
        ]
        validators = []


class CommentSerializer(serializers.ModelSerializer):
    capability = serializers.SlugRelatedField(slug_field="uuid", queryset=Capability.objects.all())
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)
    resolved_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = Comment
        fields = ["id", "capability", "author", "text", "created_at", "resolved_at", "resolved_by"]
        read_only_fields = ["created_at", "resolved_at"]
