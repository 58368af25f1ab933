"""Which courses a coverage is asked for: one form read by the coverage page, its downloads and
the API, so that the same query string gives the same answer everywhere."""

from uuid import UUID

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from competencies.models import Framework
from courses import coverage
from courses.models import EQF_LEVELS, Course, Institution, Programme


def _check_identifier(value, message) -> None:
    """Refuse a value that is not a UUID, quoting it (shortened) in the message."""
    try:
        UUID(str(value))
    except ValueError:
        raise ValidationError(
            message, code="invalid_pk_value", params={"pk": Truncator(str(value)).chars(40)}
        ) from None


class CourseChoiceField(forms.ModelMultipleChoiceField):
    def clean(self, value):
        if isinstance(value, list | tuple):
            # "course=" alone (a link built by hand) chooses no course rather than a bad one.
            value = [item for item in value if item not in self.empty_values]
            for item in value:
                _check_identifier(item, self.error_messages["invalid_pk_value"])
        return super().clean(value)


class FrameworkChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values:
            _check_identifier(value, self.error_messages["invalid_pk_value"])
        return super().to_python(value)


class CoverageSelectionForm(forms.Form):
    programme = forms.ModelChoiceField(
        Programme.objects.select_related("institution"),
        required=False,
        label=_("Programme"),
        error_messages={"invalid_choice": _("There is no such programme.")},
    )
    institution = forms.ModelChoiceField(
        Institution.objects.all(),
        required=False,
        label=_("Institution"),
        error_messages={"invalid_choice": _("There is no such institution.")},
    )
    eqf_level = forms.TypedChoiceField(
        choices=[("", _("Any level")), *EQF_LEVELS],
        coerce=int,
        empty_value=None,
        required=False,
        label=_("EQF level"),
        error_messages={
            "invalid_choice": _("The EQF level must be 7 (MSc) or 8 (PhD), not %(value)s.")
        },
    )
    academic_year = forms.IntegerField(
        required=False,
        min_value=2000,
        label=_("Academic year"),
        help_text=_("The year it starts: 2026 for 2026/27."),
    )
    course = CourseChoiceField(
        Course.objects.all(),
        to_field_name="uuid",
        required=False,
        label=_("Courses"),
        help_text=_("Leave empty for every course the other choices allow."),
        error_messages={
            "invalid_choice": _("No course has the identifier %(value)s."),
            "invalid_pk_value": _("“%(pk)s” is not a course identifier."),
        },
    )
    framework = FrameworkChoiceField(
        Framework.objects.exclude(status=Framework.Status.DRAFT),
        to_field_name="uuid",
        required=False,
        label=_("Framework version"),
        help_text=_("By default, the newest version that the chosen courses map to."),
        error_messages={
            "invalid_choice": _("No published framework version has this identifier."),
            "invalid_pk_value": _("“%(pk)s” is not a framework identifier."),
        },
    )

    def clean(self):
        data = super().clean()
        programme, institution = data.get("programme"), data.get("institution")
        if programme and institution and programme.institution_id != institution.pk:
            self.add_error(
                "programme",
                _("%(programme)s belongs to %(other)s, not to %(institution)s.")
                % {
                    "programme": programme.name,
                    "other": programme.institution.name,
                    "institution": institution.name,
                },
            )
        return data

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
