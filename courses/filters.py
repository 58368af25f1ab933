"""Filters of the courses API: the query parameters each list endpoint understands."""

import django_filters
from django.core.validators import RegexValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from courses.models import (
    EQF_LEVELS,
    Course,
    Emphasis,
    Institution,
    LearningOutcome,
    OutcomeMapping,
    Programme,
)


def institution_filter():
    return django_filters.ModelChoiceFilter(
        queryset=Institution.objects.all(),
        label=_("Institution identifier"),
        error_messages={"invalid_choice": _("There is no institution with this identifier.")},
    )


class ProgrammeFilter(django_filters.FilterSet):
    institution = institution_filter()
    award = django_filters.ChoiceFilter(choices=Programme.Award.choices, label=_("Award"))

    class Meta:
        model = Programme
        fields = ["institution", "award"]


class CourseFilter(django_filters.FilterSet):
    institution = institution_filter()
    programme = django_filters.ModelChoiceFilter(
        queryset=Programme.objects.all(),
        label=_("Programme identifier"),
        error_messages={"invalid_choice": _("There is no programme with this identifier.")},
    )
    academic_year = django_filters.NumberFilter(label=_("Academic year it starts, e.g. 2026"))
    eqf_level = django_filters.TypedChoiceFilter(
        choices=EQF_LEVELS, coerce=int, label=_("EQF level (7 or 8)")
    )
    framework = django_filters.UUIDFilter(
        field_name="framework__uuid", label=_("Framework version identifier")
    )
    lead = django_filters.CharFilter(
        method="filter_lead",
        label=_("Courses led by “me” or by the user with this identifier"),
        validators=[RegexValidator(r"^(me|\d+)$", _("Give “me” or a user's numeric identifier."))],
    )
    search = django_filters.CharFilter(
        method="filter_search",
        label=_("Words in the code, title or description (every word must match)"),
    )

    class Meta:
        model = Course
        fields = [
            "institution",
            "programme",
            "academic_year",
            "eqf_level",
            "framework",
            "lead",
            "search",
        ]

    def filter_lead(self, queryset, name, value):
        if value == "me":
            return queryset.filter(leads=self.request.user)
        return queryset.filter(leads__id=int(value))

    def filter_search(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(
                Q(code__icontains=word) | Q(title__icontains=word) | Q(description__icontains=word)
            )
        return queryset


class OutcomeFilter(django_filters.FilterSet):
    course = django_filters.UUIDFilter(field_name="course__uuid", label=_("Course identifier"))

    class Meta:
        model = LearningOutcome
        fields = ["course"]


class MappingFilter(django_filters.FilterSet):
    course = django_filters.UUIDFilter(
        field_name="outcome__course__uuid", label=_("Course identifier")
    )
    outcome = django_filters.UUIDFilter(field_name="outcome__uuid", label=_("Outcome identifier"))
    capability = django_filters.UUIDFilter(
        field_name="capability__uuid", label=_("Capability identifier")
    )
    emphasis = django_filters.ChoiceFilter(choices=Emphasis.choices, label=_("Emphasis"))

    class Meta:
        model = OutcomeMapping
        fields = ["course", "outcome", "capability", "emphasis"]
