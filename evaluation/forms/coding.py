"""Forms of the codebook and of the coding page.

The excerpt form is given the codes, mechanisms and capabilities to choose from, loaded once for
the whole page, so that neither rendering nor checking it asks the database again.
"""

import re

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from competencies.models import Capability, Framework
from evaluation.models import Code, Mechanism, Stance, Valence
from evaluation.selectors.coding import code_choices

NOT_LINKED = [("", gettext_lazy("Not linked"))]
CHOOSE_STANCE = [("", gettext_lazy("Choose a stance"))]
CAPABILITY_ROW = re.compile(r"^capability_(\d+)$")
# An id as the database stores it: more digits would not fit in its column.
CAPABILITY_ID = re.compile(r"[0-9]{1,18}")
MOST_CAPABILITY_ROWS = 50


class CodeForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    definition = forms.CharField(
        label=gettext_lazy("Definition"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    include = forms.CharField(
        label=gettext_lazy("Use when"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    exclude = forms.CharField(
        label=gettext_lazy("Do not use when"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    colour = forms.RegexField(
        label=gettext_lazy("Colour"),
        regex=r"^#[0-9a-fA-F]{6}$",
        error_messages={"invalid": gettext_lazy("A colour is written #rrggbb.")},
        widget=forms.TextInput(attrs={"type": "color"}),
    )
    mechanisms = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Mechanisms"),
        queryset=Mechanism.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    capabilities = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Capabilities"),
        # Links kept from a framework version since archived stay valid; new ones are found
        # among published frameworks only (see capabilities_matching).
        queryset=Capability.objects.exclude(framework__status=Framework.Status.DRAFT),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    @staticmethod
    def initial_for(code: Code) -> dict:
        return {
            "name": code.name,
            "definition": code.definition,
            "include": code.include,
            "exclude": code.exclude,
            "colour": code.colour,
            "mechanisms": [mechanism.pk for mechanism in code.mechanisms.all()],
            "capabilities": [capability.pk for capability in code.capabilities.all()],
            "revision": code.revision,
        }

    def _chosen(self, name) -> set[str]:
        return {str(getattr(value, "pk", value)) for value in self[name].value() or []}

    @property
    def chosen_mechanisms(self) -> set[str]:
        return self._chosen("mechanisms")

    @property
    def chosen_capabilities(self) -> set[str]:
        return self._chosen("capabilities")


def _parent_field(label) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=label,
        queryset=Code.objects.all(),
        required=False,
        empty_label=gettext_lazy("Top of the codebook"),
    )


def _offer_codes_as_paths(field: forms.ModelChoiceField) -> None:
    """The codes in tree order, each named by its path (one query)."""
    field.choices = [("", field.empty_label)] + [(code.pk, code.path) for code in code_choices()]


class NewCodeForm(CodeForm):
    parent = _parent_field(gettext_lazy("Under"))
    field_order = ["name", "parent"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _offer_codes_as_paths(self.fields["parent"])


class CodeEditForm(CodeForm):
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class CodeMoveForm(forms.Form):
    parent = _parent_field(gettext_lazy("Move under"))
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _offer_codes_as_paths(self.fields["parent"])


def _capability_choices(capabilities: list[Capability]) -> list:
    """The capabilities grouped by domain, for a select with one group per domain."""
    groups: dict = {}
    for capability in capabilities:
        label = f"{'· ' * capability.depth}{capability.code} {capability.title}"
        groups.setdefault(capability.domain.name, []).append((str(capability.pk), label))
    return list(groups.items())


def _kept_capability_choices(capabilities: list[Capability]) -> list:
    """Capabilities of another framework the excerpt is linked to, one group per framework."""
    groups: dict = {}
    for capability in capabilities:
        group = _("Kept from %(framework)s, which the course mapped to before") % {
            "framework": capability.framework
        }
        label = f"{capability.code} {capability.title}"
        groups.setdefault(group, []).append((str(capability.pk), label))
    return list(groups.items())


class CapabilityChoiceField(forms.ChoiceField):
    """One of the capabilities offered, or the id of another, which the form's clean looks up:
    a capability of another framework is then refused with the reason (by the coding services)
    rather than a bare "Select a valid choice"."""

    def valid_value(self, value) -> bool:
        return bool(CAPABILITY_ID.fullmatch(str(value))) or super().valid_value(value)


class ExcerptForm(forms.Form):
    """An excerpt's range, codes, links with stances, valence, exemplar flag and memo."""

    start = forms.IntegerField(
        label=gettext_lazy("From character"),
        min_value=0,
        widget=forms.NumberInput(attrs={"data-coding": "start"}),
    )
    end = forms.IntegerField(
        label=gettext_lazy("To character"),
        min_value=1,
        widget=forms.NumberInput(attrs={"data-coding": "end"}),
    )
    codes = forms.MultipleChoiceField(
        label=gettext_lazy("Codes"), required=False, widget=forms.CheckboxSelectMultiple
    )
    valence = forms.ChoiceField(
        label=gettext_lazy("Valence"),
        choices=Valence.choices,
        initial=Valence.NEUTRAL,
        widget=forms.RadioSelect,
    )
    is_exemplar = forms.BooleanField(label=gettext_lazy("Exemplar quote"), required=False)
    memo = forms.CharField(
        label=gettext_lazy("Memo"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, codebook, mechanisms, capabilities, excerpt=None, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.excerpt = excerpt
        self.codebook = codebook
        self.code_of = {str(code.pk): code for code in codebook}
        self.fields["codes"].choices = [(key, code.path) for key, code in self.code_of.items()]
        if excerpt is not None:
            self.fields["revision"] = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
        self.mechanism_of = {}
        for mechanism in mechanisms:
            name = f"mechanism_{mechanism.pk}"
            self.mechanism_of[name] = mechanism
            self.fields[name] = forms.ChoiceField(
                label=mechanism.name, choices=NOT_LINKED + Stance.choices, required=False
            )
        self.capability_of = {str(capability.pk): capability for capability in capabilities}
        # After the course moved to a newer framework version the excerpt's links to the old one
        # are offered too, so that the excerpt can still be edited with them kept.
        kept = [
            link.capability
            for link in (excerpt.capability_links.all() if excerpt is not None else ())
            if str(link.capability_id) not in self.capability_of
        ]
        self.capability_of.update((str(capability.pk), capability) for capability in kept)
        self.capability_choices = [
            ("", _("Choose a capability")),
            *_capability_choices(capabilities),
            *_kept_capability_choices(kept),
        ]
        self.capability_indexes = self._capability_indexes()
        for index in self.capability_indexes:
            self.add_capability_row(index)

    def _capability_indexes(self) -> list[int]:
        if self.is_bound:
            found = set()
            for key in self.data:
                match = CAPABILITY_ROW.match(
                    key.removeprefix(f"{self.prefix}-") if self.prefix else key
                )
                if match:
                    found.add(int(match.group(1)))
            return sorted(found)[:MOST_CAPABILITY_ROWS] or [0]
        linked = len(self.initial.get("capability_rows", []))
        return list(range(linked + 1))

    def add_capability_row(self, index: int) -> None:
        self.fields[f"capability_{index}"] = CapabilityChoiceField(
            label=_("Capability"), choices=self.capability_choices, required=False
        )
        self.fields[f"capability_stance_{index}"] = forms.ChoiceField(
            label=_("Stance"), choices=CHOOSE_STANCE + Stance.choices, required=False
        )

    def only_capability_row(self, index: int) -> None:
        """Keep one capability row, numbered `index`: the row "Add another capability" adds."""
        for old in self.capability_indexes:
            del self.fields[f"capability_{old}"]
            del self.fields[f"capability_stance_{old}"]
        self.capability_indexes = [index]
        self.add_capability_row(index)

    @staticmethod
    def initial_for(excerpt) -> dict:
        """The form's initial values for an excerpt loaded with its links (selectors.with_links)."""
        initial = {
            "start": excerpt.start,
            "end": excerpt.end,
            "codes": [str(coding.code_id) for coding in excerpt.codings.all()],
            "valence": excerpt.valence,
            "is_exemplar": excerpt.is_exemplar,
            "memo": excerpt.memo,
            "revision": excerpt.revision,
            "capability_rows": list(excerpt.capability_links.all()),
        }
        for link in excerpt.mechanism_links.all():
            initial[f"mechanism_{link.mechanism_id}"] = link.stance
        for index, link in enumerate(initial["capability_rows"]):
            initial[f"capability_{index}"] = str(link.capability_id)
            initial[f"capability_stance_{index}"] = link.stance
        return initial

    @property
    def chosen_codes(self) -> set[str]:
        return {str(value) for value in self["codes"].value() or []}

    @property
    def mechanism_groups(self) -> list[tuple[str, list]]:
        groups: dict = {}
        for name, mechanism in self.mechanism_of.items():
            groups.setdefault(mechanism.logic_model.title, []).append(self[name])
        return list(groups.items())

    @property
    def capability_rows(self) -> list[tuple]:
        return [
            (index, self[f"capability_{index}"], self[f"capability_stance_{index}"])
            for index in self.capability_indexes
        ]

    @property
    def next_capability_index(self) -> int:
        return max(self.capability_indexes, default=-1) + 1

    def _capabilities_not_offered(self, cleaned) -> dict[str, Capability]:
        """The capabilities chosen by id that the form does not offer (one query, only when
        there are any)."""
        keys = {cleaned.get(f"capability_{index}") for index in self.capability_indexes}
        missing = [int(key) for key in keys if key and key not in self.capability_of]
        if not missing:
            return {}
        found = Capability.objects.select_related("framework").in_bulk(missing)
        return {str(pk): capability for pk, capability in found.items()}

    def clean(self):
        cleaned = super().clean()
        not_offered = self._capabilities_not_offered(cleaned)
        chosen = {}
        for index in self.capability_indexes:
            key = cleaned.get(f"capability_{index}")
            stance = cleaned.get(f"capability_stance_{index}")
            if not key and not stance:
                continue
            if not key:
                self.add_error(
                    f"capability_{index}",
                    _("Choose the capability this stance is about, or set the stance back."),
                )
                continue
            capability = self.capability_of.get(key) or not_offered.get(key)
            if capability is None:
                self.add_error(
                    f"capability_{index}",
                    _(
                        "The capability chosen (number %(id)s) no longer exists; choose one from "
                        "the list."
                    )
                    % {"id": key},
                )
            elif not stance:
                self.add_error(
                    f"capability_stance_{index}",
                    _("Say whether the excerpt supports, challenges or is mixed about %(code)s.")
                    % {"code": capability.code},
                )
            elif capability in chosen:
                self.add_error(
                    f"capability_{index}",
                    _("%(code)s is chosen twice; keep one.") % {"code": capability.code},
                )
            else:
                chosen[capability] = stance
        cleaned["capability_links"] = chosen
        return cleaned

    def service_arguments(self) -> dict:
        """What the coding services take, from the cleaned form."""
        data = self.cleaned_data
        return {
            "start": data["start"],
            "end": data["end"],
            "codes": [self.code_of[key] for key in data["codes"]],
            "mechanisms": {
                mechanism: data[name]
                for name, mechanism in self.mechanism_of.items()
                if data.get(name)
            },
            "capabilities": data["capability_links"],
            "valence": data["valence"],
            "is_exemplar": data["is_exemplar"],
            "memo": data["memo"],
        }
