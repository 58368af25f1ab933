"""Transcripts in the API: upload or paste one, read its turns, revise it.

Names listed in `names_to_replace` are replaced before anything is stored. A revision is the
next version; the answer says which excerpts moved to it and which stayed (their words changed).
A blind coder sees and counts only their own excerpts in that report until they choose to
compare; a transcript coded independently counts only its agreed coding in `excerpt_count`.
"""

from pathlib import PurePath

import django_filters
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from eisen.rest import NamedNotFoundMixin
from eisen.uploads import TRANSCRIPT_FILE, UploadValidator
from evaluation.api.common import EvaluatorsOnly, by_uuid
from evaluation.models import FocusGroup, Transcript, Utterance
from evaluation.selectors.sessions import revision_seen_by, transcripts_with_counts
from evaluation.services import transcripts

NO_FOCUS_GROUP = gettext_lazy("There is no focus group with the identifier {value}.")
FILE_FORMATS = {".txt": Transcript.SourceFormat.TEXT, ".vtt": Transcript.SourceFormat.VTT}


class TranscriptSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    focus_group = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    focus_group_title = serializers.CharField(source="focus_group.title", read_only=True)
    previous = serializers.SlugRelatedField(slug_field="uuid", read_only=True, allow_null=True)
    created_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    excerpt_count = serializers.IntegerField(
        read_only=True,
        help_text="Excerpts counted in reports; on an independently coded transcript, the "
        "agreed coding only.",
    )
    is_coded = serializers.BooleanField(
        read_only=True, help_text="Whether anyone has coded it (then it is revised, not replaced)."
    )
    utterance_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Transcript
        fields = [
            "id",
            "focus_group",
            "focus_group_title",
            "version",
            "previous",
            "is_current",
            "source_format",
            "source_name",
            "independent_coding",
            "created_by",
            "created_at",
            "excerpt_count",
            "is_coded",
            "utterance_count",
        ]
        read_only_fields = [name for name in fields if name != "independent_coding"]


class UtteranceSerializer(serializers.ModelSerializer):
    participant = serializers.SlugRelatedField(slug_field="uuid", read_only=True, allow_null=True)
    words = serializers.SerializerMethodField()

    class Meta:
        model = Utterance
        fields = ["position", "speaker", "participant", "start", "end", "spoken_at", "words"]
        read_only_fields = fields

    def get_words(self, utterance) -> str:
        return self.context["text"][utterance.start : utterance.end]


class TranscriptDetailSerializer(TranscriptSerializer):
    utterances = serializers.SerializerMethodField()

    class Meta(TranscriptSerializer.Meta):
        fields = [*TranscriptSerializer.Meta.fields, "text", "utterances"]
        read_only_fields = fields

    @extend_schema_field(UtteranceSerializer(many=True))
    def get_utterances(self, transcript):
        return UtteranceSerializer(
            transcript.utterances.all(), many=True, context={"text": transcript.text}
        ).data


class TranscriptUploadSerializer(serializers.Serializer):
    focus_group = by_uuid(
        FocusGroup, NO_FOCUS_GROUP, queryset=FocusGroup.objects.select_related("course")
    )
    file = serializers.FileField(
        required=False,
        help_text="A .txt or .vtt file (multipart/form-data), at most 5 MB.",
        validators=[UploadValidator(TRANSCRIPT_FILE, label="file")],
    )
    text = serializers.CharField(
        required=False, trim_whitespace=False, help_text="The transcript's text, instead of a file."
    )
    read_as = serializers.ChoiceField(
        [("text", "Plain text"), ("vtt", "WebVTT")],
        required=False,
        default="text",
        help_text="For `text` only: read it as plain text, a turn a line, or as WebVTT.",
    )
    names_to_replace = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        trim_whitespace=False,
        help_text="One a line, `Anna Berg = S03`; replaced before anything is stored.",
    )
    independent_coding = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs):
        upload, text = attrs.get("file"), attrs.get("text", "")
        if bool(upload) == bool(text.strip()):
            raise serializers.ValidationError(
                _("Send either a transcript file or its text, not both and not neither.")
            )
        return attrs


class TranscriptReviseSerializer(serializers.Serializer):
    text = serializers.CharField(trim_whitespace=False, help_text="A turn a line, `S03: …`.")


class CarriedExcerptSerializer(serializers.Serializer):
    excerpt = serializers.UUIDField(source="uuid")
    start = serializers.IntegerField()
    end = serializers.IntegerField()


class NotCarriedExcerptSerializer(serializers.Serializer):
    excerpt = serializers.UUIDField(source="excerpt.uuid")
    participant = serializers.CharField(source="excerpt.participant.pseudonym", default=None)
    quote = serializers.CharField(source="excerpt.quote")
    reason = serializers.CharField()


class TranscriptRevisionSerializer(serializers.Serializer):
    transcript = TranscriptSerializer()
    carried_count = serializers.IntegerField(help_text="How many of `carried` there are.")
    not_carried_count = serializers.IntegerField(help_text="How many of `not_carried` there are.")
    carried = CarriedExcerptSerializer(many=True, help_text="The excerpts you may see that moved.")
    not_carried = NotCarriedExcerptSerializer(
        many=True, help_text="The excerpts you may see that stayed on the earlier version."
    )
    summary = serializers.CharField()


class TranscriptFilter(django_filters.FilterSet):
    focus_group = django_filters.UUIDFilter(
        field_name="focus_group__uuid", label=gettext_lazy("Focus group identifier")
    )
    current = django_filters.BooleanFilter(
        field_name="is_current", label=gettext_lazy("Current versions")
    )

    class Meta:
        model = Transcript
        fields = ["focus_group", "current"]


class TranscriptViewSet(
    NamedNotFoundMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Transcripts of focus groups, one row per version; filter with `focus_group`, `current`.

    Create with a multipart upload (`file`) or JSON (`text`). A speaker label must be a
    participant's pseudonym or Facilitator, Moderator, Interviewer or Note-taker; an unknown one
    is refused (400, under `content`) with the line where it first speaks, as are an unreadable
    encoding (with the byte offset) and a broken WebVTT cue (with its line). PATCH changes only
    `independent_coding`, and only before the first excerpt (409 after).
    """

    permission_classes = [EvaluatorsOnly]
    serializer_class = TranscriptSerializer
    filterset_class = TranscriptFilter
    lookup_field = "uuid"
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        transcripts_read = transcripts_with_counts().select_related("focus_group", "previous")
        if self.action == "retrieve":
            return _with_turns(transcripts_read)
        return transcripts_read.order_by("focus_group__held_on", "focus_group_id", "-version")

    def get_serializer_class(self):
        return TranscriptDetailSerializer if self.action == "retrieve" else TranscriptSerializer

    def _detail(self, transcript, status_code=status.HTTP_200_OK):
        fresh = _with_turns(self.get_queryset()).get(pk=transcript.pk)
        return Response(
            TranscriptDetailSerializer(fresh, context=self.get_serializer_context()).data,
            status=status_code,
        )

    @extend_schema(
        request={
            "multipart/form-data": TranscriptUploadSerializer,
            "application/json": TranscriptUploadSerializer,
        },
        responses={201: TranscriptDetailSerializer},
    )
    def create(self, request, *args, **kwargs):
        serializer = TranscriptUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = serializer.validated_data
        upload = fields.get("file")
        if upload:
            content, source_name = upload.read(), upload.name
            source_format = FILE_FORMATS[PurePath(upload.name).suffix.lower()]
        else:
            source_format = (
                Transcript.SourceFormat.VTT
                if fields["read_as"] == "vtt"
                else Transcript.SourceFormat.PASTED
            )
            content, source_name = fields["text"], ""
        transcript = transcripts.transcript_import(
            focus_group=fields["focus_group"],
            content=content,
            source_format=source_format,
            source_name=source_name,
            replacements=fields["names_to_replace"],
            independent_coding=fields["independent_coding"],
            created_by=request.user,
        )
        return self._detail(transcript, status.HTTP_201_CREATED)

    @extend_schema(responses={200: TranscriptSerializer})
    def partial_update(self, request, *args, **kwargs):
        transcript = self.get_object()
        serializer = self.get_serializer(transcript, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        if "independent_coding" in serializer.validated_data:
            transcripts.transcript_set_independent_coding(
                transcript=transcript,
                independent_coding=serializer.validated_data["independent_coding"],
            )
        fresh = self.get_queryset().get(pk=transcript.pk)
        return Response(TranscriptSerializer(fresh, context=self.get_serializer_context()).data)

    @extend_schema(
        request=TranscriptReviseSerializer, responses={201: TranscriptRevisionSerializer}
    )
    @action(detail=True, methods=["post"])
    def revise(self, request, uuid=None):
        """Save an edited text as the next version, carrying unchanged excerpts over."""
        serializer = TranscriptReviseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        revision = transcripts.transcript_revise(
            transcript=self.get_object(),
            text=serializer.validated_data["text"],
            revised_by=request.user,
        )
        shown = revision_seen_by(revision, request.user)
        fresh = self.get_queryset().get(pk=revision.transcript.pk)
        report = {
            "transcript": fresh,
            "carried_count": len(shown.carried),
            "not_carried_count": len(shown.not_carried),
            "carried": shown.carried,
            "not_carried": shown.not_carried,
            "summary": shown.summary(),
        }
        return Response(
            TranscriptRevisionSerializer(report, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


def _with_turns(transcripts_read):
    return transcripts_read.prefetch_related(
        Prefetch(
            "utterances",
            queryset=Utterance.objects.select_related("participant").order_by("position"),
        )
    )


ROUTES = [("transcripts", TranscriptViewSet, "evaluation-transcript")]
