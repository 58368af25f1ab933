"""What an export is asked for: one form per file, read by the exports page and the API alike,
so that one query string gives the same file everywhere. Objects are named by their UUIDs."""

from uuid import UUID

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from courses.models import Course
from evaluation.exports.code_tree import code_tree
from evaluation.models import FocusGroup, LogicModel, Mechanism, Phase, Transcript

INCLUDE_ALL_CODERS_HELP = _(
    "Also every evaluator's own coding, not only what reports count. On blind-coded transcripts "
    "you get the others' coding only after you chose to compare."
)


def _identifier(value, message) -> str:
    """The value as a canonical UUID string, or a refusal quoting it (shortened)."""
    try:
        return str(UUID(str(value)))
    except ValueError:
        raise ValidationError(
            message, code="invalid_pk_value", params={"pk": Truncator(str(value)).chars(40)}
        ) from None


class IdentifiedChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values:
            value = _identifier(value, self.error_messages["invalid_pk_value"])
        return super().to_python(value)


class IdentifiedMultipleChoiceField(forms.ModelMultipleChoiceField):
    def clean(self, value):
        if isinstance(value, list | tuple):
            value = [
                _identifier(item, self.error_messages["invalid_pk_value"])
                for item in value
                if item not in self.empty_values
            ]
        return super().clean(value)


class FocusGroupChoiceField(IdentifiedMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.course.code}: {obj.title} ({obj.get_phase_display()}, {obj.held_on:%Y-%m-%d})"


class MechanismChoiceField(IdentifiedChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.logic_model.title}: {obj.name}"


class CodeChoiceField(forms.ChoiceField):
    """A code of the codebook by UUID, shown by its path; choices are set by the form."""

    def to_python(self, value):
        value = super().to_python(value)
        if value:
            value = _identifier(value, _("“%(pk)s” is not a code identifier."))
        return value


def _courses_with_focus_groups():
    return Course.objects.filter(Exists(FocusGroup.objects.filter(course=OuterRef("pk")))).order_by(
        "code", "-academic_year"
    )


def _course_field(help_text):
    return IdentifiedChoiceField(
        _courses_with_focus_groups(),
        to_field_name="uuid",
        required=False,
        label=_("Course"),
        empty_label=_("Every course"),
        help_text=help_text,
        error_messages={
            "invalid_choice": _("No course with focus groups has this identifier."),
            "invalid_pk_value": _("“%(pk)s” is not a course identifier."),
        },
    )


class QuoteBankForm(forms.Form):
    course = _course_field(help_text="")
    phase = forms.ChoiceField(
        choices=[("", _("Both phases")), *Phase.choices],
        required=False,
        label=_("Phase"),
        error_messages={"invalid_choice": _("The phase is formative or summative, not %(value)s.")},
    )
    logic_model = IdentifiedChoiceField(
        LogicModel.objects.all(),
        to_field_name="uuid",
        required=False,
        label=_("Logic model"),
        empty_label=_("Any logic model"),
        help_text=_("Excerpts that are evidence for one of its mechanisms."),
        error_messages={
            "invalid_choice": _("No logic model has this identifier."),
            "invalid_pk_value": _("“%(pk)s” is not a logic model identifier."),
        },
    )
    mechanism = MechanismChoiceField(
        Mechanism.objects.select_related("logic_model").order_by("logic_model__title", "position"),
        to_field_name="uuid",
        required=False,
        label=_("Mechanism"),
        empty_label=_("Any mechanism"),
        help_text=_(
            "Excerpts linked to the mechanism, or coded with a code linked to it: every code "
            "of those excerpts is listed."
        ),
        error_messages={
            "invalid_choice": _("No mechanism has this identifier."),
            "invalid_pk_value": _("“%(pk)s” is not a mechanism identifier."),
        },
    )
    code = CodeChoiceField(
        required=False,
        label=_("Code"),
        help_text=_("This code and the codes below it."),
        error_messages={
            "invalid_choice": _("No code of the codebook has the identifier %(value)s.")
        },
    )
    include_all_coders = forms.BooleanField(
        required=False, label=_("Include all coders' excerpts"), help_text=INCLUDE_ALL_CODERS_HELP
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "quote-bank-%s")
        super().__init__(*args, **kwargs)
        self.code_tree = code_tree()
        self.fields["code"].choices = [
            ("", _("Any code")),
            *(
                (str(code.uuid), self.code_tree.path(code.pk))
                for code, _depth in self.code_tree.walk()
            ),
        ]

    def clean_code(self):
        value = self.cleaned_data["code"]
        if not value:
            return None
        return next(code for code in self.code_tree.codes.values() if str(code.uuid) == value)

    def clean(self):
        data = super().clean()
        logic_model, mechanism = data.get("logic_model"), data.get("mechanism")
        if logic_model and mechanism and mechanism.logic_model_id != logic_model.pk:
            self.add_error(
                "mechanism",
                _(
                    "“%(mechanism)s” belongs to the logic model “%(other)s”, not to "
                    "“%(logic_model)s”: choose one of its mechanisms or any logic model."
                )
                % {
                    "mechanism": mechanism.name,
                    "other": mechanism.logic_model.title,
                    "logic_model": logic_model.title,
                },
            )
        return data


class CodebookForm(forms.Form):
    as_code_branch = forms.BooleanField(
        required=False,
        label=_("Also as a code branch"),
        help_text=_(
            "Adds top-level codes “Mechanisms” and “Capabilities” with a code for each, for "
            "tools that drop sets."
        ),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "codebook-%s")
        super().__init__(*args, **kwargs)


class ProjectForm(forms.Form):
    course = _course_field(
        help_text=_("Every focus group of the course, or the chosen ones of it.")
    )
    focus_groups = FocusGroupChoiceField(
        FocusGroup.objects.select_related("course").order_by("course__code", "-held_on", "title"),
        to_field_name="uuid",
        required=False,
        label=_("Focus groups"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked for every focus group (of the course, if you chose one)."),
        error_messages={
            "invalid_choice": _("No focus group has the identifier %(value)s."),
            "invalid_pk_value": _("“%(pk)s” is not a focus group identifier."),
        },
    )
    include_all_coders = forms.BooleanField(
        required=False, label=_("Include all coders' excerpts"), help_text=INCLUDE_ALL_CODERS_HELP
    )
    as_code_branch = forms.BooleanField(
        required=False,
        label=_("Mechanisms and capabilities also as a code branch"),
        help_text=_(
            "Adds codes “Mechanisms” and “Capabilities”, and codes each excerpt linked to one "
            "of them with its code, for tools that drop sets."
        ),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "project-%s")
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        course, chosen = data.get("course"), data.get("focus_groups")
        if course and chosen:
            others = sorted(group.title for group in chosen if group.course_id != course.pk)
            if others:
                self.add_error(
                    "focus_groups",
                    _(
                        "Not focus groups of %(course)s: %(titles)s. "
                        "Untick them or clear the course."
                    )
                    % {"course": course.code, "titles": ", ".join(others)},
                )
                return data
        if not self.errors and not self.transcripts().exists():
            self.add_error(
                "focus_groups" if chosen else "course" if course else None,
                _(
                    "No focus group of this choice has a transcript yet: "
                    "there is nothing to export."
                ),
            )
        return data

    def transcripts(self):
        """The current transcript of each chosen focus group (those with one)."""
        data = self.cleaned_data
        transcripts = Transcript.objects.filter(is_current=True)
        if data.get("focus_groups"):
            transcripts = transcripts.filter(focus_group__in=[g.pk for g in data["focus_groups"]])
        if data.get("course"):
            transcripts = transcripts.filter(focus_group__course=data["course"])
        return transcripts
