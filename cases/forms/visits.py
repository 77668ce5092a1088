"""Forms for work with the child: visits, the child's wishes and feelings, and
a plan's frequencies and review date."""

from __future__ import annotations

import datetime as dt
import re

from django import forms

from cases.models import StatutoryVisit, WishesNotObtained
from safeguard.core.dates import DateKind
from safeguard.core.forms import GovukDateField, ModelChoice

TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


def wishes_fields(*, required_hint: bool) -> dict[str, forms.Field]:
    """The child's wishes and feelings, or why they were not obtained: the same
    three fields on assessments, section 47 enquiries and agency reports."""
    hint = "In the child's own words where you can (Children Act 1989 s17(4A), s47(5A)). " + (
        "If you could not obtain them, leave this empty and say why below."
        if required_hint
        else "Leave empty if your agency did not obtain them; the record will say so."
    )
    return {
        "child_wishes": forms.CharField(
            label="The child's wishes and feelings",
            help_text=hint,
            widget=forms.Textarea(attrs={"rows": 4}),
            required=False,
            max_length=20000,
        ),
        "wishes_not_obtained": forms.ChoiceField(
            label="If not obtained, why not?",
            choices=[("", "They were obtained (or not recorded)"), *WishesNotObtained.choices],
            required=False,
        ),
        "wishes_not_obtained_detail": forms.CharField(
            label="More about why (needed for 'another reason')",
            widget=forms.Textarea(attrs={"rows": 2}),
            required=False,
            max_length=5000,
        ),
    }


class VisitForm(forms.Form):
    visited_on = GovukDateField(
        label="Date of the visit",
        name="The date of the visit",
        kind=DateKind.EVENT,
        error_messages={"required": "Enter the date of the visit"},
    )
    visited_at_time = forms.CharField(
        label="Time of the visit (if known)",
        help_text="For example, 14:30. Leave empty if you do not know it: it stays unknown.",
        max_length=5,
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "numeric"}),
    )
    seen = forms.ChoiceField(
        label="Was the child seen?",
        choices=StatutoryVisit.Seen.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the child was seen, seen alone or not seen"},
    )
    not_seen_reason = forms.ChoiceField(
        label="If the child was not seen, why not?",
        choices=[("", "The child was seen"), *StatutoryVisit.NotSeenReason.choices],
        required=False,
    )
    visited_by = ModelChoice(
        queryset=None,
        label="Who visited?",
        error_messages={"required": "Choose who visited"},
    )
    note = forms.CharField(
        label="Note (optional)",
        help_text="What you saw and what the child said, in their own words where you can.",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=20000,
    )

    def __init__(self, *args, visitors, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["visited_by"].queryset = visitors.order_by("first_name", "last_name")
        self.fields["visited_by"].label_from_instance = lambda u: (
            f"{u.get_full_name() or u.username} ({u.username})"
        )

    def clean_visited_at_time(self) -> dt.time | None:
        value = self.cleaned_data["visited_at_time"].strip()
        if not value:
            return None
        match = TIME.match(value)
        if not match:
            raise forms.ValidationError("Enter the time as hours and minutes, like 14:30")
        return dt.time(int(match.group(1)), int(match.group(2)))


class PlanScheduleForm(forms.Form):
    """A plan's review date (child in need) or frequencies (child protection)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    next_review_on = GovukDateField(
        label="Review the plan by",
        name="The review date",
        kind=DateKind.DUE,
        required=False,
    )
    visit_interval_working_days = forms.IntegerField(
        label="See the child at least every (working days)",
        min_value=1,
        max_value=30,
        required=False,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
    )
    core_group_interval_weeks = forms.IntegerField(
        label="Core groups after the first every (weeks)",
        min_value=1,
        max_value=26,
        required=False,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
    )
    reason = forms.CharField(
        label="Why are you changing it?",
        help_text="The reason goes into the chronology and the audit log.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        error_messages={"required": "Give the reason for the change"},
    )

    def __init__(self, *args, protection: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if protection:
            del self.fields["next_review_on"]
        else:
            del self.fields["visit_interval_working_days"]
            del self.fields["core_group_interval_weeks"]
