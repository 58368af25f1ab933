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


# The nested framework is serialised from the plain data of selectors.framework_tree(), not from
# model instances: plain Serializers over dicts keep the cost near that of the SQL itself.
class LevelDescriptorSerializer(serializers.Serializer):
    eqf_level = serializers.IntegerField()
    text = serializers.CharField()


class ThemeReferenceSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    position = serializers.IntegerField()


class CapabilityNodeSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="uuid")
    code = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    relevance = serializers.CharField()
    position = serializers.IntegerField()
    depth = serializers.IntegerField(help_text="0 for a capability directly under its domain.")
    parent = serializers.UUIDField(allow_null=True)
    themes = ThemeReferenceSerializer(many=True)
    level_descriptors = LevelDescriptorSerializer(many=True)


class DomainNodeSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="uuid")
    code = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    position = serializers.IntegerField()
    capabilities = CapabilityNodeSerializer(many=True)


class ThemeSerializer(ThemeReferenceSerializer):
    description = serializers.CharField()


class FrameworkTreeSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="uuid")
    slug = serializers.CharField()
    title = serializers.CharField()
    version_label = serializers.CharField()
    status = serializers.ChoiceField(choices=Framework.Status.choices)
    language = serializers.CharField()
    licence = serializers.CharField()
    description = serializers.CharField()
    source = serializers.CharField()
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
