"""Forms of the logic model, mechanism and action log pages.

They check what an evaluator typed; the services in evaluation.services enforce the rules (unique
names, evidence that belongs to the mechanism, the steps of a formative action).
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from competencies.forms import RevisionForm
from courses.models import Course
from evaluation.models import (
    Excerpt,
    FormativeAction,
    LogicModel,
    LogicModelItem,
    Mechanism,
    Verdict,
)


def _text(rows: int, *, label, required: bool = True, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class LogicModelForm(forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=LogicModel._meta.get_field("title").max_length
    )
    description = _text(3, label=_("Description"), required=False)


class LogicModelEditForm(RevisionForm, LogicModelForm):
    pass


class LogicItemForm(forms.Form):
    text = _text(2, label=_("Item"))


class LogicItemEditForm(LogicItemForm):
    component = forms.ChoiceField(label=_("Column"), choices=LogicModelItem.Component.choices)
    # The text the evaluator started from: a change by someone else meanwhile is a stale edit.
    original_text = forms.CharField(widget=forms.HiddenInput, required=False, strip=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].widget.attrs["autofocus"] = True


class MechanismForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=Mechanism._meta.get_field("name").max_length)
    assumption = _text(
        2, label=_("Assumption"), help_text=_("What the project assumed would make it work.")
    )
    reflection = _text(
        6,
        label=_("Reflection"),
        required=False,
        help_text=_("Whether the assumption held, and why. Separate paragraphs by a blank line."),
    )


class MechanismEditForm(RevisionForm, MechanismForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autofocus"] = True


def _excerpts_field(label) -> forms.ModelMultipleChoiceField:
    """Excerpts chosen by identifier; the page lists the candidates, the service checks them."""
    return forms.ModelMultipleChoiceField(
        label=label,
        queryset=Excerpt.objects.all(),
        to_field_name="uuid",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class AssessmentForm(forms.Form):
    verdict = forms.ChoiceField(
        label=_("Verdict"), choices=[("", _("Choose a verdict")), *Verdict.choices]
    )
    reflection = _text(5, label=_("Reflection"), required=False)
    evidence = _excerpts_field(_("Excerpts cited as evidence"))
    # Empty when the phase had no assessment yet.
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def selected_uuids(self) -> set[str]:
        """The excerpts ticked, as the boxes show them again after a refused save."""
        if self.is_bound:
            return set(self.data.getlist(self.add_prefix("evidence")))
        return {str(value) for value in self.initial.get("evidence", [])}


class MechanismChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, mechanism):
        return f"{mechanism.logic_model.title}: {mechanism.name}"


class FormativeActionForm(forms.Form):
    mechanism = MechanismChoiceField(
        label=_("Mechanism"),
        queryset=Mechanism.objects.select_related("logic_model").order_by(
            "logic_model__title", "position"
        ),
        to_field_name="uuid",
        required=False,
        empty_label=_("No particular mechanism"),
    )
    finding = _text(3, label=_("Finding"), help_text=_("What the formative focus groups showed."))
    source_excerpts = _excerpts_field(_("Excerpts behind the finding"))
    change_made = _text(
        3,
        label=_("Change made to the course"),
        required=False,
        help_text=_("Needed once the status is “Course changed” or later."),
    )
    changed_on = forms.DateField(
        label=_("Changed on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    recheck = _text(
        3,
        label=_("Re-check in the summative phase"),
        required=False,
        help_text=_("What the summative phase found about the change."),
    )
    rechecked_on = forms.DateField(
        label=_("Re-checked on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    status = forms.ChoiceField(label=_("Status"), choices=FormativeAction.Status.choices)

    def selected_uuids(self) -> set[str]:
        if self.is_bound:
            return set(self.data.getlist(self.add_prefix("source_excerpts")))
        return {str(value) for value in self.initial.get("source_excerpts", [])}

    @staticmethod
    def initial_for(action: FormativeAction) -> dict:
        return {
            "mechanism": action.mechanism.uuid if action.mechanism else None,
            "finding": action.finding,
            "source_excerpts": [excerpt.uuid for excerpt in action.source_excerpts.all()],
            "change_made": action.change_made,
            "changed_on": action.changed_on,
            "recheck": action.recheck,
            "rechecked_on": action.rechecked_on,
            "status": action.status,
            "revision": action.revision,
        }


def _courses():
    return Course.objects.order_by("code", "-academic_year")


class NewFormativeActionForm(FormativeActionForm):
    course = forms.ModelChoiceField(
        label=_("Course"),
        queryset=_courses(),
        to_field_name="uuid",
        empty_label=_("Choose a course"),
    )
    field_order = ["course"]


class FormativeActionEditForm(RevisionForm, FormativeActionForm):
    pass


class ActionFilterForm(forms.Form):
    course = forms.ModelChoiceField(
        label=_("Course"),
        queryset=_courses(),
        to_field_name="uuid",
        required=False,
        empty_label=_("All courses"),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status")), *FormativeAction.Status.choices],
        required=False,
    )

    def filters(self) -> dict:
        if not self.is_valid():
            return {"course": None, "status": ""}
        return {"course": self.cleaned_data["course"], "status": self.cleaned_data["status"]}
