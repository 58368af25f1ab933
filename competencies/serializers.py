from rest_framework import serializers

from competencies.models import Capability, Framework


class FrameworkSummarySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    url = serializers.HyperlinkedIdentityField(
        view_name="api:framework-detail", lookup_field="uuid", read_only=True
    )
    previous_version = serializers.SlugRelatedField(slug_field="uuid", read_only=True)

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
        ]


# The nested framework: these serializers document the shape of selectors.framework_tree() in the
# OpenAPI schema; the API returns that plain data as it is (tests hold the two together).
class LevelDescriptorSerializer(serializers.Serializer):
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
    themes = ThemeSerializer(many=True)
    domains = DomainNodeSerializer(many=True)


class CapabilitySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    url = serializers.HyperlinkedIdentityField(
        view_name="api:capability-detail", lookup_field="uuid", read_only=True
    )
    framework = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    domain = serializers.SlugRelatedField(slug_field="code", read_only=True)
    parent = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
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
        ]
