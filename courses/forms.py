"""Forms of the course pages. They check what a person typed; the services enforce the rules."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from competencies.forms import RevisionForm
from competencies.models import Framework
from courses.models import (
    BloomLevel,
    Course,
    Institution,
    LearningOutcome,
    Programme,
    academic_year_label,
)
from courses.services.catalogue import COURSE_FIELDS
from eisen.roles import Role

EQF_LEVEL_MESSAGE = _("The EQF level must be 7 (MSc) or 8 (PhD).")


class CourseFilterForm(forms.Form):
    institution = forms.ModelChoiceField(
        label=_("Institution"),
        queryset=Institution.objects.all(),
        required=False,
        empty_label=_("All institutions"),
    )
    programme = forms.ModelChoiceField(
        label=_("Programme"),
        queryset=Programme.objects.select_related("institution"),
        required=False,
        empty_label=_("All programmes"),
    )
    academic_year = forms.TypedChoiceField(
        label=_("Academic year"), coerce=int, required=False, empty_value=None
    )
    eqf_level = forms.TypedChoiceField(
        label=_("EQF level"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=[("", _("Both levels")), *Course._meta.get_field("eqf_level").choices],
    )

    def __init__(self, *args, academic_years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["academic_year"].choices = [
            ("", _("All years")),
            *((year, academic_year_label(year)) for year in academic_years),
        ]

    def filter(self, courses):
        if not self.is_bound:
            return courses
        if not self.is_valid():
            return courses.none()
        lookups = {name: value for name, value in self.cleaned_data.items() if value is not None}
        return courses.filter(**lookups)


class CourseForm(forms.ModelForm):
    """A course's own fields; its framework version only when the course is created."""

    leads = forms.ModelMultipleChoiceField(
        label=_("Course leads"),
        queryset=get_user_model().objects.none(),
        required=False,
        help_text=_("They edit the course's outcomes and mappings."),
    )

    class Meta:
        model = Course
        fields = [*COURSE_FIELDS, "framework", "leads"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        error_messages = {"eqf_level": {"invalid_choice": EQF_LEVEL_MESSAGE}}

    def __init__(self, *args, with_framework: bool, with_leads: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = Programme.objects.select_related("institution")
        if with_framework:
            self.fields["framework"].queryset = Framework.objects.filter(
                status=Framework.Status.PUBLISHED
            ).order_by("title", "-published_at")
        else:
            del self.fields["framework"]
        if with_leads:
            # Course leads, and whoever already leads this course whatever their role.
            current = self.instance.leads.all() if self.instance.pk else []
            self.fields["leads"].queryset = (
                get_user_model()
                .objects.filter(is_active=True)
                .filter(Q(groups__name=Role.COURSE_LEAD.value) | Q(pk__in=current))
                .distinct()
                .order_by("username")
            )
            self.fields["leads"].label_from_instance = _lead_label
            self.fields["leads"].widget.attrs["size"] = 6
        else:
            del self.fields["leads"]

    def service_arguments(self) -> dict:
        """The cleaned fields as the catalogue services take them (leads only when shown)."""
        return dict(self.cleaned_data)


def _lead_label(user) -> str:
    name = user.get_full_name()
    return f"{name} ({user.get_username()})" if name else user.get_username()


class CourseEditForm(RevisionForm, CourseForm):
    pass


class InstitutionForm(forms.ModelForm):
    class Meta:
        model = Institution
        fields = ["name", "country"]


class ProgrammeForm(forms.ModelForm):
    class Meta:
        model = Programme
        fields = ["name", "award", "eqf_level", "ects"]
        error_messages = {"eqf_level": {"invalid_choice": EQF_LEVEL_MESSAGE}}

    def clean_name(self):
        # The institution is not on the form, so the model form leaves this rule unchecked.
        name = self.cleaned_data["name"]
        institution = self.instance.institution
        if (
            Programme.objects.filter(institution=institution, name=name)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            raise forms.ValidationError(
                _("%(institution)s already has a programme called %(name)s.")
                % {"institution": institution, "name": name}
            )
        return name


BLOOM_CHOICES = [("", _("Suggest from the verb")), *BloomLevel.choices]


class OutcomeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=LearningOutcome._meta.get_field("code").max_length,
        required=False,
        help_text=_("Left empty: the next free LO number."),
    )
    text = forms.CharField(
        label=_("Learning outcome"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Start with an observable verb: explain, apply, evaluate, design…"),
    )
    bloom_level = forms.ChoiceField(label=_("Bloom level"), choices=BLOOM_CHOICES, required=False)

    @staticmethod
    def initial_for(outcome: LearningOutcome) -> dict:
        return {
            "code": outcome.code,
            "text": outcome.text,
            "bloom_level": outcome.bloom_level if outcome.bloom_level_chosen else "",
            "revision": outcome.revision,
        }


class OutcomeEditForm(RevisionForm, OutcomeForm):
    code = forms.CharField(
        label=_("Code"), max_length=LearningOutcome._meta.get_field("code").max_length
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Opened in place of the outcome: the keyboard lands in the text (htmx honours it).
        self.fields["text"].widget.attrs["autofocus"] = True


class MappingForm(forms.Form):
    """Emphasis and note of a mapping. The emphasis is checked by the mapping service."""

    emphasis = forms.CharField(label=_("Emphasis"), max_length=20)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class NewMappingForm(MappingForm):
    capability = forms.UUIDField(label=_("Capability"))


class PickerSearchForm(forms.Form):
    q = forms.CharField(label=_("Find a capability"), required=False, max_length=200)


class RolloverForm(forms.Form):
    academic_year = forms.IntegerField(
        label=_("New academic year"),
        min_value=2000,
        max_value=2999,
        help_text=_("The year it starts: 2027 for 2027/28."),
    )


class RemapForm(RevisionForm):
    framework = forms.ModelChoiceField(
        label=_("New framework version"),
        queryset=Framework.objects.none(),
        to_field_name="uuid",
        widget=forms.RadioSelect,
        empty_label=None,
    )

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["framework"].queryset = targets
