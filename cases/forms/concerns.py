"""Forms for logging a concern and working the front door."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.utils import timezone

from agencies.models import Agency
from cases.concern_rules import concern_errors
from cases.dfe_codes import ReferralSource
from cases.forms.common import YES_NO, ConsentToShare, NhsNumberField, UpnField
from cases.models import BodyMapMark, Concern, Sex
from safeguard.core.dates import DateKind
from safeguard.core.forms import GovukDateField, ModelChoice


class ConcernForm(forms.Form):
    reporting_agency = ModelChoice(
        queryset=Agency.objects.none(),
        label="Which agency are you reporting for?",
        empty_label=None,
    )
    lead_agency = ModelChoice(
        queryset=Agency.objects.none(),
        label="Which children's services front door should this go to?",
        help_text="Usually the local authority where the child lives.",
        empty_label=None,
    )
    child_first_name = forms.CharField(
        label="Child's first name",
        max_length=100,
        error_messages={"required": "Enter the child's first name"},
    )
    child_last_name = forms.CharField(
        label="Child's last name",
        max_length=100,
        required=False,
        help_text="Leave blank if you do not know it.",
    )
    child_date_of_birth = GovukDateField(
        label="Child's date of birth",
        required=False,
        kind=DateKind.BIRTH,
        help_text="For example, 27 3 2015. If you do not know it, give their age below.",
    )
    child_age_years = forms.IntegerField(
        label="Child's approximate age in years",
        required=False,
        min_value=0,
        max_value=25,
        help_text="Only if you do not know their date of birth.",
    )
    child_address = forms.CharField(
        label="Child's address", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    child_postcode = forms.CharField(label="Postcode", required=False, max_length=10)
    child_school = forms.CharField(label="School or nursery", required=False, max_length=200)
    child_nhs_number = NhsNumberField(help_text="If you know it. 10 digits, like 943 476 5919.")
    child_upn = UpnField(help_text="If you know it. 13 characters, like Q801200110001.")
    account = forms.CharField(
        label="What did you see or hear?",
        error_messages={"required": "Enter what you saw or heard"},
        help_text="Use the child's own words where you can. Say who said what, and when.",
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20000,
    )
    observed_on = GovukDateField(
        label="When did this happen or when were you told?",
        name="The date it happened",
        error_messages={"required": "Enter the date it happened"},
    )
    observed_time = forms.TimeField(
        label="Time (optional)",
        required=False,
        help_text="Use the 24-hour clock, for example 14:30.",
        input_formats=["%H:%M", "%H.%M", "%H%M"],
        widget=forms.TimeInput(format="%H:%M", attrs={"class": "govuk-input--width-5"}),
    )
    categories = forms.MultipleChoiceField(
        label="What is the concern about?",
        error_messages={"required": "Select what the concern is about"},
        help_text="Select all that apply.",
        choices=Concern.Category.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    immediate_risk = forms.ChoiceField(
        label="Is the child at immediate risk of harm?",
        error_messages={"required": "Select yes if the child is at immediate risk of harm"},
        help_text="If the child is in danger right now, call the police on 999 as well.",
        choices=YES_NO,
        widget=forms.RadioSelect,
    )
    actions_taken = forms.CharField(
        label="What have you already done?",
        help_text="For example, called the police, spoken to a parent, informed your DSL.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )
    family_aware = forms.ChoiceField(
        label="Does the family know you are sharing this concern?",
        error_messages={"required": "Select whether the family knows"},
        choices=Concern.FamilyAware.choices,
        widget=forms.RadioSelect,
    )
    sharing_basis = ConsentToShare.sharing_basis()
    sharing_reason = ConsentToShare.sharing_reason()

    def __init__(self, *args, reporting_agencies, lead_agencies, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reporting_agency"].queryset = reporting_agencies
        self.fields["lead_agency"].queryset = lead_agencies
        if reporting_agencies.count() == 1:
            self.fields["reporting_agency"].widget = forms.HiddenInput()
            self.fields["reporting_agency"].initial = reporting_agencies.first()

    def clean_observed_on(self) -> dt.date:
        day = self.cleaned_data["observed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("The date it happened must be today or in the past")
        return day

    def clean(self) -> dict:
        data = super().clean()
        day, time = data.get("observed_on"), data.get("observed_time")
        # No time given stays no time: the day alone is kept (SPEC 3.3).
        data["observed_at"] = (
            dt.datetime.combine(day, time, tzinfo=ZoneInfo(settings.TIME_ZONE))
            if day and time
            else None
        )
        rules = {**data, "immediate_risk": data.get("immediate_risk") == "yes"}
        for field, message in concern_errors(rules).items():
            # A field that already failed its own check keeps that message.
            target = "observed_time" if field == "observed_at" else field
            if not self.has_error(target) and not (
                field == "child_age_years" and self.has_error("child_date_of_birth")
            ):
                if field == "observed_at" and not time:
                    continue  # a date alone was checked by clean_observed_on
                self.add_error(target, message)
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "child_first_name": data["child_first_name"].strip(),
            "child_last_name": data["child_last_name"].strip(),
            "child_date_of_birth": data.get("child_date_of_birth"),
            "child_age_years": data.get("child_age_years"),
            "child_address": data["child_address"],
            "child_postcode": data["child_postcode"],
            "child_school": data["child_school"],
            "child_nhs_number": data["child_nhs_number"],
            "child_upn": data["child_upn"],
            "account": data["account"],
            "observed_on": data["observed_on"],
            "observed_at": data["observed_at"],
            "categories": data["categories"],
            "immediate_risk": data["immediate_risk"] == "yes",
            "actions_taken": data["actions_taken"],
            "family_aware": data["family_aware"],
            "sharing_basis": data["sharing_basis"],
            "sharing_reason": data["sharing_reason"],
        }


class ChildForm(forms.Form):
    """A new child record at triage, prefilled from what the reporter gave."""

    first_name = forms.CharField(label="First name", max_length=100)
    last_name = forms.CharField(label="Last name", max_length=100)
    other_names = forms.CharField(label="Other names or aliases", required=False, max_length=200)
    date_of_birth = GovukDateField(label="Date of birth", required=False, kind=DateKind.BIRTH)
    sex = forms.ChoiceField(label="Sex", choices=Sex.choices, widget=forms.RadioSelect)
    nhs_number = NhsNumberField()
    upn = UpnField()
    address = forms.CharField(
        label="Address", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    postcode = forms.CharField(label="Postcode", required=False, max_length=10)
    school = forms.CharField(label="School or nursery", required=False, max_length=200)

    def clean_date_of_birth(self) -> dt.date | None:
        dob = self.cleaned_data.get("date_of_birth")
        if dob and dob > timezone.localdate():
            raise forms.ValidationError("Date of birth must be today or in the past")
        return dob


class LinkChildForm(forms.Form):
    child = forms.UUIDField(widget=forms.HiddenInput)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=Concern.Decision.choices,
        widget=forms.RadioSelect,
    )
    referral_source = forms.ChoiceField(
        label="Who referred the child?",
        help_text="As the Children in Need census counts it. Suggested from the reporting "
        "agency; change it if, say, a GP rather than the hospital raised it.",
        choices=ReferralSource.choices,
        error_messages={"required": "Choose who referred the child"},
    )
    decision_reason = forms.CharField(
        label="Reason for the decision",
        help_text="This goes to the chronology and back to the person who raised the concern.",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10000,
    )

    def clean_decision_reason(self) -> str:
        reason = self.cleaned_data["decision_reason"]
        if not reason.strip():
            raise forms.ValidationError("Enter the reason for the decision")
        return reason


class ReturnDecisionForm(forms.Form):
    comment = forms.CharField(
        label="Why are you returning this decision?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )


class BodyMapMarkForm(forms.Form):
    side = forms.ChoiceField(
        label="Front or back?",
        choices=BodyMapMark.Side.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose front or back"},
    )
    region = forms.ChoiceField(
        label="Where on the body?",
        help_text="Or click the outline.",
        choices=BodyMapMark.Region.choices,
        error_messages={"required": "Choose where the mark is"},
    )
    description = forms.CharField(
        label="Describe the mark",
        help_text="Size, colour and shape, and what the child said about it.",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"required": "Describe the mark: size, colour, shape"},
    )


class ConcernMarkForm(BodyMapMarkForm):
    """One mark on the concern form. Every answer may be left blank on an unused
    row: a row is a mark only once something is typed or chosen in it."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "Choose where"), *BodyMapMark.Region.choices]
        self.fields["region"].help_text = "Left and right are the child's own."


class BaseConcernMarkFormSet(forms.BaseFormSet):
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove this mark"

    def marks(self) -> list[dict]:
        """The marks to record: rows with something in them, not removed."""
        return [
            {k: form.cleaned_data[k] for k in ("side", "region", "description")}
            for form in self.forms
            if form.has_changed() and not form.cleaned_data.get("DELETE")
        ]


# Marks seen, on the concern form itself (a body map is evidence best taken at
# once, before triage): one blank row; "Add another mark" adds one.
ConcernMarkFormSet = forms.formset_factory(
    ConcernMarkForm,
    formset=BaseConcernMarkFormSet,
    extra=1,
    can_delete=True,
    max_num=30,
    validate_max=True,
)
MARKS_PREFIX = "marks"
