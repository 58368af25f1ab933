"""Logic models, their items and mechanisms, and mechanism assessments.

Only evaluators and administrators get in. Objects with a revision (logic models, mechanisms,
assessments) are changed or removed with their ETag in If-Match; a stale one
answers 412 with the object as it is now.
"""

import django_filters
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from eisen.errors import Conflict
from eisen.rest import expected_revision
from evaluation.api.common import IF_MATCH, RevisionedViewSet, by_uuid
from evaluation.models import (
    Excerpt,
    LogicModel,
    LogicModelItem,
    Mechanism,
    MechanismAssessment,
    Phase,
)
from evaluation.selectors.logic import logic_models_with_counts
from evaluation.services import actions as action_services
from evaluation.services import logic as logic_services

UNCHANGEABLE = {"partial_update", "update"}

NO_LOGIC_MODEL = gettext_lazy("There is no logic model with the identifier {value}.")
NO_MECHANISM = gettext_lazy("There is no mechanism with the identifier {value}.")
NO_EXCERPT = gettext_lazy("There is no excerpt with the identifier {value}.")


class LogicModelItemSerializer(serializers.ModelSerializer):
    logic_model = by_uuid(LogicModel, NO_LOGIC_MODEL)

    class Meta:
        model = LogicModelItem
        fields = ["id", "logic_model", "component", "text", "position"]
        read_only_fields = ["position"]
        validators = []


class MechanismSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    logic_model = by_uuid(LogicModel, NO_LOGIC_MODEL)

    class Meta:
        model = Mechanism
        fields = ["id", "logic_model", "name", "assumption", "reflection", "position", "revision"]
        read_only_fields = ["position"]
        validators = []


class LogicModelSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    item_count = serializers.IntegerField(read_only=True)
    mechanism_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = LogicModel
        fields = [
            "id",
            "title",
            "description",
            "is_example",
            "revision",
            "item_count",
            "mechanism_count",
        ]
        read_only_fields = ["is_example"]
        extra_kwargs = {"title": {"validators": []}}


class LogicModelDetailSerializer(LogicModelSerializer):
    items = LogicModelItemSerializer(many=True, read_only=True)
    mechanisms = MechanismSerializer(many=True, read_only=True)

    class Meta(LogicModelSerializer.Meta):
        fields = [
            f
            for f in LogicModelSerializer.Meta.fields
            if f not in ("item_count", "mechanism_count")
        ] + ["items", "mechanisms"]


class RowMoveSerializer(serializers.Serializer):
    offset = serializers.IntegerField(
        help_text="Places to move: negative moves up, positive down; a move stops at either end."
    )


class LogicModelViewSet(RevisionedViewSet):
    """Logic models; one read gives its items (by column, in order) and its mechanisms."""

    lookup_field = "uuid"
    read_serializer_class = LogicModelDetailSerializer

    def get_queryset(self):
        if self.action == "list":
            return logic_models_with_counts()
        return LogicModel.objects.prefetch_related("items", "mechanisms")

    def get_serializer_class(self):
        if self.action in ("list", "create", "partial_update"):
            return LogicModelSerializer
        return LogicModelDetailSerializer

    @extend_schema(responses={201: LogicModelDetailSerializer})
    def create(self, request, *args, **kwargs):
        logic_model = logic_services.logic_model_create(**self._valid())
        return self._read(logic_model, status.HTTP_201_CREATED)

    @extend_schema(parameters=[IF_MATCH], responses={200: LogicModelDetailSerializer})
    def partial_update(self, request, *args, **kwargs):
        logic_model = self.get_object()
        logic_model = logic_services.logic_model_update(
            logic_model=logic_model,
            expected_revision=expected_revision(request),
            **self._valid(logic_model, partial=True),
        )
        return self._read(logic_model)

    @extend_schema(parameters=[IF_MATCH])
    def destroy(self, request, *args, **kwargs):
        logic_services.logic_model_delete(
            logic_model=self.get_object(), expected_revision=expected_revision(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogicModelItemFilter(django_filters.FilterSet):
    logic_model = django_filters.UUIDFilter(
        field_name="logic_model__uuid", label=gettext_lazy("Logic model identifier")
    )
    component = django_filters.ChoiceFilter(choices=LogicModelItem.Component.choices)

    class Meta:
        model = LogicModelItem
        fields = ["logic_model", "component"]


class LogicModelItemViewSet(RevisionedViewSet):
    """Items of logic models, in the order of their column; filter with `logic_model`.

    An item that changes column goes to the end of its new column.
    """

    serializer_class = LogicModelItemSerializer
    read_serializer_class = LogicModelItemSerializer
    filterset_class = LogicModelItemFilter

    def get_queryset(self):
        return LogicModelItem.objects.select_related("logic_model").order_by(
            "logic_model__title", "logic_model_id", "component", "position"
        )

    def create(self, request, *args, **kwargs):
        item = logic_services.logic_item_create(**self._valid())
        return self._read(item, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        item = self.get_object()
        changes = self._valid(item, partial=True)
        if changes.pop("logic_model", item.logic_model) != item.logic_model:
            raise serializers.ValidationError(
                {"logic_model": _("An item stays in its logic model; add it to the other one.")}
            )
        return self._read(logic_services.logic_item_update(item=item, **changes))

    def destroy(self, request, *args, **kwargs):
        logic_services.logic_item_delete(item=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=RowMoveSerializer, responses={200: LogicModelItemSerializer(many=True)})
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def move(self, request, pk=None):
        """Move the item within its column; answers the column in its new order."""
        serializer = RowMoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        column = logic_services.logic_item_move(
            item=self.get_object(), offset=serializer.validated_data["offset"]
        )
        return Response(LogicModelItemSerializer(column, many=True).data)


class MechanismFilter(django_filters.FilterSet):
    logic_model = django_filters.UUIDFilter(
        field_name="logic_model__uuid", label=gettext_lazy("Logic model identifier")
    )

    class Meta:
        model = Mechanism
        fields = ["logic_model"]


class MechanismViewSet(RevisionedViewSet):
    """Mechanisms of logic models: name, assumption and reflection; filter with `logic_model`."""

    lookup_field = "uuid"
    serializer_class = MechanismSerializer
    read_serializer_class = MechanismSerializer
    filterset_class = MechanismFilter

    def get_queryset(self):
        return Mechanism.objects.select_related("logic_model").order_by(
            "logic_model__title", "logic_model_id", "position"
        )

    @extend_schema(responses={201: MechanismSerializer})
    def create(self, request, *args, **kwargs):
        return self._read(logic_services.mechanism_create(**self._valid()), status.HTTP_201_CREATED)

    @extend_schema(parameters=[IF_MATCH])
    def partial_update(self, request, *args, **kwargs):
        mechanism = self.get_object()
        changes = self._valid(mechanism, partial=True)
        if changes.pop("logic_model", mechanism.logic_model) != mechanism.logic_model:
            raise serializers.ValidationError(
                {"logic_model": _("A mechanism stays in its logic model.")}
            )
        mechanism = logic_services.mechanism_update(
            mechanism=mechanism, expected_revision=expected_revision(request), **changes
        )
        return self._read(mechanism)

    @extend_schema(parameters=[IF_MATCH])
    def destroy(self, request, *args, **kwargs):
        logic_services.mechanism_delete(
            mechanism=self.get_object(), expected_revision=expected_revision(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=RowMoveSerializer, responses={200: MechanismSerializer(many=True)})
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def move(self, request, uuid=None):
        """Move the mechanism within its logic model; answers the mechanisms in their new order."""
        serializer = RowMoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ordered = logic_services.mechanism_move(
            mechanism=self.get_object(), offset=serializer.validated_data["offset"]
        )
        return Response(MechanismSerializer(ordered, many=True).data)


class MechanismAssessmentSerializer(serializers.ModelSerializer):
    mechanism = by_uuid(Mechanism, NO_MECHANISM)
    evidence = by_uuid(
        Excerpt,
        NO_EXCERPT,
        many=True,
        required=False,
        help_text="Identifiers of the excerpts cited: the mechanism's evidence counted in reports.",
    )
    assessed_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = MechanismAssessment
        fields = [
            "id",
            "mechanism",
            "phase",
            "verdict",
            "reflection",
            "evidence",
            "assessed_by",
            "updated_at",
            "revision",
        ]
        validators = []


class MechanismAssessmentUpdateSerializer(MechanismAssessmentSerializer):
    mechanism = serializers.SlugRelatedField(slug_field="uuid", read_only=True)

    class Meta(MechanismAssessmentSerializer.Meta):
        read_only_fields = ["phase"]


class MechanismAssessmentFilter(django_filters.FilterSet):
    mechanism = django_filters.UUIDFilter(
        field_name="mechanism__uuid", label=gettext_lazy("Mechanism identifier")
    )
    phase = django_filters.ChoiceFilter(choices=Phase.choices)

    class Meta:
        model = MechanismAssessment
        fields = ["mechanism", "phase"]


class MechanismAssessmentViewSet(RevisionedViewSet):
    """The verdict on a mechanism after a phase, its reflection and the excerpts cited.

    One per mechanism and phase: create it once, then change it with its ETag in If-Match.
    """

    http_method_names = ["get", "post", "patch", "head", "options"]
    read_serializer_class = MechanismAssessmentSerializer
    filterset_class = MechanismAssessmentFilter

    def get_queryset(self):
        return (
            MechanismAssessment.objects.select_related("mechanism", "assessed_by")
            .prefetch_related("evidence")
            .order_by("mechanism__logic_model_id", "mechanism__position", "-phase")
        )

    def get_serializer_class(self):
        if self.action in UNCHANGEABLE:
            return MechanismAssessmentUpdateSerializer
        return MechanismAssessmentSerializer

    @extend_schema(responses={201: MechanismAssessmentSerializer})
    def create(self, request, *args, **kwargs):
        fields = self._valid()
        mechanism, phase = fields["mechanism"], fields["phase"]
        if MechanismAssessment.objects.filter(mechanism=mechanism, phase=phase).exists():
            raise Conflict(
                _(
                    "“%(mechanism)s” already has a %(phase)s assessment; change it with PATCH "
                    "and its ETag in If-Match."
                )
                % {"mechanism": mechanism.name, "phase": Phase(phase).label.lower()}
            )
        assessment = action_services.mechanism_assess(
            mechanism=mechanism,
            phase=phase,
            verdict=fields["verdict"],
            reflection=fields.get("reflection", ""),
            evidence=fields.get("evidence", []),
            assessed_by=request.user,
            expected_revision=None,
        )
        return self._read(assessment, status.HTTP_201_CREATED)

    @extend_schema(parameters=[IF_MATCH], responses={200: MechanismAssessmentSerializer})
    def partial_update(self, request, *args, **kwargs):
        current = self.get_object()
        changes = self._valid(current, partial=True)
        assessment = action_services.mechanism_assess(
            mechanism=current.mechanism,
            phase=current.phase,
            verdict=changes.get("verdict", current.verdict),
            reflection=changes.get("reflection", current.reflection),
            evidence=changes.get("evidence", list(current.evidence.all())),
            assessed_by=request.user,
            expected_revision=expected_revision(request),
        )
        return self._read(assessment)


ROUTES = [
    ("logic-models", LogicModelViewSet, "evaluation-logic-model"),
    ("logic-model-items", LogicModelItemViewSet, "evaluation-logic-model-item"),
    ("mechanisms", MechanismViewSet, "evaluation-mechanism"),
    ("mechanism-assessments", MechanismAssessmentViewSet, "evaluation-mechanism-assessment"),
]
