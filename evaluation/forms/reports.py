"""The report choice forms, read by the pages and the API alike, so that one query string gives
the same report everywhere."""

from django import forms
from django.utils.translation import gettext_lazy

from competencies.models import Framework
from courses.models import Course
from evaluation.models import FocusGroup, LogicModel
from evaluation.selectors.reports_mechanisms import default_logic_model


class LogicModelChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.title


class LogicModelChoiceForm(forms.Form):
    logic_model = LogicModelChoiceField(
        LogicModel.objects.order_by("title", "pk"),
        to_field_name="uuid",
        required=False,
        empty_label=None,
        label=gettext_lazy("Logic model"),
        error_messages={"invalid_choice": gettext_lazy("No logic model has this identifier.")},
    )

    def chosen_logic_model(self) -> LogicModel | None:
        """The logic model asked for, or the first by title (call after is_valid())."""
        return self.cleaned_data.get("logic_model") or default_logic_model()


class MechanismReportForm(LogicModelChoiceForm):
    course = forms.ModelMultipleChoiceField(
        Course.objects.filter(focus_groups__isnull=False)
        .distinct()
        .order_by("-academic_year", "code", "pk"),
        to_field_name="uuid",
        required=False,
        label=gettext_lazy("Courses"),
        help_text=gettext_lazy("Leave empty for every course with focus groups."),
        error_messages={
            "invalid_choice": gettext_lazy(
                "No course with focus groups has the identifier %(value)s."
            )
        },
    )
    audience = forms.ChoiceField(
        choices=[("", gettext_lazy("Any audience")), *FocusGroup.Audience.choices],
        required=False,
        label=gettext_lazy("Focus-group audience"),
        error_messages={
            "invalid_choice": gettext_lazy(
                "The audience must be students, staff or mixed, not %(value)s."
            )
        },
    )


class CapabilityReportForm(forms.Form):
    framework = forms.ModelChoiceField(
        Framework.objects.exclude(status=Framework.Status.DRAFT).order_by("title", "-published_at"),
        to_field_name="uuid",
        required=False,
        label=gettext_lazy("Framework version"),
        empty_label=gettext_lazy("The one most courses map to"),
        error_messages={
            "invalid_choice": gettext_lazy("No published framework version has this identifier.")
        },
    )
