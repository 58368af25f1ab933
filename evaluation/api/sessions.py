"""Focus groups, pseudonymous participants, consent records and the identity key in the API.

Only evaluators and administrators get in; the identity key also needs the permission
`evaluation.view_identity_key`. Focus groups and participants are changed or removed with their
ETag in If-Match; a stale one answers 412 with the object as it is now.
"""

import django_filters
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound
from rest_framework.response import Response

from courses.models import Course
from eisen.rest import NamedNotFoundMixin, expected_revision
from evaluation.api.common import IF_MATCH, EvaluatorsOnly, RevisionedViewSet, by_uuid
from evaluation.api.transcripts import ROUTES as TRANSCRIPT_ROUTES
from evaluation.models import (
    Consent,
    ConsentScope,
    FocusGroup,
    Participant,
    ParticipantIdentity,
    Phase,
)
from evaluation.permissions import can_see_identities
from evaluation.selectors.sessions import (
    consent_in_force_of,
    focus_groups_for_list,
    identity_shown,
    participants_for_list,
)
from evaluation.services import sessions
from evaluation.views.sessions import IDENTITIES_HIDDEN

NO_COURSE = gettext_lazy("There is no course with the identifier {value}.")
NO_FOCUS_GROUP = gettext_lazy("There is no focus group with the identifier {value}.")
NO_PARTICIPANT = gettext_lazy("There is no participant with the identifier {value}.")


class FocusGroupSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    course = by_uuid(Course, NO_COURSE)
    course_code = serializers.CharField(source="course.code", read_only=True)
    participants = serializers.SlugRelatedField(slug_field="pseudonym", many=True, read_only=True)
    current_transcript = serializers.UUIDField(
        source="current_transcript_uuid", read_only=True, allow_null=True
    )
    current_version = serializers.IntegerField(read_only=True, allow_null=True)
    current_is_coded = serializers.BooleanField(read_only=True)

    class Meta:
        model = FocusGroup
        fields = [
            "id",
            "course",
            "course_code",
            "title",
            "phase",
            "held_on",
            "mode",
            "facilitator",
            "audience",
            "language",
            "retention_until",
            "notes",
            "participants",
            "current_transcript",
            "current_version",
            "current_is_coded",
            "revision",
        ]
        read_only_fields = ["revision"]
        # Uniqueness and the retention rule are checked by the service, with its messages.
        validators = []


class FocusGroupFilter(django_filters.FilterSet):
    course = django_filters.UUIDFilter(
        field_name="course__uuid", label=gettext_lazy("Course identifier")
    )
    phase = django_filters.ChoiceFilter(choices=Phase.choices, label=gettext_lazy("Phase"))

    class Meta:
        model = FocusGroup
        fields = ["course", "phase"]


class FocusGroupViewSet(RevisionedViewSet):
    """Focus groups of courses; filter with `course` and `phase`.

    A focus group with a transcript cannot be deleted (409): it is kept until its retention
    date. Its course can change only while it has no participants and no transcript.
    """

    serializer_class = FocusGroupSerializer
    read_serializer_class = FocusGroupSerializer
    filterset_class = FocusGroupFilter
    lookup_field = "uuid"

    def get_queryset(self):
        return focus_groups_for_list().prefetch_related("participants")

    @extend_schema(responses={201: FocusGroupSerializer})
    def create(self, request, *args, **kwargs):
        focus_group = sessions.focus_group_create(created_by=request.user, **self._valid())
        return self._read(focus_group, status.HTTP_201_CREATED)

    @extend_schema(parameters=[IF_MATCH], responses={200: FocusGroupSerializer})
    def partial_update(self, request, *args, **kwargs):
        focus_group = self.get_object()
        focus_group = sessions.focus_group_update(
            focus_group=focus_group,
            expected_revision=expected_revision(request),
            **self._valid(focus_group, partial=True),
        )
        return self._read(focus_group)

    @extend_schema(parameters=[IF_MATCH])
    def destroy(self, request, *args, **kwargs):
        sessions.focus_group_delete(
            focus_group=self.get_object(), expected_revision=expected_revision(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class ConsentInForceSerializer(serializers.ModelSerializer):
    scopes = serializers.ListField(child=serializers.ChoiceField(ConsentScope.choices))
    withdrawn_scopes = serializers.ListField(child=serializers.ChoiceField(ConsentScope.choices))
    scopes_in_force = serializers.SerializerMethodField()

    class Meta:
        model = Consent
        fields = [
            "id",
            "text_version",
            "given_on",
            "scopes",
            "withdrawn_on",
            "withdrawn_scopes",
            "scopes_in_force",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(ConsentScope.choices)))
    def get_scopes_in_force(self, consent) -> list[str]:
        return [scope for scope in ConsentScope.values if scope in consent.scopes_in_force]


class ParticipantSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    course = by_uuid(Course, NO_COURSE)
    course_code = serializers.CharField(source="course.code", read_only=True)
    focus_groups = by_uuid(FocusGroup, NO_FOCUS_GROUP, many=True, required=False)
    consent_in_force = serializers.SerializerMethodField(
        help_text="The latest consent, with its scopes less the withdrawn ones; null when none."
    )

    class Meta:
        model = Participant
        fields = [
            "id",
            "course",
            "course_code",
            "pseudonym",
            "role",
            "country",
            "cohort",
            "focus_groups",
            "consent_in_force",
            "revision",
        ]
        read_only_fields = ["revision"]
        validators = []
        # The pseudonym's shape is checked by the service, which upper-cases it first.
        extra_kwargs = {"pseudonym": {"validators": []}}

    @extend_schema_field(ConsentInForceSerializer(allow_null=True))
    def get_consent_in_force(self, participant):
        consent = consent_in_force_of(participant)
        return ConsentInForceSerializer(consent).data if consent else None


class ParticipantsCreateSerializer(serializers.Serializer):
    course = by_uuid(Course, NO_COURSE)
    pseudonyms = serializers.CharField(help_text="Separated by commas or one a line: S01, S02.")
    role = serializers.ChoiceField(Participant.Role.choices)
    country = serializers.CharField(required=False, allow_blank=True, default="")
    cohort = serializers.CharField(required=False, allow_blank=True, default="")
    focus_groups = by_uuid(FocusGroup, NO_FOCUS_GROUP, many=True, required=False, default=list)


class ParticipantFilter(django_filters.FilterSet):
    course = django_filters.UUIDFilter(
        field_name="course__uuid", label=gettext_lazy("Course identifier")
    )
    focus_group = django_filters.UUIDFilter(
        field_name="focus_groups__uuid", label=gettext_lazy("Focus group identifier")
    )

    class Meta:
        model = Participant
        fields = ["course", "focus_group"]


class ParticipantViewSet(RevisionedViewSet):
    """Participants of courses, by pseudonym only, with the consent in force.

    Filter with `course` or `focus_group`. Removing a participant is an erasure (see
    participant-exports and erasures). The pseudonym cannot change once a transcript names it.
    """

    serializer_class = ParticipantSerializer
    read_serializer_class = ParticipantSerializer
    filterset_class = ParticipantFilter
    lookup_field = "uuid"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return participants_for_list().distinct()

    @extend_schema(responses={201: ParticipantSerializer})
    def create(self, request, *args, **kwargs):
        participant = sessions.participant_create(**self._valid())
        return self._read(participant, status.HTTP_201_CREATED)

    @extend_schema(parameters=[IF_MATCH], responses={200: ParticipantSerializer})
    def partial_update(self, request, *args, **kwargs):
        participant = self.get_object()
        changes = self._valid(participant, partial=True)
        course = changes.pop("course", participant.course)
        if course != participant.course:
            raise ValidationError(
                {"course": _("A participant's course cannot change; add them to the other one.")}
            )
        participant = sessions.participant_update(
            participant=participant, expected_revision=expected_revision(request), **changes
        )
        return self._read(participant)

    @extend_schema(
        request=ParticipantsCreateSerializer, responses={201: ParticipantSerializer(many=True)}
    )
    @action(detail=False, methods=["post"], url_path="several")
    def create_many(self, request):
        """Add several participants of a course at once (all of them or none)."""
        serializer = ParticipantsCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        added = sessions.participants_create_many(**serializer.validated_data)
        fresh = self.get_queryset().filter(pk__in=[participant.pk for participant in added])
        return Response(
            ParticipantSerializer(fresh, many=True, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


class ConsentSerializer(serializers.ModelSerializer):
    participant = by_uuid(Participant, NO_PARTICIPANT)
    scopes = serializers.ListField(
        child=serializers.ChoiceField(ConsentScope.choices), allow_empty=False
    )
    withdrawn_scopes = serializers.ListField(
        child=serializers.ChoiceField(ConsentScope.choices), read_only=True
    )
    recorded_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = Consent
        fields = [
            "id",
            "participant",
            "text_version",
            "scopes",
            "given_on",
            "recorded_by",
            "recorded_at",
            "withdrawn_on",
            "withdrawn_scopes",
        ]
        read_only_fields = ["recorded_at", "withdrawn_on"]


class WithdrawalSerializer(serializers.Serializer):
    withdrawn_on = serializers.DateField()
    scopes = serializers.ListField(
        child=serializers.ChoiceField(ConsentScope.choices),
        allow_empty=False,
        help_text="Withdrawing take_part withdraws every scope.",
    )


class ConsentFilter(django_filters.FilterSet):
    participant = django_filters.UUIDFilter(
        field_name="participant__uuid", label=gettext_lazy("Participant identifier")
    )

    class Meta:
        model = Consent
        fields = ["participant"]


class ConsentViewSet(
    NamedNotFoundMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Consent records; the latest of a participant is in force. Filter with `participant`.

    A consent is never edited: a new one replaces it, and a withdrawal is recorded on the one
    in force.
    """

    permission_classes = [EvaluatorsOnly]
    serializer_class = ConsentSerializer
    filterset_class = ConsentFilter

    def get_queryset(self):
        return Consent.objects.select_related("participant", "recorded_by").order_by(
            "participant__pseudonym", "participant_id", "-given_on", "-pk"
        )

    def perform_create(self, serializer):
        serializer.instance = sessions.consent_record(
            recorded_by=self.request.user, **serializer.validated_data
        )

    @extend_schema(request=WithdrawalSerializer, responses={200: ConsentSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Withdraw scopes of this consent, which must be the one in force (else 409)."""
        serializer = WithdrawalSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        consent = sessions.consent_withdraw(consent=self.get_object(), **serializer.validated_data)
        return Response(self.get_serializer(consent).data)


class IdentityKeyHolders(permissions.BasePermission):
    message = IDENTITIES_HIDDEN

    def has_permission(self, request, view):
        return can_see_identities(request.user)


class IdentityUnreadable(APIException):
    """The identity is stored but the configured keys do not open it."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = gettext_lazy("The identity key cannot open this identity.")
    default_code = "identity_key"


class IdentitySerializer(serializers.Serializer):
    participant = serializers.UUIDField(read_only=True)
    pseudonym = serializers.CharField(read_only=True)
    name = serializers.CharField(max_length=200)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    updated_at = serializers.DateTimeField(read_only=True)


class IdentityViewSet(NamedNotFoundMixin, viewsets.GenericViewSet):
    """Who a pseudonym is: the identity key, addressed by the participant's identifier.

    Needs the permission to see the identity key (403 otherwise). Names are encrypted with
    EISEN_IDENTITY_KEY; without that key, storing one is refused (400).
    """

    permission_classes = [EvaluatorsOnly, IdentityKeyHolders]
    serializer_class = IdentitySerializer
    lookup_field = "uuid"
    lookup_url_kwarg = "participant"
    lookup_value_regex = "[0-9a-f-]{36}"

    def get_queryset(self):
        return Participant.objects.select_related("identity")

    def _read(self, participant, record: ParticipantIdentity):
        shown = identity_shown(record)
        if shown.problem:
            raise IdentityUnreadable(shown.problem)
        return Response(
            IdentitySerializer(
                {
                    "participant": participant.uuid,
                    "pseudonym": participant.pseudonym,
                    "name": shown.name,
                    "email": shown.email,
                    "updated_at": record.updated_at,
                }
            ).data
        )

    def retrieve(self, request, participant=None):
        found = self.get_object()
        record = ParticipantIdentity.objects.filter(participant=found).first()
        if record is None:
            raise NotFound(
                _("No identity is kept for %(pseudonym)s.") % {"pseudonym": found.pseudonym}
            )
        return self._read(found, record)

    def update(self, request, participant=None):
        found = self.get_object()
        serializer = IdentitySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = sessions.identity_set(participant=found, **serializer.validated_data)
        return self._read(found, record)

    @extend_schema(responses={204: None})
    def destroy(self, request, participant=None):
        sessions.identity_remove(participant=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


ROUTES = [
    ("focus-groups", FocusGroupViewSet, "evaluation-focus-group"),
    ("participants", ParticipantViewSet, "evaluation-participant"),
    ("consents", ConsentViewSet, "evaluation-consent"),
    ("identities", IdentityViewSet, "evaluation-identity"),
    *TRANSCRIPT_ROUTES,
]
