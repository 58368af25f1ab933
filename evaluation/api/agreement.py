"""Agreement between evaluators in the API: statistics, the turns they differ on, agreed coding.

Everything but `compare` answers 409 until the evaluator has compared: before that they code
blind and see only their own coding.
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from eisen.rest import NamedNotFoundMixin
from evaluation.agreement import agreement_for_transcript, agreement_review
from evaluation.api.common import EvaluatorsOnly
from evaluation.models import Excerpt, Transcript
from evaluation.services import agreement as services

NOT_COMPARED = OpenApiResponse(
    description="The evaluator has not compared yet (they code blind until they do), or the "
    "transcript is not coded independently; the message says which."
)


class AgreementCodeSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="uuid")
    name = serializers.CharField()
    path = serializers.CharField(help_text="The names of the code's parents, then its own.")


class PairKappaSerializer(serializers.Serializer):
    coders = serializers.ListField(child=serializers.CharField(), help_text="Two usernames.")
    kappa = serializers.FloatField(allow_null=True, help_text="Cohen's kappa; null if undefined.")
    note = serializers.CharField(allow_null=True, help_text="Why kappa is undefined.")


class AgreementCoderCountSerializer(serializers.Serializer):
    coder = serializers.CharField()
    units = serializers.IntegerField(help_text="Turns the coder gave the code to.")


class CodeAgreementSerializer(serializers.Serializer):
    code = AgreementCodeSerializer()
    status = serializers.CharField(
        help_text="measured, not_used (no coder gave it), too_few_coders or no_units."
    )
    note = serializers.CharField(allow_null=True, help_text="What the status means, in words.")
    units_coded = AgreementCoderCountSerializer(many=True)
    kappas = PairKappaSerializer(many=True)
    alpha = serializers.FloatField(
        allow_null=True, help_text="Krippendorff's alpha (nominal); null if undefined."
    )
    alpha_note = serializers.CharField(allow_null=True, help_text="Why alpha is undefined.")
    agreed_units = serializers.IntegerField(help_text="Turns on which all coders agree.")
    percent_agreement = serializers.FloatField(allow_null=True)


class TranscriptAgreementSerializer(serializers.Serializer):
    transcript = serializers.UUIDField(source="transcript.uuid")
    coders = serializers.ListField(child=serializers.CharField())
    units = serializers.IntegerField(source="unit_count", help_text="Speaker turns compared.")
    mean_alpha = serializers.FloatField(
        allow_null=True, help_text="Mean alpha over the codes whose alpha is defined."
    )
    alpha_codes = serializers.IntegerField(help_text="How many codes the mean is over.")
    summary_note = serializers.CharField(allow_null=True)
    codes = CodeAgreementSerializer(many=True)


class AgreementCodeMarkSerializer(serializers.Serializer):
    code = AgreementCodeSerializer()
    differs = serializers.BooleanField()


class ExcerptOnUnitSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="excerpt.uuid")
    start = serializers.IntegerField(source="excerpt.start")
    end = serializers.IntegerField(source="excerpt.end")
    quote = serializers.CharField(source="excerpt.quote")
    codes = AgreementCodeSerializer(many=True)
    in_agreed_coding = serializers.BooleanField()


class CoderOnUnitSerializer(serializers.Serializer):
    coder = serializers.CharField()
    codes = AgreementCodeMarkSerializer(many=True)
    excerpts = ExcerptOnUnitSerializer(many=True)


class DisagreedUnitSerializer(serializers.Serializer):
    position = serializers.IntegerField(source="unit.position")
    speaker = serializers.CharField(source="unit.speaker")
    start = serializers.IntegerField(source="unit.start")
    end = serializers.IntegerField(source="unit.end")
    text = serializers.CharField(source="words")
    differing_codes = AgreementCodeSerializer(many=True)
    coders = CoderOnUnitSerializer(many=True)


class AgreedOnReviewSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="excerpt.uuid")
    start = serializers.IntegerField(source="excerpt.start")
    end = serializers.IntegerField(source="excerpt.end")
    quote = serializers.CharField(source="excerpt.quote")
    codes = AgreementCodeSerializer(many=True)
    recorded_by = serializers.CharField(source="excerpt.coder", allow_null=True)


class AgreementReviewSerializer(serializers.Serializer):
    units = DisagreedUnitSerializer(many=True, help_text="Turns where the coders differ.")
    agreed = AgreedOnReviewSerializer(many=True, help_text="The agreed coding so far.")
    unanimous = serializers.IntegerField(
        help_text="Turn and code pairs every coder agrees on (what accept-all takes)."
    )


class CodingComparisonSerializer(serializers.Serializer):
    transcript = serializers.UUIDField(source="transcript.uuid")
    coder = serializers.CharField(source="coder.username")
    compared_at = serializers.DateTimeField()


class AgreementExcerptChoiceSerializer(serializers.Serializer):
    excerpt = serializers.UUIDField(help_text="The excerpt's identifier.")


class AgreedExcerptSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    transcript = serializers.UUIDField(source="transcript.uuid", read_only=True)
    codes = serializers.SlugRelatedField(many=True, read_only=True, slug_field="uuid")
    recorded_by = serializers.CharField(source="coder.username", read_only=True, allow_null=True)

    class Meta:
        model = Excerpt
        fields = [
            "id",
            "transcript",
            "start",
            "end",
            "quote",
            "codes",
            "valence",
            "is_exemplar",
            "memo",
            "in_analysis",
            "is_agreed",
            "recorded_by",
        ]
        read_only_fields = fields


class AgreementAcceptedSerializer(serializers.Serializer):
    added = AgreedExcerptSerializer(many=True)


class AgreementViewSet(NamedNotFoundMixin, viewsets.GenericViewSet):
    """Agreement between the evaluators who coded a transcript independently.

    `compare` ends blind coding for the evaluator who asks (they must have coded the
    transcript). After it, the statistics per code (Cohen's kappa per pair of coders,
    Krippendorff's alpha, percent agreement, counts; the units are the speaker turns), the turns
    where the coders differ, and the agreed coding: `accept` copies a coder's excerpt into it,
    `accept-all` every code all coders gave to a turn, `remove` takes an agreed excerpt out.
    """

    permission_classes = [EvaluatorsOnly]
    queryset = Transcript.objects.select_related("focus_group__course")
    lookup_field = "uuid"
    serializer_class = TranscriptAgreementSerializer

    def _compared_transcript(self) -> Transcript:
        transcript = self.get_object()
        services.require_comparison(transcript, self.request.user)
        return transcript

    def _excerpt(self, transcript: Transcript) -> Excerpt:
        chosen = AgreementExcerptChoiceSerializer(data=self.request.data)
        chosen.is_valid(raise_exception=True)
        uuid = chosen.validated_data["excerpt"]
        excerpt = Excerpt.objects.filter(uuid=uuid, transcript=transcript).first()
        if excerpt is None:
            raise serializers.ValidationError(
                {
                    "excerpt": [
                        _("No excerpt of %(transcript)s has the identifier %(uuid)s.")
                        % {"transcript": transcript, "uuid": uuid}
                    ]
                }
            )
        excerpt.transcript = transcript
        return excerpt

    @extend_schema(responses={200: TranscriptAgreementSerializer, 409: NOT_COMPARED})
    def retrieve(self, request, uuid=None):
        """Kappa, alpha, percent agreement and counts per code of the codebook."""
        agreement = agreement_for_transcript(self._compared_transcript())
        return Response(TranscriptAgreementSerializer(agreement).data)

    @extend_schema(responses={200: AgreementReviewSerializer, 409: NOT_COMPARED})
    @action(detail=True, methods=["get"])
    def disagreements(self, request, uuid=None):
        """The turns where the coders differ, each coder's codes and excerpts there, and the
        agreed coding so far."""
        review = agreement_review(agreement_for_transcript(self._compared_transcript()))
        return Response(AgreementReviewSerializer(review).data)

    @extend_schema(
        request=None,
        responses={
            200: CodingComparisonSerializer,
            409: OpenApiResponse(
                description="Not coded independently, or the evaluator has not coded it."
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def compare(self, request, uuid=None):
        """Stop coding blind and see the other evaluators' coding; asking twice is harmless."""
        comparison = services.comparison_start(transcript=self.get_object(), coder=request.user)
        return Response(CodingComparisonSerializer(comparison).data)

    @extend_schema(
        request=AgreementExcerptChoiceSerializer,
        responses={201: AgreedExcerptSerializer, 409: NOT_COMPARED},
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, uuid=None):
        """Copy a coder's excerpt (codes, links, valence, exemplar flag, memo) as agreed coding."""
        transcript = self.get_object()
        agreed = services.agreed_excerpt_accept(excerpt=self._excerpt(transcript), by=request.user)
        agreed = Excerpt.objects.select_related("transcript", "coder").get(pk=agreed.pk)
        return Response(AgreedExcerptSerializer(agreed).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: AgreementAcceptedSerializer, 409: NOT_COMPARED})
    @action(detail=True, methods=["post"], url_path="accept-all")
    def accept_all(self, request, uuid=None):
        """Accept every code all coders gave to a turn, from the first coder's excerpts."""
        added = services.agreed_units_accept_all(transcript=self.get_object(), by=request.user)
        added = (
            Excerpt.objects.filter(pk__in=[excerpt.pk for excerpt in added])
            .select_related("transcript", "coder")
            .prefetch_related("codes")
        )
        return Response(AgreementAcceptedSerializer({"added": added}).data)

    @extend_schema(
        request=AgreementExcerptChoiceSerializer,
        responses={204: OpenApiResponse(description="Removed."), 409: NOT_COMPARED},
    )
    @action(detail=True, methods=["post"])
    def remove(self, request, uuid=None):
        """Take an excerpt out of the agreed coding (the coders' own excerpts stay)."""
        transcript = self.get_object()
        services.agreed_excerpt_remove(excerpt=self._excerpt(transcript), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


ROUTES = [("agreement", AgreementViewSet, "evaluation-agreement")]
