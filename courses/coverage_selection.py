"""Which courses a coverage is asked for: one form read by the coverage page, its downloads and
the API, so that the same query string gives the same answer everywhere."""

from django import forms
from django.utils.translation import gettext_lazy as _

from competencies.models import Framework
from courses import coverage
from courses.models import EQF_LEVELS, Course, Institution, Programme


class CoverageSelectionForm(forms.Form):
    programme = forms.ModelChoiceField(
        Programme.objects.select_related("institution"), required=False, label=_("Programme")
    )
    institution = forms.ModelChoiceField(
        Institution.objects.all(), required=False, label=_("Institution")
    )
    eqf_level = forms.TypedChoiceField(
        choices=[("", _("Any level")), *EQF_LEVELS],
        coerce=int,
        empty_value=None,
        required=False,
        label=_("EQF level"),
    )
    academic_year = forms.IntegerField(required=False, min_value=2000, label=_("Academic year"))
    course = forms.ModelMultipleChoiceField(
        Course.objects.all(),
        to_field_name="uuid",
        required=False,
        label=_("Courses"),
        help_text=_("Leave empty for every course the other choices allow."),
    )
    framework = forms.ModelChoiceField(
        Framework.objects.exclude(status=Framework.Status.DRAFT),
        to_field_name="uuid",
        required=False,
        label=_("Framework version"),
        help_text=_("By default, the newest version that the chosen courses map to."),
    )

    def selected_courses(self):
        data = self.cleaned_data
        return coverage.course_selection(
            programme=data.get("programme"),
            institution=data.get("institution"),
            eqf_level=data.get("eqf_level"),
            academic_year=data.get("academic_year"),
            courses=data.get("course"),
        )

    def coverage(self) -> coverage.Coverage:
        """The coverage of the selection (call after is_valid())."""
        return coverage.coverage(self.selected_courses(), self.cleaned_data.get("framework"))
