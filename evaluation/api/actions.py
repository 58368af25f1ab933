"""The formative action log: finding → change made to the course → re-check (summative).

Only evaluators and administrators get in; an action is changed or removed with its ETag in
If-Match.
"""

import django_filters
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from courses.models import Course
from eisen.rest import expected_revision
from evaluation.api.common import IF_MATCH, RevisionedViewSet, by_uuid
from evaluation.api.logic import NO_EXCERPT, NO_MECHANISM, UNCHANGEABLE
from evaluation.models import Excerpt, FormativeAction, Mechanism
from evaluation.services import actions as action_services

NO_COURSE = gettext_lazy("There is no course with the identifier {value}.")


class FormativeActionSerializer(serializers.ModelSerializer):
    course = by_uuid(Course, NO_COURSE)
    mechanism = by_uuid(Mechanism, NO_MECHANISM, required=False, allow_null=True)
    source_excerpts = by_uuid(
        Excerpt,
        NO_EXCERPT,
        many=True,
        required=False,
        help_text="Identifiers of excerpts from the course's own focus groups.",
    )
    created_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = FormativeAction
        fields = [
            "id",
            "course",
            "mechanism",
            "finding",
            "source_excerpts",
            "change_made",
            "changed_on",
            "recheck",
            "rechecked_on",
            "status",
            "created_by",
            "created_at",
            "revision",
        ]


class FormativeActionUpdateSerializer(FormativeActionSerializer):
    course = serializers.SlugRelatedField(slug_field="uuid", read_only=True)


class FormativeActionFilter(django_filters.FilterSet):
    course = django_filters.UUIDFilter(
        field_name="course__uuid", label=gettext_lazy("Course identifier")
    )
    mechanism = django_filters.UUIDFilter(
        field_name="mechanism__uuid", label=gettext_lazy("Mechanism identifier")
    )
    status = django_filters.ChoiceFilter(choices=FormativeAction.Status.choices)

    class Meta:
        model = FormativeAction
        fields = ["course", "mechanism", "status"]


class FormativeActionViewSet(RevisionedViewSet):
    """The formative action log: finding → change made to the course → re-check (summative).

    `changed` needs `change_made` and `changed_on`; `rechecked` needs `recheck` and
    `rechecked_on` too. Filter with `course`, `mechanism` and `status`.
    """

    read_serializer_class = FormativeActionSerializer
    filterset_class = FormativeActionFilter

    def get_queryset(self):
        return (
            FormativeAction.objects.select_related("course", "mechanism", "created_by")
            .prefetch_related("source_excerpts")
            .order_by("course__code", "course__academic_year", "created_at", "pk")
        )

    def get_serializer_class(self):
        if self.action in UNCHANGEABLE:
            return FormativeActionUpdateSerializer
        return FormativeActionSerializer

    @extend_schema(responses={201: FormativeActionSerializer})
    def create(self, request, *args, **kwargs):
        action_row = action_services.formative_action_create(
            created_by=request.user, **self._valid()
        )
        return self._read(action_row, status.HTTP_201_CREATED)

    @extend_schema(parameters=[IF_MATCH], responses={200: FormativeActionSerializer})
    def partial_update(self, request, *args, **kwargs):
        current = self.get_object()
        changes = self._valid(current, partial=True)
        action_row = action_services.formative_action_update(
            action=current, expected_revision=expected_revision(request), **changes
        )
        return self._read(action_row)

    @extend_schema(parameters=[IF_MATCH])
    def destroy(self, request, *args, **kwargs):
        action_services.formative_action_delete(
            action=self.get_object(), expected_revision=expected_revision(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


ROUTES = [
    ("formative-actions", FormativeActionViewSet, "evaluation-formative-action"),
]
