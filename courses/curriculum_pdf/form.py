"""What a curriculum PDF is asked for: a framework version, a selection of courses, the sections
and the language. The same form serves the export page, the API and `manage.py export_curriculum`.

The selection of courses is the coverage page's (`CoverageSelectionForm`), so that a programme,
an institution, an EQF level, a year or hand-picked courses give the same courses everywhere.
Refusals name the field and what is wrong, before any job is queued.
"""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from competencies.models import Framework
from courses.coverage import default_framework
from courses.coverage_selection import CoverageSelectionForm
from courses.models import Course, academic_year_label

SECTIONS = (
    ("framework", gettext_lazy("The framework")),
    ("courses", gettext_lazy("Course specifications")),
    ("matrix", gettext_lazy("Coverage matrix")),
    ("gaps", gettext_lazy("Gaps")),
)
SECTION_NAMES = tuple(name for name, _label in SECTIONS)


def language_name(code: str) -> str:
    return str(dict(settings.LANGUAGES).get(code, code))


def sections_phrase(sections: list[str]) -> str:
    """'all sections', or the chosen sections' names."""
    if set(sections) == set(SECTION_NAMES):
        return _("all sections")
    labels = dict(SECTIONS)
    return ", ".join(str(labels[name]) for name in sections)


def selection_criteria(selection: dict) -> str:
    """What the courses were chosen by, e.g. 'MSc Implementation Science, EQF level 7'."""
    parts = [selection.get("programme"), selection.get("institution")]
    if selection.get("eqf_level"):
        parts.append(_("EQF level %(level)s") % {"level": selection["eqf_level"]})
    if selection.get("academic_year"):
        parts.append(academic_year_label(selection["academic_year"]))
    return ", ".join(part for part in parts if part)


def selection_phrase(selection: dict, count: int) -> str:
    """The courses of an export in words: '4 courses of MSc Implementation Science'.

    `selection` is what `CurriculumExportForm.export_parameters()` stores: the names and values
    the courses were chosen by, so the phrase can be written in the document's language later.
    """
    chosen_by = selection_criteria(selection)
    values = {"count": count, "selection": chosen_by}
    if selection.get("hand_picked"):
        if chosen_by:
            return (
                ngettext(
                    "%(count)d hand-picked course of %(selection)s",
                    "%(count)d hand-picked courses of %(selection)s",
                    count,
                )
                % values
            )
        return (
            ngettext("%(count)d hand-picked course", "%(count)d hand-picked courses", count)
            % values
        )
    if chosen_by:
        return (
            ngettext(
                "%(count)d course of %(selection)s", "%(count)d courses of %(selection)s", count
            )
            % values
        )
    return ngettext("the only course", "all %(count)d courses", count) % values


class SectionsField(forms.MultipleChoiceField):
    """The sections to include, always returned in the document's order."""

    def to_python(self, value):
        if isinstance(value, str):
            value = [value]
        return [item for item in super().to_python(value) if item not in self.empty_values]

    def clean(self, value):
        chosen = set(super().clean(value))
        return [name for name in SECTION_NAMES if name in chosen]


class LanguageField(forms.ChoiceField):
    """One of settings.LANGUAGES, read when the form is used (languages are added later)."""

    def validate(self, value):
        if value not in self.empty_values and not self.valid_value(value):
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={
                    "value": value,
                    "allowed": ", ".join(f"{code} ({name})" for code, name in settings.LANGUAGES),
                },
            )
        super().validate(value)


def _languages():
    return list(settings.LANGUAGES)


class CurriculumExportForm(CoverageSelectionForm):
    """The coverage page's selection of courses and framework version, plus sections and language.

    Left out, `sections` means every section (a request that names none); given but empty, it is
    refused. Left out, `language` is settings.LANGUAGE_CODE.
    """

    field_order = ["framework", "programme", "institution", "eqf_level", "academic_year", "course"]

    sections = SectionsField(
        choices=SECTIONS,
        required=False,
        initial=list(SECTION_NAMES),
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Sections"),
        error_messages={
            "invalid_choice": gettext_lazy(
                "“%(value)s” is not a section; the sections are framework, courses, matrix and "
                "gaps."
            ),
            "invalid_list": gettext_lazy("Give the sections as a list of names."),
        },
    )
    language = LanguageField(
        choices=_languages,
        required=False,
        initial=settings.LANGUAGE_CODE,
        label=gettext_lazy("Language"),
        error_messages={
            "invalid_choice": gettext_lazy(
                "“%(value)s” is not a language the PDF can be written in; choose one of "
                "%(allowed)s."
            )
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.courses: list[Course] = []
        self.left_out: list[Course] = []
        self.chosen_framework: Framework | None = None

    def clean_sections(self):
        sections = self.cleaned_data["sections"]
        if sections:
            return sections
        if "sections" in self.data:
            raise ValidationError(
                _("Choose at least one section: %(sections)s.")
                % {"sections": ", ".join(str(label) for _name, label in SECTIONS)},
                code="required",
            )
        return list(SECTION_NAMES)

    def clean_language(self):
        return self.cleaned_data["language"] or settings.LANGUAGE_CODE

    def clean(self):
        data = super().clean()
        selection_fields = ("programme", "institution", "eqf_level", "academic_year", "course")
        if any(name in self.errors for name in (*selection_fields, "framework")):
            return data
        selected = list(self.selected_courses())
        if not selected:
            self.add_error("course", self._no_course_message(data))
            return data
        framework = data.get("framework") or default_framework(selected)
        included = [course for course in selected if course.framework.slug == framework.slug]
        if not included:
            self.add_error("framework", self._framework_not_used_message(framework, selected))
            return data
        self.chosen_framework = framework
        self.courses = included
        self.left_out = [course for course in selected if course.framework.slug != framework.slug]
        return data

    def _no_course_message(self, data) -> str:
        selection = self._selection(data)
        chosen_by = selection_criteria(selection)
        if selection["hand_picked"]:
            return _(
                "No course matches this selection: none of the hand-picked courses is one of "
                "%(selection)s."
            ) % {"selection": chosen_by}
        if chosen_by:
            return _(
                "No course matches this selection (%(selection)s): choose another programme, "
                "institution, EQF level or year, or pick the courses."
            ) % {"selection": chosen_by}
        return _("No course matches this selection: there are no courses yet.")

    @staticmethod
    def _framework_not_used_message(framework: Framework, courses: list[Course]) -> str:
        counts: dict[Framework, int] = {}
        for course in courses:
            counts[course.framework] = counts.get(course.framework, 0) + 1
        versions = ", ".join(
            ngettext("%(framework)s (%(count)d course)", "%(framework)s (%(count)d courses)", n)
            % {"framework": version, "count": n}
            for version, n in counts.items()
        )
        return _("None of the chosen courses maps to %(framework)s; they map to %(versions)s.") % {
            "framework": framework,
            "versions": versions,
        }

    @staticmethod
    def _selection(data) -> dict:
        programme, institution = data.get("programme"), data.get("institution")
        return {
            "programme": programme.name if programme else None,
            "institution": institution.name if institution else None,
            "eqf_level": data.get("eqf_level"),
            "academic_year": data.get("academic_year"),
            "hand_picked": bool(data.get("course")),
        }

    def export_parameters(self) -> dict:
        """JSON-ready parameters of the export (call after is_valid())."""
        data = self.cleaned_data
        return {
            "framework": str(self.chosen_framework.uuid),
            "courses": [str(course.uuid) for course in self.courses],
            "selection": self._selection(data),
            "left_out": [
                {"code": course.code, "framework": str(course.framework)}
                for course in self.left_out
            ],
            "sections": data["sections"],
            "language": data["language"],
        }

    def export_summary(self) -> str:
        """One line for the history of exports."""
        data = self.cleaned_data
        return " · ".join(
            [
                str(self.chosen_framework),
                selection_phrase(self._selection(data), len(self.courses)),
                sections_phrase(data["sections"]),
                language_name(data["language"]),
            ]
        )
