"""What an evaluation report export is asked for: the same form on the export page, in the API and
on the command line, so that the same request is refused with the same message everywhere."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from courses.models import Course
from evaluation.exports.forms import IdentifiedChoiceField, IdentifiedMultipleChoiceField
from evaluation.models import FocusGroup, LogicModel
from evaluation.report_pdf.sections import Section, in_report_order

#: How many courses the one-line summary names before it counts the rest.
COURSES_NAMED_IN_SUMMARY = 4


def newest_logic_model() -> LogicModel | None:
    return LogicModel.objects.order_by("-pk").first()


def site_languages() -> list[tuple[str, str]]:
    return list(settings.LANGUAGES)


def language_name(code: str) -> str:
    return str(dict(settings.LANGUAGES).get(code, code))


def _listing(choices) -> str:
    return ", ".join(f"{value} ({label})" for value, label in choices)


class LogicModelChoiceField(IdentifiedChoiceField):
    def label_from_instance(self, obj):
        return obj.title


class ListedChoicesMixin:
    """A refused choice is answered with the choices there are, quoted by value and label."""

    def validate(self, value):
        values = value if isinstance(value, list) else [value]
        for item in values:
            if item and not self.valid_value(item):
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": Truncator(item).chars(40), "allowed": _listing(self.choices)},
                )
        super().validate(value)


class LanguageChoiceField(ListedChoicesMixin, forms.ChoiceField):
    pass


class SectionsField(ListedChoicesMixin, forms.MultipleChoiceField):
    def to_python(self, value):
        return [item for item in super().to_python(value) if item]


class EvaluationReportForm(forms.Form):
    logic_model = LogicModelChoiceField(
        LogicModel.objects.order_by("title", "pk"),
        to_field_name="uuid",
        required=False,
        label=gettext_lazy("Logic model"),
        empty_label=gettext_lazy("The newest logic model"),
        error_messages={
            "invalid_choice": gettext_lazy("No logic model has this identifier."),
            "invalid_pk_value": gettext_lazy("“%(pk)s” is not a logic model identifier."),
        },
    )
    courses = IdentifiedMultipleChoiceField(
        Course.objects.order_by("code", "-academic_year", "pk"),
        to_field_name="uuid",
        required=False,
        label=gettext_lazy("Courses"),
        help_text=gettext_lazy(
            "The courses whose focus groups the report counts. Leave empty for every course."
        ),
        error_messages={
            "invalid_choice": gettext_lazy("No course has the identifier %(value)s."),
            "invalid_pk_value": gettext_lazy("“%(pk)s” is not a course identifier."),
        },
    )
    sections = SectionsField(
        choices=Section.choices,
        required=False,
        initial=Section.values,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Sections"),
        help_text=gettext_lazy("Every section when none is named."),
        error_messages={
            "invalid_choice": gettext_lazy(
                "“%(value)s” is not a section of the report; the sections are %(allowed)s."
            )
        },
    )
    language = LanguageChoiceField(
        choices=site_languages,
        required=False,
        label=gettext_lazy("Language"),
        error_messages={
            "invalid_choice": gettext_lazy(
                "“%(value)s” is not a language of this site; choose one of %(allowed)s."
            )
        },
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "evaluation-report-%s")
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = settings.LANGUAGE_CODE

    def clean_logic_model(self):
        chosen = self.cleaned_data["logic_model"] or newest_logic_model()
        if chosen is None:
            raise ValidationError(
                _("There is no logic model yet: there is nothing to report."), code="required"
            )
        return chosen

    def clean_sections(self):
        chosen = self.cleaned_data["sections"]
        if chosen:
            return in_report_order(chosen)
        # Left out means every section; named but empty means none, which is no report.
        if self.add_prefix("sections") in self.data:
            raise ValidationError(
                _("Choose at least one section: %(allowed)s."),
                code="required",
                params={"allowed": _listing(Section.choices)},
            )
        return list(Section.values)

    def clean_language(self):
        return self.cleaned_data["language"] or settings.LANGUAGE_CODE

    def clean(self):
        data = super().clean()
        if "courses" in self.errors:
            return data
        courses = data.get("courses")
        focus_groups = FocusGroup.objects.all()
        if courses:
            focus_groups = focus_groups.filter(course__in=courses)
        if not focus_groups.exists():
            if courses:
                message = _(
                    "None of the chosen courses (%(courses)s) has held a focus group: there is "
                    "nothing to report. Choose courses with focus groups, or none for every course."
                ) % {"courses": ", ".join(dict.fromkeys(course.code for course in courses))}
            else:
                message = _("No course has held a focus group yet: there is nothing to report.")
            self.add_error("courses", message)
        return data

    def export_parameters(self) -> dict:
        """What the job needs to build the report later: identifiers and values, JSON-ready.

        An empty list of courses means every course, as it is when the report is built.
        """
        data = self.cleaned_data
        return {
            "logic_model": str(data["logic_model"].uuid),
            "courses": [str(course.uuid) for course in data["courses"]],
            "sections": list(data["sections"]),
            "language": data["language"],
        }

    def export_summary(self) -> str:
        """One line for the history: logic model, courses, sections and language."""
        data = self.cleaned_data
        courses = list(data["courses"])
        if courses:
            named = ", ".join(
                f"{course.code} ({course.academic_year_label})"
                for course in courses[:COURSES_NAMED_IN_SUMMARY]
            )
            rest = len(courses) - COURSES_NAMED_IN_SUMMARY
            if rest > 0:
                named += " " + ngettext("and %(count)s more", "and %(count)s more", rest) % {
                    "count": rest
                }
        else:
            named = _("every course")
        if len(data["sections"]) == len(Section.values):
            sections = _("every section")
        else:
            sections = ", ".join(str(Section(value).label) for value in data["sections"])
        return " · ".join(
            [data["logic_model"].title, named, sections, language_name(data["language"])]
        )
