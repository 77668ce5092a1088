"""Forms for subject access requests: validate and keep what was typed; the
rules (the clock, who may, what is allowed when) live in the services."""

from __future__ import annotations

from django import forms

from safeguard.core.forms import GovukDateField
from subject_access.models import SubjectAccessRedaction, SubjectAccessRequest

CHILD = "child"


class FindChildForm(forms.Form):
    q = forms.CharField(
        label="Child's name or reference",
        max_length=200,
        help_text="The child the request is about, or whose household the person asking about "
        "themselves belongs to. For example, Lily Carter or CHD-2026-000012.",
    )


class LogRequestForm(forms.Form):
    subject = forms.ChoiceField(label="Who is the request about?", widget=forms.RadioSelect)
    requester_name = forms.CharField(label="Name of the person asking", max_length=200)
    requester_relationship = forms.ChoiceField(
        label="Who they are",
        choices=SubjectAccessRequest.Relationship.choices,
        widget=forms.RadioSelect,
    )
    requester_contact = forms.CharField(
        label="How to reach them",
        help_text="Postal address, e-mail or telephone: where the response will go.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    received_on = GovukDateField(
        label="Date the request was received",
        help_text="The month to respond runs from the day after. For example, 3 9 2026.",
    )

    def __init__(self, *args, child, adults, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subject"].choices = [(CHILD, f"The child, {child.full_name}")] + [
            (str(a.pk), f"{a.name} ({a.get_relationship_display().lower()})") for a in adults
        ]


class IdentityForm(forms.Form):
    # Not "method": a field of that name would shadow the <form>'s own
    # ``method`` property for the page's scripts.
    identity_method = forms.ChoiceField(
        label="How was the identity checked?",
        choices=SubjectAccessRequest.IdentityMethod.choices,
        widget=forms.RadioSelect,
        help_text="Of the person asking, and where they act for someone else, their authority "
        "to do so and that person's identity.",
    )
    detail = forms.CharField(
        label="What was seen (optional unless 'Other')",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, the document type and who saw it. Do not copy document numbers.",
    )
    evidence_on = GovukDateField(
        label="Date the proof of identity arrived (optional)",
        required=False,
        help_text="Only if you had to ask for it after the request came in: the month then runs "
        "from the day after it arrived.",
    )


class ExtendForm(forms.Form):
    months = forms.TypedChoiceField(
        label="Extend by",
        coerce=int,
        choices=[(1, "One further month"), (2, "Two further months")],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="Why the request is complex",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The requester must be told of the extension and this reason within the first "
        "month.",
    )


class RedactionForm(forms.Form):
    phrase = forms.CharField(
        label="Words to redact",
        required=False,
        max_length=500,
        help_text="Type or paste them as they appear: every occurrence is redacted, in any case.",
    )
    every_item = forms.BooleanField(
        label="Redact these words in every gathered item, not only this one", required=False
    )
    whole_item = forms.BooleanField(label="Withhold the whole item instead", required=False)
    category = forms.ChoiceField(
        label="What kind of information is it?",
        choices=[("", "Choose")] + SubjectAccessRedaction.Category.choices,
    )
    reason = forms.ChoiceField(
        label="Reason for withholding it",
        choices=[("", "Choose")] + SubjectAccessRedaction.Reason.choices,
    )
    note = forms.CharField(
        label="Note for the file (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept with the unredacted export, never sent.",
    )


class SentForm(forms.Form):
    sent_on = GovukDateField(label="Date sent")
    sent_method = forms.ChoiceField(
        label="How it was sent",
        choices=SubjectAccessRequest.SentMethod.choices,
        widget=forms.RadioSelect,
    )
    sent_to = forms.CharField(
        label="Sent to",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Name, and the address or e-mail it went to.",
    )
