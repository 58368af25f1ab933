"""Data protection in the API: erasing participants, the erasure log, and subject access."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from eisen.rest import NamedNotFoundMixin
from evaluation.api.common import EvaluatorsOnly
from evaluation.models import ErasureRecord, Participant
from evaluation.permissions import can_see_identities
from evaluation.services.erasure import erasure_confirmation_error, participant_erase
from evaluation.services.subject_access import participant_data_export


class ErasureRequestSerializer(serializers.Serializer):
    participant = serializers.SlugRelatedField(
        slug_field="uuid",
        queryset=Participant.objects.select_related("course"),
        help_text=_("The identifier of the participant to erase."),
        error_messages={
            "does_not_exist": _(
                "No participant has the identifier {value}; they may have been erased already."
            ),
            "invalid": _("Give the participant's identifier, a UUID."),
        },
    )
    confirm = serializers.CharField(
        max_length=8, help_text=_("The participant's pseudonym, typed again to confirm.")
    )

    def validate(self, attrs):
        problem = erasure_confirmation_error(
            typed=attrs["confirm"], pseudonym=attrs["participant"].pseudonym
        )
        if problem:
            raise serializers.ValidationError({"confirm": problem})
        return attrs


class ErasureRecordSerializer(serializers.ModelSerializer):
    erased_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    course = serializers.SlugRelatedField(slug_field="uuid", read_only=True, allow_null=True)

    class Meta:
        model = ErasureRecord
        fields = [
            "id",
            "erased_at",
            "erased_by",
            "course",
            "utterances_redacted",
            "excerpts_removed",
            "excerpts_anonymised",
            "consents_deleted",
        ]
        read_only_fields = fields


class ErasureViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Participants erased from the evaluation, newest first; POST erases one.

    Erasing masks the participant's words in every transcript version (offsets of others'
    words are kept), removes the excerpts of only their words, anonymises those that also hold
    others' words, and deletes their consent records, identity and participant row. Send the
    participant's identifier and, in `confirm`, their pseudonym. Evaluators and administrators
    alike may erase: answering a person's request to be forgotten is part of running the
    evaluation, not an administrative privilege. Records hold counts only, never a pseudonym.
    """

    permission_classes = [EvaluatorsOnly]
    serializer_class = ErasureRecordSerializer

    def get_queryset(self):
        return ErasureRecord.objects.select_related("erased_by", "course").order_by(
            "-erased_at", "-pk"
        )

    @extend_schema(request=ErasureRequestSerializer, responses={201: ErasureRecordSerializer})
    def create(self, request, *args, **kwargs):
        serializer = ErasureRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = participant_erase(
            participant=serializer.validated_data["participant"], erased_by=request.user
        )
        return Response(ErasureRecordSerializer(record).data, status=status.HTTP_201_CREATED)


class ParticipantExportViewSet(NamedNotFoundMixin, viewsets.GenericViewSet):
    """Everything held about one participant (a subject access request), as JSON.

    Their focus groups, consent history, every turn of theirs with its words, and the excerpts
    of their words with codes, mechanisms, capabilities, valence and memo. Their real identity
    is included only for users with the permission to see identities.
    """

    permission_classes = [EvaluatorsOnly]
    lookup_field = "uuid"
    queryset = Participant.objects.select_related("course")

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def retrieve(self, request, *args, **kwargs):
        participant = self.get_object()
        response = Response(
            participant_data_export(
                participant=participant, include_identity=can_see_identities(request.user)
            )
        )
        # Their words and perhaps their name: no copy kept by a browser or a proxy on the way.
        response["Cache-Control"] = "private, no-store"
        return response


ROUTES = [
    ("erasures", ErasureViewSet, "evaluation-erasure"),
    ("participant-exports", ParticipantExportViewSet, "evaluation-participant-export"),
]
