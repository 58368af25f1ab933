from django import forms
from django.utils.translation import gettext_lazy as _

from competencies.models import (
    CODE_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Capability,
    CapabilityAssociation,
    Framework,
    FrameworkImport,
    Reference,
    Theme,
)
from eisen.uploads import FRAMEWORK_FILE, UploadValidator


class CapabilitySearchForm(forms.Form):
    q = forms.CharField(label=_("Search capabilities"), max_length=200, required=False)
    framework = forms.ModelChoiceField(
        label=_("Framework"),
        queryset=None,
        to_field_name="uuid",
        required=False,
        empty_label=_("All frameworks"),
    )

    def __init__(self, *args, frameworks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["framework"].queryset = frameworks


class FrameworkForm(forms.ModelForm):
    class Meta:
        model = Framework
        fields = ["title", "slug", "version_label", "language", "licence", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class NewFrameworkForm(FrameworkForm):
    copy_of = forms.ModelChoiceField(
        label=_("Start from"),
        queryset=None,
        to_field_name="uuid",
        required=False,
        empty_label=_("A blank framework"),
        help_text=_("Copy the domains, capabilities, themes and references of a framework."),
    )

    class Meta(FrameworkForm.Meta):
        fields = [*FrameworkForm.Meta.fields, "copy_of"]

    def __init__(self, *args, frameworks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["copy_of"].queryset = frameworks
        self.fields["version_label"].initial = "1.0"

    def validate_unique(self):
        """Left to the service, which names the field."""


class RevisionForm(forms.Form):
    """Carries the revision the editor started from, so a stale save is detected."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class DomainForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=CODE_MAX_LENGTH)
    name = forms.CharField(label=_("Name"), max_length=TITLE_MAX_LENGTH)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CapabilityForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=CODE_MAX_LENGTH)
    title = forms.CharField(label=_("Capability"), max_length=TITLE_MAX_LENGTH)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    relevance = forms.CharField(
        label=_("Relevance to research co-production"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    eqf_7 = forms.CharField(
        label=_("EQF 7 (master's) descriptor"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    eqf_8 = forms.CharField(
        label=_("EQF 8 (doctoral) descriptor"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    references = forms.ModelMultipleChoiceField(
        label=_("References"), queryset=None, required=False
    )

    def __init__(self, *args, framework, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["themes"].queryset = framework.themes.all()
        self.fields["references"].queryset = framework.references.all()
        self.fields["references"].widget.attrs["size"] = 5

    @staticmethod
    def initial_for(capability: Capability) -> dict:
        descriptors = {d.eqf_level: d.text for d in capability.level_descriptors.all()}
        return {
            "code": capability.code,
            "title": capability.title,
            "description": capability.description,
            "relevance": capability.relevance,
            "eqf_7": descriptors.get(7, ""),
            "eqf_8": descriptors.get(8, ""),
            "themes": list(capability.themes.all()),
            "references": list(capability.references.all()),
            "revision": capability.revision,
        }

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "code": data["code"],
            "title": data["title"],
            "description": data["description"],
            "relevance": data["relevance"],
            "themes": data["themes"],
            "references": data["references"],
            "level_descriptors": {7: data["eqf_7"], 8: data["eqf_8"]},
        }


class CapabilityEditForm(RevisionForm, CapabilityForm):
    pass


class NewCapabilityForm(forms.Form):
    """Quick add: the rest (descriptors, themes, references) is edited in place afterwards."""

    code = forms.CharField(label=_("Code"), max_length=CODE_MAX_LENGTH)
    title = forms.CharField(label=_("Capability"), max_length=TITLE_MAX_LENGTH)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    @staticmethod
    def prefix_for(domain_uuid) -> str:
        # One form per domain on the page: the prefix keeps their field ids apart.
        return f"new-{domain_uuid.hex[:12]}"


class AssociationForm(forms.Form):
    association_type = forms.ChoiceField(
        label=_("Link type"), choices=CapabilityAssociation.Type.choices
    )
    destination_framework = forms.ModelChoiceField(
        label=_("In framework"), queryset=None, to_field_name="uuid"
    )
    destination_code = forms.CharField(label=_("Capability code"), max_length=CODE_MAX_LENGTH)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def __init__(self, *args, frameworks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["destination_framework"].queryset = frameworks

    def clean(self):
        data = super().clean()
        framework, code = data.get("destination_framework"), data.get("destination_code")
        if framework and code:
            data["destination"] = framework.capabilities.filter(code=code).first()
            if data["destination"] is None:
                self.add_error(
                    "destination_code",
                    _("%(framework)s has no capability %(code)s.")
                    % {"framework": framework, "code": code},
                )
        return data


class NewVersionForm(forms.Form):
    version_label = forms.CharField(label=_("New version"), max_length=40)


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Your comment"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class CompareForm(forms.Form):
    old = forms.TypedChoiceField(label=_("Older version"), coerce=str)
    new = forms.TypedChoiceField(label=_("Newer version"), coerce=str)

    def __init__(self, *args, versions, **kwargs):
        super().__init__(*args, **kwargs)
        self.versions = {str(version.uuid): version for version in versions}
        choices = [(key, str(version)) for key, version in self.versions.items()]
        self.fields["old"].choices = self.fields["new"].choices = choices

    def clean(self):
        data = super().clean()
        if "old" in data and "new" in data:
            if data["old"] == data["new"]:
                raise forms.ValidationError(_("Pick two different versions."))
            data["old"], data["new"] = self.versions[data["old"]], self.versions[data["new"]]
        return data


class ThemeForm(forms.ModelForm):
    class Meta:
        model = Theme
        fields = ["code", "name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def validate_unique(self):
        """Left to the service, which names the field."""


class ReferenceForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, required=False, assume_scheme="https")

    class Meta:
        model = Reference
        fields = ["key", "citation", "year", "doi", "url"]
        widgets = {"citation": forms.Textarea(attrs={"rows": 2})}

    def validate_unique(self):
        """Left to the service, which names the field."""


class FrameworkFileForm(forms.Form):
    """A framework file to import, or to update a draft from."""

    file = forms.FileField(
        label=_("File"), validators=[UploadValidator(FRAMEWORK_FILE, label=_("File"))]
    )
    file_format = forms.ChoiceField(
        label=_("Format"),
        required=False,
        choices=[("", _("Recognise from the content")), *FrameworkImport.Format.choices],
    )
