"""Forms for the concern and triage pages: validate, keep what was typed, no workflow."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.utils import timezone

from agencies.models import Agency
from cases.concern_rules import concern_errors
from cases.dfe_codes import AssessmentFactor, ClosureReason, Disability, Ethnicity, PrimaryNeed
from cases.identifiers import normalise_nhs_number, normalise_upn, validate_nhs_number, validate_upn
from cases.models import (
    BodyMapMark,
    CaseNote,
    Concern,
    HouseholdMember,
    Plan,
    Section47Enquiry,
    Sex,
)
from safeguard.core.forms import GovukDateField

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


class ConcernForm(forms.Form):
    reporting_agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(),
        label="Which agency are you reporting for?",
        empty_label=None,
    )
    lead_agency = forms.ModelChoiceField(
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
        if day:
            data["observed_at"] = dt.datetime.combine(
                day, time or dt.time(12, 0), tzinfo=ZoneInfo(settings.TIME_ZONE)
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
    date_of_birth = GovukDateField(label="Date of birth", required=False)
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


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        label="Why do you need to see this restricted case now?",
        help_text="Your reason, your name and everything you look at are recorded, "
        "and the lead agency's managers are told at once.",
        widget=forms.Textarea(attrs={"rows": 4}),
        min_length=20,
        max_length=5000,
        error_messages={
            "required": "Enter why you need to see this case",
            "min_length": "Explain in a sentence or two why you need to see this case now",
        },
    )


class RestrictCaseForm(forms.Form):
    named_users = forms.ModelMultipleChoiceField(
        queryset=None,
        label="Who may see this case?",
        help_text="Name yourself if you need to keep seeing it. Everyone else is told only "
        "that a restricted record exists.",
        error_messages={"required": "Name at least one person who may see the case"},
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        error_messages={"required": "Enter the reason"},
    )

    def __init__(self, *args, people, lifting: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["named_users"].queryset = people
        self.fields["named_users"].label_from_instance = lambda u: (
            f"{u.get_full_name() or u.username} ({u.username})"
        )
        if lifting:
            del self.fields["named_users"]
            self.fields["reason"].label = "Why is the restriction no longer needed?"
        else:
            self.fields["reason"].label = "Why must this case be restricted?"


class AddAgencyForm(forms.Form):
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(),
        label="Agency to involve",
        help_text="They will see this case at the involved-agency level: shared chronology, "
        "not the lead agency's own entries.",
        error_messages={"required": "Choose an agency"},
    )

    def __init__(self, *args, agencies, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies


class ForAgencyForm(forms.Form):
    """Something written in the name of one of the user's agencies on the case."""

    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(), label="Writing for", empty_label=None
    )

    def __init__(self, *args, agencies, lead: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lead = lead
        self.fields["agency"].queryset = agencies
        if agencies.count() == 1:
            # One agency: nothing to choose, so nothing to get wrong.
            self.fields["agency"].widget = forms.HiddenInput()
            self.fields["agency"].initial = self.only_agency = agencies.first()
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


class ChronologyEntryForm(ForAgencyForm):
    occurred_on = GovukDateField(
        label="When did it happen?", error_messages={"required": "Enter the date it happened"}
    )
    title = forms.CharField(
        label="What happened, in a line",
        max_length=200,
        error_messages={"required": "Enter what happened"},
    )
    body = forms.CharField(
        label="Details", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=10000
    )
    lead_only = forms.BooleanField(label="Keep this entry to the lead agency", required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.lead:
            del self.fields["lead_only"]

    def clean_occurred_on(self) -> dt.date:
        day = self.cleaned_data["occurred_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("The date must be today or in the past")
        return day


class ChronologyFilterForm(forms.Form):
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(), required=False, label="Agency", empty_label="All agencies"
    )
    kind = forms.ChoiceField(label="Type", required=False)
    date_from = GovukDateField(label="From", required=False)
    date_to = GovukDateField(label="To", required=False)

    def __init__(self, *args, agencies, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from cases.models import ChronologyEntry

        self.fields["agency"].queryset = agencies
        self.fields["kind"].choices = [("", "All types"), *ChronologyEntry.Kind.choices]


class AllocateForm(forms.Form):
    # The case's version when the page was opened: an allocation made by someone
    # else in the meantime is not silently replaced.
    version = forms.IntegerField(widget=forms.HiddenInput)
    worker = forms.ModelChoiceField(
        queryset=None,
        label="Allocate to",
        empty_label=None,
        error_messages={"required": "Choose who to allocate the case to"},
    )
    team = forms.ModelChoiceField(
        queryset=None,
        label="Team",
        required=False,
        empty_label="No team",
        help_text="The worker must be in the team.",
    )

    def __init__(self, *args, workers, teams, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = workers
        self.fields["worker"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.fields["team"].queryset = teams
        self.fields["team"].label_from_instance = lambda t: t.name


class ProfessionalForm(forms.Form):
    name = forms.CharField(
        label="Name", max_length=200, error_messages={"required": "Enter the professional's name"}
    )
    role = forms.CharField(
        label="Role or job title",
        max_length=200,
        help_text="For example, health visitor or designated safeguarding lead.",
        error_messages={"required": "Enter their role or job title"},
    )
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(),
        label="Agency",
        help_text="One of the agencies involved in the case.",
        error_messages={"required": "Choose their agency"},
    )
    phone = forms.CharField(label="Phone (optional)", required=False, max_length=40)
    email = forms.EmailField(
        label="Email (optional)",
        required=False,
        error_messages={"invalid": "Enter an email address like name@example.org"},
    )
    user = forms.ModelChoiceField(
        queryset=None,
        label="Their Safeguard account (optional)",
        required=False,
        empty_label="They do not use Safeguard, or not known",
    )

    def __init__(self, *args, agencies, people, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        self.fields["user"].queryset = people
        self.fields["user"].label_from_instance = lambda u: (
            f"{u.get_full_name() or u.username} ({u.username})"
        )


class CaseNoteForm(WrittenForAgencyForm):
    text = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20000,
        error_messages={"required": "Enter the note"},
    )


class DocumentForm(WrittenForAgencyForm):
    title = forms.CharField(
        label="Title", max_length=200, error_messages={"required": "Enter a title"}
    )
    upload = forms.FileField(
        label="File",
        help_text="PDF, PNG or JPEG, up to 10 MB.",
        widget=forms.FileInput,
        error_messages={"required": "Choose a file", "empty": "The file is empty"},
    )


class ChildIdentityForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    # The record as the form was opened (JSON): after a collision, what this
    # person left alone takes the other person's change, and only what they
    # changed themselves is kept as typed.
    original = forms.CharField(widget=forms.HiddenInput, required=False)
    first_name = forms.CharField(
        label="First name", max_length=100, error_messages={"required": "Enter the first name"}
    )
    last_name = forms.CharField(
        label="Last name", max_length=100, error_messages={"required": "Enter the last name"}
    )
    other_names = forms.CharField(label="Other names or aliases", required=False, max_length=200)
    date_of_birth = GovukDateField(label="Date of birth", required=False)
    expected_date_of_birth = GovukDateField(
        label="Expected date of birth", required=False, help_text="Only for an unborn child."
    )
    sex = forms.ChoiceField(label="Sex", choices=Sex.choices, widget=forms.RadioSelect)
    gender = forms.CharField(
        label="Gender", required=False, max_length=60, help_text="As the child describes it."
    )
    ethnicity = forms.ChoiceField(label="Ethnicity", choices=Ethnicity.choices)
    disabilities = forms.MultipleChoiceField(
        label="Disabilities",
        choices=Disability.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    language = forms.CharField(label="First language", required=False, max_length=60)
    nhs_number = NhsNumberField()
    upn = UpnField()
    address = forms.CharField(
        label="Address", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    postcode = forms.CharField(label="Postcode", required=False, max_length=10)
    school = forms.CharField(label="School or nursery", required=False, max_length=200)

    def clean_disabilities(self) -> list[str]:
        codes = self.cleaned_data["disabilities"]
        if "NONE" in codes and len(codes) > 1:
            raise forms.ValidationError("Choose 'No disability' or the disabilities, not both")
        return codes

    def clean_original(self) -> dict:
        try:
            original = json.loads(self.cleaned_data["original"] or "{}")
        except ValueError:
            return {}
        return original if isinstance(original, dict) else {}


class ActionForm(forms.Form):
    description = forms.CharField(
        label="What needs doing?",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"required": "Enter what needs doing"},
    )
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(),
        label="Which agency?",
        error_messages={"required": "Choose the agency responsible"},
    )
    owner = forms.ModelChoiceField(
        queryset=None, label="Who, if one person?", required=False, empty_label="Anyone there"
    )
    due_on = GovukDateField(label="Due by", error_messages={"required": "Enter the due date"})

    def __init__(self, *args, agencies, people, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        self.fields["owner"].queryset = people
        self.fields["owner"].label_from_instance = lambda u: (
            f"{u.get_full_name() or u.username} ({u.username})"
        )


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


class HouseholdMemberForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200, required=False)
    relationship = forms.ChoiceField(
        label="Relationship to the child",
        choices=HouseholdMember.Relationship.choices,
        error_messages={"required": "Choose the relationship"},
    )
    lives_with_child = forms.BooleanField(label="Lives with the child", required=False)
    has_parental_responsibility = forms.BooleanField(
        label="Has parental responsibility", required=False
    )
    flags = forms.MultipleChoiceField(
        label="Known risks",
        choices=HouseholdMember.Flag.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    sibling_reference = forms.CharField(
        label="If a sibling on record, their child reference",
        help_text="For example CHI-2026-000012. Their cases are then linked to this one.",
        required=False,
        max_length=20,
    )


class PlanStartForm(forms.Form):
    kind = forms.ChoiceField(
        label="Plan",
        choices=Plan.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of plan"},
    )
    category = forms.ChoiceField(
        label="Category of abuse (child protection plans)",
        choices=[("", "Not applicable"), *Plan.Category.choices],
        required=False,
    )
    start_date = GovukDateField(
        label="Start date", error_messages={"required": "Enter the start date"}
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


class ChildMergeForm(forms.Form):
    reference = forms.CharField(
        label="Reference of the duplicate record",
        help_text="For example CHI-2026-000031. It is merged into this child's record.",
        max_length=20,
        error_messages={"required": "Enter the duplicate record's reference"},
    )
    reason = forms.CharField(
        label="Why are they the same child?",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
        error_messages={"required": "Explain why these are the same child"},
    )
