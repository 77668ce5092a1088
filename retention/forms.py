"""Forms for the retention pages: every decision carries its reason."""

from __future__ import annotations

from django import forms

from safeguard.core.forms import GovukDateField

REASON_WIDGET = forms.Textarea(attrs={"rows": 4})


class ExtendForm(forms.Form):
    retain_until = GovukDateField(
        label="Keep the record until",
        help_text="For example, 31 3 2031",
        error_messages={"required": "Enter the date to keep the record until"},
    )
    reason = forms.CharField(
        label="Why must the record be kept longer?",
        widget=REASON_WIDGET,
        max_length=2000,
        error_messages={"required": "Enter why the record must be kept longer"},
    )


class HoldForm(forms.Form):
    reason = forms.CharField(
        label="Why is the record held?",
        help_text="For example, the inquiry, claim or complaint, and who asked for the hold.",
        widget=REASON_WIDGET,
        max_length=2000,
        error_messages={"required": "Enter why the record is held"},
    )


class HoldByReferenceForm(HoldForm):
    reference = forms.CharField(
        label="Reference of the child, case or concern",
        help_text="For example, CHI-2026-000123, CAS-2026-000045 or CON-2026-000678",
        max_length=40,
        error_messages={"required": "Enter the reference of the record to hold"},
    )
    field_order = ["reference", "reason"]


class LiftForm(forms.Form):
    lift_reason = forms.CharField(
        label="Why is the hold lifted?",
        widget=REASON_WIDGET,
        max_length=2000,
        error_messages={"required": "Enter why the hold is lifted"},
    )


class DestroyForm(forms.Form):
    confirm = forms.BooleanField(
        label="I confirm this record is past its retention date and must be destroyed. "
        "I understand this cannot be undone.",
        error_messages={"required": "Confirm that the record must be destroyed"},
    )
