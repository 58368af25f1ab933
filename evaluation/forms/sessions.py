"""Forms of the focus group, participant, consent and transcript pages.

They check what a person typed; the services in evaluation.services enforce the rules.
"""

from pathlib import PurePath

from django import forms
from django.utils.translation import gettext_lazy as _

from competencies.forms import RevisionForm
from courses.models import Course
from eisen.uploads import TRANSCRIPT_FILE, UploadValidator
from evaluation.models import ConsentScope, FocusGroup, Participant, Phase, Transcript
from evaluation.services.sessions import FOCUS_GROUP_FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _courses():
    return Course.objects.order_by("-academic_year", "code")


def _course_field(**kwargs) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("Course"), queryset=_courses(), to_field_name="uuid", **kwargs
    )


def _focus_group_label(focus_group: FocusGroup) -> str:
    return f"{focus_group.course.code} · {focus_group.title} ({focus_group.held_on:%Y-%m-%d})"


class FocusGroupFilterForm(forms.Form):
    course = _course_field(required=False, empty_label=_("All courses"))
    phase = forms.ChoiceField(
        label=_("Phase"), required=False, choices=[("", _("Both phases")), *Phase.choices]
    )

    def filters(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        return {
            "course": self.cleaned_data["course"],
            "phase": self.cleaned_data["phase"],
        }


class FocusGroupForm(forms.Form):
    """The focus group's own fields as the model describes them.

    A plain form, not a model form: a model form would check the model's constraints itself,
    with messages that do not say what to do; the service checks them instead.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(
            forms.fields_for_model(
                FocusGroup,
                fields=FOCUS_GROUP_FIELDS,
                widgets={
                    "held_on": DATE,
                    "retention_until": DATE,
                    "notes": forms.Textarea(attrs={"rows": 3}),
                },
            )
        )
        self.fields["course"] = _course_field()

    @staticmethod
    def initial_for(focus_group: FocusGroup) -> dict:
        return {
            **forms.model_to_dict(focus_group, fields=FOCUS_GROUP_FIELDS),
            "course": focus_group.course,
            "revision": focus_group.revision,
        }

    def service_arguments(self) -> dict:
        return {name: self.cleaned_data[name] for name in FOCUS_GROUP_FIELDS}


class FocusGroupEditForm(RevisionForm, FocusGroupForm):
    pass


class ParticipantFilterForm(forms.Form):
    course = _course_field(required=False, empty_label=_("All courses"))


class _FocusGroupsOfCourse(forms.Form):
    """The focus groups to tick are those of the course, when the course is known."""

    focus_groups = forms.ModelMultipleChoiceField(
        label=_("Focus groups attended"),
        queryset=FocusGroup.objects.none(),
        to_field_name="uuid",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, course: Course | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        focus_groups = FocusGroup.objects.select_related("course").order_by(
            "course__code", "held_on", "title"
        )
        if course is not None:
            focus_groups = focus_groups.filter(course=course)
        field = self.fields["focus_groups"]
        field.queryset = focus_groups
        field.label_from_instance = _focus_group_label


class ParticipantForm(_FocusGroupsOfCourse):
    course = _course_field()
    pseudonym = forms.CharField(
        label=_("Pseudonym"),
        max_length=8,
        help_text=_("One to three capital letters and a number, such as S03 or T01."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Participant.Role.choices)
    country = forms.CharField(label=_("Country"), max_length=100, required=False)
    cohort = forms.CharField(label=_("Cohort"), max_length=100, required=False)
    field_order = ["course", "pseudonym", "role", "country", "cohort", "focus_groups"]


class ParticipantsForm(_FocusGroupsOfCourse):
    """Several participants at once, sharing role, country and cohort."""

    course = _course_field()
    pseudonyms = forms.CharField(
        label=_("Pseudonyms"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Separated by commas or one a line: “S01, S02, S03”."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Participant.Role.choices)
    country = forms.CharField(label=_("Country"), max_length=100, required=False)
    cohort = forms.CharField(label=_("Cohort"), max_length=100, required=False)
    field_order = ["course", "pseudonyms", "role", "country", "cohort", "focus_groups"]


class ParticipantEditForm(RevisionForm, _FocusGroupsOfCourse):
    pseudonym = forms.CharField(label=_("Pseudonym"), max_length=8)
    role = forms.ChoiceField(label=_("Role"), choices=Participant.Role.choices)
    country = forms.CharField(label=_("Country"), max_length=100, required=False)
    cohort = forms.CharField(label=_("Cohort"), max_length=100, required=False)
    field_order = ["pseudonym", "role", "country", "cohort", "focus_groups"]

    @staticmethod
    def initial_for(participant: Participant) -> dict:
        return {
            "pseudonym": participant.pseudonym,
            "role": participant.role,
            "country": participant.country,
            "cohort": participant.cohort,
            "focus_groups": list(participant.focus_groups.all()),
            "revision": participant.revision,
        }


class ConsentForm(forms.Form):
    text_version = forms.CharField(
        label=_("Consent text version"),
        max_length=40,
        help_text=_("The version of the consent form the participant signed, e.g. “v2 2026-01”."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("The participant agreed to"),
        choices=ConsentScope.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    given_on = forms.DateField(label=_("Given on"), widget=DATE)


class WithdrawalForm(forms.Form):
    withdrawn_scopes = forms.MultipleChoiceField(
        label=_("Withdrawn"),
        choices=ConsentScope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Withdrawing “Take part” withdraws everything."),
    )
    withdrawn_on = forms.DateField(label=_("Withdrawn on"), widget=DATE)

    def __init__(self, *args, consent, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["withdrawn_scopes"].choices = [
            (value, label) for value, label in ConsentScope.choices if value in consent.scopes
        ]


class IdentityForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("Email"), required=False)


TRANSCRIPT_EXTENSIONS = {".txt": Transcript.SourceFormat.TEXT, ".vtt": Transcript.SourceFormat.VTT}


class TranscriptForm(forms.Form):
    file = forms.FileField(
        label=_("Transcript file"),
        required=False,
        help_text=_(
            "A .txt file with a turn a line (“S03: …” or “[T01] …”), or the .vtt file Zoom "
            "or Teams exports. UTF-8, at most 5 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.vtt,text/plain,text/vtt"}),
        validators=[UploadValidator(TRANSCRIPT_FILE, label=_("Transcript file"))],
    )
    text = forms.CharField(
        label=_("Or paste the transcript"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12}),
    )
    replacements = forms.CharField(
        label=_("Names to replace"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One a line: “Anna Berg = S03” or “Anna = S03”. Replaced in the words, the speaker "
            "labels and the file name before anything is stored."
        ),
    )
    independent_coding = forms.BooleanField(
        label=_("Coded independently by several evaluators"),
        required=False,
        help_text=_("Each evaluator codes blind until they choose to compare."),
    )

    def clean(self):
        cleaned = super().clean()
        upload, text = cleaned.get("file"), cleaned.get("text", "")
        if upload and text.strip():
            raise forms.ValidationError(
                _("Upload a file or paste the text, not both."), code="both"
            )
        # A refused file already has its error; "neither" would add a second, wrong one.
        if not upload and not text.strip() and "file" not in self.errors:
            raise forms.ValidationError(
                _("Upload a transcript file or paste its text."), code="neither"
            )
        return cleaned

    def source(self) -> tuple[bytes | str, str, str]:
        """(content, source format, file name) of what was uploaded or pasted."""
        upload = self.cleaned_data["file"]
        if upload:
            extension = PurePath(upload.name).suffix.lower()
            return upload.read(), TRANSCRIPT_EXTENSIONS[extension], upload.name
        return self.cleaned_data["text"], Transcript.SourceFormat.PASTED, ""


class TranscriptReviseForm(forms.Form):
    text = forms.CharField(
        label=_("Transcript"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 30}),
        help_text=_(
            "A turn a line, “S03: …”. Coded passages whose words you leave unchanged keep their "
            "coding."
        ),
    )


class IndependentCodingForm(forms.Form):
    independent_coding = forms.BooleanField(
        label=_("Coded independently by several evaluators"), required=False
    )
