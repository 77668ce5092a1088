"""Fields and base forms shared by the cases forms (and by other apps' forms)."""

from __future__ import annotations

from django import forms

from agencies.models import Agency
from cases.identifiers import normalise_nhs_number, normalise_upn, validate_nhs_number, validate_upn
from cases.models import CaseNote, Concern
from safeguard.core.forms import ModelChoice, ReadOnce, offer

YES_NO = [("yes", "Yes"), ("no", "No")]


class NhsNumberField(forms.CharField):
    """An NHS number, checked (modulus 11) and stored without spaces."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("label", "NHS number")
        super().__init__(required=False, max_length=14, **kwargs)

    def clean(self, value) -> str:
        value = super().clean(value)
        validate_nhs_number(value)
        return normalise_nhs_number(value) if value else ""


class UpnField(forms.CharField):
    """A unique pupil number, with its DfE check letter verified."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("label", "Unique pupil number (UPN)")
        super().__init__(required=False, max_length=13, **kwargs)

    def clean(self, value) -> str:
        value = super().clean(value)
        validate_upn(value)
        return normalise_upn(value) if value else ""


class ConsentToShare:
    """The consent or lawful basis for sharing, asked the same way wherever a
    child's information goes to another agency (concerns, referrals)."""

    @staticmethod
    def sharing_basis() -> forms.ChoiceField:
        return forms.ChoiceField(
            label="Consent to share",
            error_messages={"required": "Select whether the family consents to sharing"},
            choices=Concern.SharingBasis.choices,
            widget=forms.RadioSelect,
        )

    @staticmethod
    def sharing_reason() -> forms.CharField:
        return forms.CharField(
            label="Why are you sharing without consent?",
            help_text="Needed unless the family consents.",
            required=False,
            widget=forms.Textarea(attrs={"rows": 3}),
            max_length=5000,
        )


class ForAgencyForm(forms.Form):
    """Something written in the name of one of the user's agencies on the case."""

    agency = ModelChoice(queryset=Agency.objects.none(), label="Writing for", empty_label=None)

    def __init__(self, *args, agencies, lead: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lead = lead
        offer(self.fields["agency"], agencies)
        # Read already, or one query tells one from several.
        first_two = agencies.rows[:2] if isinstance(agencies, ReadOnce) else list(agencies[:2])
        if len(first_two) == 1:
            # One agency: nothing to choose, so nothing to get wrong.
            self.fields["agency"].widget = forms.HiddenInput()
            self.fields["agency"].initial = self.only_agency = first_two[0]
            self.fields["agency"].required = False

    def clean_agency(self):
        return self.cleaned_data.get("agency") or getattr(self, "only_agency", None)


class WrittenForAgencyForm(ForAgencyForm):
    """What notes and documents share: in whose name, and who may read it."""

    sensitivity = forms.ChoiceField(
        label="Who may read it?",
        choices=CaseNote.Sensitivity.choices,
        widget=forms.RadioSelect,
        initial=CaseNote.Sensitivity.SHARED,
        error_messages={"required": "Select who may read it"},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.lead:
            self.fields["sensitivity"].choices = [
                c for c in CaseNote.Sensitivity.choices if c[0] != CaseNote.Sensitivity.RESTRICTED
            ]
