"""The codebook and coded excerpts in the API.

Only evaluators and administrators get in. Codes and excerpts are changed or removed with their
ETag in If-Match; a stale one answers 412 with the object as it is now. On a transcript coded
independently an evaluator lists and reads only their own excerpts until they have compared.
"""

from uuid import UUID

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from competencies.models import Capability
from eisen.rest import WholeItemSerializer, expected_revision
from evaluation.api.common import IF_MATCH, RevisionedViewSet, by_uuid
from evaluation.models import Code, Excerpt, Mechanism, Stance, Transcript
from evaluation.selectors.coding import visible_excerpts, with_links
from evaluation.services import codebook as codebook_services
from evaluation.services import coding as coding_services

NO_CODE = gettext_lazy("There is no code with the identifier {value}.")
NO_MECHANISM = gettext_lazy("There is no mechanism with the identifier {value}.")
NO_CAPABILITY = gettext_lazy("There is no capability with the identifier {value}.")
NO_TRANSCRIPT = gettext_lazy("There is no transcript with the identifier {value}.")


class CodePathsMixin:
    """Code paths read once per serializer (one query for any number of rows), when needed."""

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            "code_paths": SimpleLazyObject(codebook_services.code_paths),
        }


# Codes


class CodeSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    parent = serializers.SlugRelatedField(slug_field="uuid", read_only=True, allow_null=True)
    path = serializers.SerializerMethodField(
        help_text="The names from the top of the codebook down to the code, joined by a "
        "single right-pointing angle quotation mark."
    )
    mechanisms = serializers.SlugRelatedField(slug_field="uuid", many=True, read_only=True)
    capabilities = serializers.SlugRelatedField(slug_field="uuid", many=True, read_only=True)
    coding_count = serializers.SerializerMethodField(help_text="Excerpts coded with it.")

    class Meta:
        model = Code
        fields = [
            "id",
            "parent",
            "path",
            "name",
            "definition",
            "include",
            "exclude",
            "colour",
            "position",
            "mechanisms",
            "capabilities",
            "coding_count",
            "revision",
        ]
        read_only_fields = fields

    def get_path(self, code) -> str:
        return self.context["code_paths"].get(code.pk, code.name)

    def get_coding_count(self, code) -> int:
        # Lists annotate the count; a code read on its own (a stale edit's answer) counts here.
        if hasattr(code, "coding_count"):
            return code.coding_count
        return code.codings.count()


class CodeWriteSerializer(serializers.ModelSerializer):
    parent = by_uuid(
        Code,
        NO_CODE,
        allow_null=True,
        required=False,
        help_text="On creation only; a code changes parent through the `move` action.",
    )
    colour = serializers.CharField(max_length=7, required=False, help_text="#rrggbb")
    mechanisms = by_uuid(Mechanism, NO_MECHANISM, many=True, required=False)
    capabilities = by_uuid(
        Capability,
        NO_CAPABILITY,
        many=True,
        required=False,
        help_text="Capabilities of published frameworks.",
    )

    class Meta:
        model = Code
        fields = [
            "parent",
            "name",
            "definition",
            "include",
            "exclude",
            "colour",
            "mechanisms",
            "capabilities",
        ]
        validators = []

    def validate_parent(self, parent):
        if self.instance is not None:
            raise serializers.ValidationError(
                _("A code changes parent through POST …/codes/%(code)s/move/.")
                % {"code": self.instance.uuid}
            )
        return parent


class CodeMoveSerializer(serializers.Serializer):
    parent = by_uuid(
        Code, NO_CODE, allow_null=True, help_text="The new parent; null puts the code at the top."
    )


class CodeFilter(django_filters.FilterSet):
    parent = django_filters.UUIDFilter(
        field_name="parent__uuid", label=gettext_lazy("Parent code identifier")
    )
    top_level = django_filters.BooleanFilter(
        field_name="parent", lookup_expr="isnull", label=gettext_lazy("Codes at the top only")
    )

    class Meta:
        model = Code
        fields = ["parent", "top_level"]


class CodeViewSet(CodePathsMixin, RevisionedViewSet):
    """The codebook: codes with their parent, path, links and number of codings. Filter with
    `parent` or `top_level`. A code in use by codings, or with sub-codes, is not deleted (409)."""

    lookup_field = "uuid"
    read_serializer_class = CodeSerializer
    filterset_class = CodeFilter

    def get_queryset(self):
        return (
            Code.objects.select_related("parent")
            .annotate(coding_count=Count("codings"))
            .prefetch_related("mechanisms", "capabilities")
            .order_by("parent_id", "position", "name")
        )

    def get_serializer_class(self):
        if self.action in ("create", "partial_update"):
            return CodeWriteSerializer
        if self.action == "move":
            return CodeMoveSerializer
        return CodeSerializer

    @extend_schema(responses={201: CodeSerializer})
    def create(self, request, *args, **kwargs):
        code = codebook_services.code_create(**self._valid())
        return self._read(code, status.HTTP_201_CREATED)

    @extend_schema(parameters=[IF_MATCH], responses={200: CodeSerializer})
    def partial_update(self, request, *args, **kwargs):
        code = self.get_object()
        changes = self._valid(code, partial=True)
        code = codebook_services.code_update(
            code=code, expected_revision=expected_revision(request), **changes
        )
        return self._read(code)

    @extend_schema(parameters=[IF_MATCH])
    def destroy(self, request, *args, **kwargs):
        codebook_services.code_delete(
            code=self.get_object(), expected_revision=expected_revision(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        parameters=[IF_MATCH], request=CodeMoveSerializer, responses={200: CodeSerializer}
    )
    @action(detail=True, methods=["post"])
    def move(self, request, uuid=None):
        """Put the code (with its sub-codes) under another parent; a cycle is refused (400)."""
        code = self.get_object()
        parent = self._valid()["parent"]
        code = codebook_services.code_move(
            code=code, expected_revision=expected_revision(request), parent=parent
        )
        return self._read(code)


# Excerpts


class CodeRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    path = serializers.CharField()


class MechanismLinkSerializer(serializers.Serializer):
    mechanism = serializers.UUIDField(source="mechanism.uuid", read_only=True)
    name = serializers.CharField(source="mechanism.name", read_only=True)
    stance = serializers.ChoiceField(choices=Stance.choices, read_only=True)


class CapabilityLinkSerializer(serializers.Serializer):
    capability = serializers.UUIDField(source="capability.uuid", read_only=True)
    code = serializers.CharField(source="capability.code", read_only=True)
    stance = serializers.ChoiceField(choices=Stance.choices, read_only=True)


class ExcerptSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    transcript = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    participant = serializers.SlugRelatedField(
        slug_field="pseudonym",
        read_only=True,
        allow_null=True,
        help_text="The speaker's pseudonym; null for the facilitator or an unknown speaker.",
    )
    coder = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    codes = serializers.SerializerMethodField()
    mechanisms = MechanismLinkSerializer(source="mechanism_links", many=True, read_only=True)
    capabilities = CapabilityLinkSerializer(source="capability_links", many=True, read_only=True)

    class Meta:
        model = Excerpt
        fields = [
            "id",
            "transcript",
            "start",
            "end",
            "quote",
            "participant",
            "coder",
            "in_analysis",
            "is_agreed",
            "codes",
            "mechanisms",
            "capabilities",
            "valence",
            "is_exemplar",
            "memo",
            "created_at",
            "revision",
        ]
        read_only_fields = fields

    @extend_schema_field(CodeRefSerializer(many=True))
    def get_codes(self, excerpt):
        paths = self.context["code_paths"]
        return [
            {"id": coding.code.uuid, "path": paths.get(coding.code_id, coding.code.name)}
            for coding in excerpt.codings.all()
        ]


class MechanismStanceSerializer(WholeItemSerializer):
    mechanism = by_uuid(Mechanism, NO_MECHANISM)
    stance = serializers.ChoiceField(choices=Stance.choices)


class CapabilityStanceSerializer(WholeItemSerializer):
    capability = serializers.CharField(
        help_text="The capability's identifier, or its code in the framework of the course."
    )
    stance = serializers.ChoiceField(choices=Stance.choices)


class ExcerptWriteSerializer(serializers.Serializer):
    transcript = by_uuid(Transcript, NO_TRANSCRIPT, help_text="On creation only.")
    start = serializers.IntegerField(help_text="Offset of the first character in the text.")
    end = serializers.IntegerField(help_text="Offset just past the last character.")
    codes = by_uuid(Code, NO_CODE, many=True, required=False)
    mechanisms = MechanismStanceSerializer(many=True, required=False)
    capabilities = CapabilityStanceSerializer(many=True, required=False)
    valence = serializers.CharField(required=False, help_text="positive, negative, mixed, neutral")
    is_exemplar = serializers.BooleanField(required=False)
    memo = serializers.CharField(required=False, allow_blank=True)

    def validate_transcript(self, transcript):
        if self.instance is not None and transcript != self.instance.transcript:
            raise serializers.ValidationError(_("An excerpt stays in its transcript."))
        return transcript

    def validate_mechanisms(self, links):
        chosen = {}
        for link in links:
            if link["mechanism"] in chosen:
                raise serializers.ValidationError(
                    _("“%(name)s” is listed twice; list each mechanism once.")
                    % {"name": link["mechanism"].name}
                )
            chosen[link["mechanism"]] = link["stance"]
        return chosen

    def validate(self, attrs):
        if "capabilities" in attrs:
            transcript = self.instance.transcript if self.instance else attrs["transcript"]
            attrs["capabilities"] = _capabilities_named(transcript, attrs["capabilities"])
        return attrs


def _capabilities_named(transcript: Transcript, links: list) -> dict:
    """The capabilities the links name by identifier (of any framework: the service says when
    it is not the course's) or by code (in the course's framework), with their stances."""
    framework = transcript.focus_group.course.framework
    keys = [link["capability"].strip() for link in links]
    uuids = []
    for key in keys:
        try:
            uuids.append(UUID(key))
        except ValueError:
            continue
    found = Capability.objects.filter(
        Q(uuid__in=uuids) | Q(framework=framework, code__in=keys)
    ).select_related("framework")
    by_key = {}
    for capability in found:
        by_key[str(capability.uuid)] = capability
        if capability.framework_id == framework.pk:
            by_key[capability.code] = capability
    chosen = {}
    for key, link in zip(keys, links, strict=True):
        capability = by_key.get(key)
        if capability is None:
            raise serializers.ValidationError(
                {
                    "capabilities": _(
                        "There is no capability %(key)s in “%(framework)s”, the framework of "
                        "%(course)s."
                    )
                    % {
                        "key": key,
                        "framework": framework,
                        "course": transcript.focus_group.course.code,
                    }
                }
            )
        if capability in chosen:
            raise serializers.ValidationError(
                {
                    "capabilities": _("%(code)s is listed twice; list each capability once.")
                    % {"code": capability.code}
                }
            )
        chosen[capability] = link["stance"]
    return chosen


class UserFilter(django_filters.CharFilter):
    """A user given by username or numeric identifier."""

    def filter(self, queryset, value):
        if not value:
            return queryset
        users = get_user_model().objects.filter(username=value)
        if value.isdecimal():
            users = get_user_model().objects.filter(Q(username=value) | Q(pk=int(value)))
        return queryset.filter(coder__in=users)


class ExcerptFilter(django_filters.FilterSet):
    transcript = django_filters.UUIDFilter(
        field_name="transcript__uuid", label=gettext_lazy("Transcript identifier")
    )
    code = django_filters.UUIDFilter(
        field_name="codings__code__uuid", distinct=True, label=gettext_lazy("Code identifier")
    )
    mechanism = django_filters.UUIDFilter(
        field_name="mechanism_links__mechanism__uuid",
        distinct=True,
        label=gettext_lazy("Mechanism linked directly"),
    )
    capability = django_filters.UUIDFilter(
        field_name="capability_links__capability__uuid",
        distinct=True,
        label=gettext_lazy("Capability linked directly"),
    )
    coder = UserFilter(label=gettext_lazy("Coder's username or numeric identifier"))

    class Meta:
        model = Excerpt
        fields = ["transcript", "code", "mechanism", "capability", "coder"]


class ExcerptViewSet(CodePathsMixin, RevisionedViewSet):
    """Coded excerpts of transcripts: range, quote, speaker, codes, mechanisms and capabilities
    with their stance, valence, exemplar flag and memo. Filter with `transcript`, `code`,
    `mechanism`, `capability`, `coder`.

    Creating one needs the transcript's current version and every speaker's consent to take
    part and to transcription; capabilities are those of the course's framework, given by
    identifier or code. On a transcript coded independently the excerpts of others are listed
    only once the evaluator has compared, and only the coder changes their own.
    """

    lookup_field = "uuid"
    read_serializer_class = ExcerptSerializer
    filterset_class = ExcerptFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Excerpt.objects.none()
        excerpts = visible_excerpts(self.request.user).select_related("transcript")
        return with_links(excerpts).order_by("transcript_id", "start", "end", "pk")

    def get_serializer_class(self):
        if self.action in ("create", "partial_update"):
            return ExcerptWriteSerializer
        return ExcerptSerializer

    @extend_schema(request=ExcerptWriteSerializer, responses={201: ExcerptSerializer})
    def create(self, request, *args, **kwargs):
        excerpt = coding_services.excerpt_create(coder=request.user, **self._valid())
        return self._read(excerpt, status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[IF_MATCH], request=ExcerptWriteSerializer, responses={200: ExcerptSerializer}
    )
    def partial_update(self, request, *args, **kwargs):
        excerpt = self.get_object()
        changes = self._valid(excerpt, partial=True)
        changes.pop("transcript", None)
        excerpt = coding_services.excerpt_update(
            excerpt=excerpt,
            editor=request.user,
            expected_revision=expected_revision(request),
            **changes,
        )
        return self._read(excerpt)

    @extend_schema(parameters=[IF_MATCH])
    def destroy(self, request, *args, **kwargs):
        coding_services.excerpt_delete(
            excerpt=self.get_object(),
            editor=request.user,
            expected_revision=expected_revision(request),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


ROUTES = [
    ("codes", CodeViewSet, "evaluation-code"),
    ("excerpts", ExcerptViewSet, "evaluation-excerpt"),
]
