"""Forms on the case page: the record, access, allocation, the child's identity."""

from __future__ import annotations

import datetime as dt
import json

from django import forms
from django.utils import timezone

from agencies.models import Agency
from cases.dfe_codes import Disability, Ethnicity, UpnUnknown
from cases.forms.common import ForAgencyForm, NhsNumberField, UpnField, WrittenForAgencyForm
from cases.models import HouseholdMember, Sex
from safeguard.core.dates import DateKind
from safeguard.core.forms import GovukDateField, ModelChoice, ModelChoices, offer


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
    named_users = ModelChoices(
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
    agency = ModelChoice(
        queryset=Agency.objects.none(),
        label="Agency to involve",
        help_text="They will see this case at the involved-agency level: shared chronology, "
        "not the lead agency's own entries.",
        error_messages={"required": "Choose an agency"},
    )

    def __init__(self, *args, agencies, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        offer(self.fields["agency"], agencies)


class EndInvolvementForm(forms.Form):
    reason = forms.CharField(
        label="Why does their involvement end?",
        help_text="Recorded in the audit log and on the chronology.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Enter why the involvement ends"},
    )


class ChronologyEntryForm(ForAgencyForm):
    occurred_on = GovukDateField(
        label="When did it happen?",
        name="The date it happened",
        error_messages={"required": "Enter the date it happened"},
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
    agency = ModelChoice(
        queryset=Agency.objects.none(), required=False, label="Agency", empty_label="All agencies"
    )
    kind = forms.ChoiceField(label="Type", required=False)
    date_from = GovukDateField(label="From", required=False)
    date_to = GovukDateField(label="To", required=False)

    def __init__(self, *args, agencies, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from cases.models import ChronologyEntry

        offer(self.fields["agency"], agencies)
        self.fields["kind"].choices = [("", "All types"), *ChronologyEntry.Kind.choices]

    @classmethod
    def data_names(cls) -> frozenset[str]:
        """Every name its data is sent under (a date's day, month and year each
        their own): what a page link of the filtered chronology carries."""
        return frozenset(
            name + suffix
            for name, field in cls.base_fields.items()
            for suffix in getattr(field.widget, "widgets_names", [""])
        )


class AllocateForm(forms.Form):
    # The case's version when the page was opened: an allocation made by someone
    # else in the meantime is not silently replaced.
    version = forms.IntegerField(widget=forms.HiddenInput)
    worker = ModelChoice(
        queryset=None,
        label="Allocate to",
        # Nobody chosen until someone is: a default would allocate the case to
        # whoever sorts first (the manager) at one careless click.
        empty_label="Choose a worker",
        error_messages={"required": "Choose who to allocate the case to"},
    )
    team = ModelChoice(
        queryset=None,
        label="Team",
        required=False,
        empty_label="No team",
        help_text="The worker must be in the team.",
    )

    def __init__(self, *args, workers, teams, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        offer(self.fields["worker"], workers)
        self.fields["worker"].label_from_instance = lambda u: u.get_full_name() or u.username
        offer(self.fields["team"], teams)
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
    agency = ModelChoice(
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
    user = ModelChoice(
        queryset=None,
        label="Their Safeguard account (optional)",
        required=False,
        empty_label="They do not use Safeguard, or not known",
    )

    def __init__(self, *args, agencies, people, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        offer(self.fields["agency"], agencies)
        offer(self.fields["user"], people)
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
    date_of_birth = GovukDateField(label="Date of birth", required=False, kind=DateKind.BIRTH)
    expected_date_of_birth = GovukDateField(
        label="Expected date of birth",
        required=False,
        help_text="Only for an unborn child.",
        kind=DateKind.DUE,
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
        help_text="Tick 'No disability' once you know the child has none. Leave every box "
        "unticked only while it is not yet known: the record then says 'not yet recorded', "
        "and the census cannot be returned until it is.",
    )
    language = forms.CharField(label="First language", required=False, max_length=60)
    nhs_number = NhsNumberField()
    upn = UpnField()
    upn_unknown_reason = forms.ChoiceField(
        label="If there is no UPN, why not?",
        choices=[("", "There is a UPN, or the reason is not known")] + UpnUnknown.choices,
        required=False,
        help_text="The Children in Need census asks for a reason for a child of school age "
        "with no UPN.",
    )
    former_upn = UpnField(label="Former UPN", help_text="Only if the child's UPN has changed.")
    address = forms.CharField(
        label="Address", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    postcode = forms.CharField(label="Postcode", required=False, max_length=10)
    school = forms.CharField(label="School or nursery", required=False, max_length=200)
    date_of_death = GovukDateField(
        label="Date of death",
        required=False,
        kind=DateKind.BIRTH,
        help_text="Only if the child has died.",
    )
    cp_plans_before_record = forms.IntegerField(
        label="Child protection plans before this record",
        required=False,
        min_value=0,
        max_value=50,
        help_text="How many child protection plans the child had before this authority's "
        "record of them began, here or elsewhere, if you know. Leave blank if not known.",
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("upn") and data.get("upn_unknown_reason"):
            self.add_error("upn_unknown_reason", "Give a reason only when the child has no UPN")
        return data

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
    """An action on a case: what, which agency, who, by when. The meeting record's
    form (meetings.forms.MeetingActionForm) is this one plus which case."""

    description = forms.CharField(
        label="What needs doing?",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"required": "Enter what needs doing"},
    )
    agency = ModelChoice(
        queryset=Agency.objects.none(),
        label="Which agency?",
        error_messages={"required": "Choose the agency responsible"},
    )
    owner = ModelChoice(
        queryset=None, label="Who, if one person?", required=False, empty_label="Anyone there"
    )
    due_on = GovukDateField(
        label="Due by",
        name="The due date",
        kind=DateKind.DUE,
        error_messages={"required": "Enter the due date"},
    )

    def __init__(self, *args, agencies, people, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        offer(self.fields["agency"], agencies)
        offer(self.fields["owner"], people)
        self.fields["owner"].label_from_instance = lambda u: (
            f"{u.get_full_name() or u.username} ({u.username})"
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
