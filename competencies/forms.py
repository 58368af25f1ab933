from django import forms
from django.utils.translation import gettext_lazy as _


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
