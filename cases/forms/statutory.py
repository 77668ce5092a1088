"""Forms for the lead agency's statutory work."""

from __future__ import annotations

from django import forms

from cases.dfe_codes import AssessmentFactor, ClosureReason, PrimaryNeed
from cases.forms.visits import wishes_fields
from cases.models import Plan, Section47Enquiry
from safeguard.core.dates import DateKind
from safeguard.core.forms import GovukDateField


class AssessmentCompleteForm(forms.Form):
    summary = forms.CharField(
        label="What did the assessment find?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20000,
        error_messages={"required": "Summarise the assessment's findings"},
    )
    primary_need = forms.ChoiceField(
        label="Primary need (CIN census)",
        choices=PrimaryNeed.choices,
        error_messages={"required": "Choose the primary need"},
    )
    factors = forms.MultipleChoiceField(
        label="Factors identified at the end of the assessment (CIN census)",
        help_text="Select all that apply, or 'No factors identified'.",
        choices=[(code, f"{code} {label}") for code, label in AssessmentFactor.choices],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose the factors identified, or 'No factors identified'"},
    )
    child_wishes, wishes_not_obtained, wishes_not_obtained_detail = wishes_fields(
        required_hint=True
    ).values()

    internal_review_on = GovukDateField(
        label="Date of the internal review, if there was one",
        required=False,
        kind=DateKind.BIRTH,
        help_text="If the assessment was reviewed within the service before authorisation "
        "(CIN census, optional). Leave blank if there was none.",
    )

    def clean_factors(self) -> list[str]:
        codes = self.cleaned_data["factors"]
        if AssessmentFactor.NONE in codes and len(codes) > 1:
            raise forms.ValidationError("Choose 'No factors identified' or the factors, not both")
        return codes


class CaseClosureForm(forms.Form):
    reason = forms.ChoiceField(
        label="Reason for closure (CIN census)",
        choices=ClosureReason.choices,
        error_messages={"required": "Choose the reason for closure"},
    )
    explanation = forms.CharField(
        label="Why can the case close?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=10000,
        error_messages={"required": "Explain why the case can close"},
    )
    date_of_death = GovukDateField(
        label="Date of death",
        required=False,
        kind=DateKind.BIRTH,
        help_text="Only if the reason is 'Died' (RC2): the census needs the date.",
    )


class AssessmentStartForm(forms.Form):
    started_on = GovukDateField(
        label="Assessment started on", error_messages={"required": "Enter the start date"}
    )


class PlanStartForm(forms.Form):
    """A worker starts a child in need plan; a child protection plan starts only
    from an initial or transfer-in conference's record (the service refuses it)."""

    kind = forms.ChoiceField(
        choices=Plan.Kind.choices,
        widget=forms.HiddenInput,
        initial=Plan.Kind.CHILD_IN_NEED,
        error_messages={"required": "Choose the kind of plan"},
    )
    start_date = GovukDateField(
        label="Child in need plan started on",
        error_messages={"required": "Enter the start date"},
    )


class PlanEndForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    end_date = GovukDateField(label="End date", error_messages={"required": "Enter the end date"})


class Section47StartForm(forms.Form):
    started_on = GovukDateField(
        label="Enquiry started on", error_messages={"required": "Enter the start date"}
    )


class Section47CompleteForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=Section47Enquiry.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the outcome"},
    )
    child_wishes, wishes_not_obtained, wishes_not_obtained_detail = wishes_fields(
        required_hint=True
    ).values()
