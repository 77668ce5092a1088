import django_filters
from django import forms

from agencies.models import Agency
from cases.forms import ConsentToShare, ForAgencyForm
from referrals.models import Referral
from safeguard.core.filters import ListFilterSet
from safeguard.core.forms import ModelChoice


class ReferralForm(ForAgencyForm):
    to_agency = ModelChoice(
        queryset=Agency.objects.none(),
        label="Refer to",
        error_messages={"required": "Choose the agency to refer to"},
    )
    reason = forms.CharField(
        label="Why are you referring?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10000,
        error_messages={"required": "Enter the reason for the referral"},
    )
    request = forms.CharField(
        label="What are you asking them to do?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        error_messages={"required": "Say what you are asking the agency to do"},
    )
    urgency = forms.ChoiceField(
        label="How urgent is it?",
        choices=Referral.Urgency.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how urgent it is"},
    )
    sharing_basis = ConsentToShare.sharing_basis()
    sharing_reason = ConsentToShare.sharing_reason()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].label = "Referring for"
        self.fields["to_agency"].queryset = Agency.objects.filter(is_active=True).order_by("name")


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        required=False,
    )


class ReferralFilter(ListFilterSet):
    """The referral lists' filters. "Each list's own order" keeps received
    referrals open-first by response due date; the others read the index on
    (sent_at, id)."""

    SORTS = {
        "own": ("Received: response due soonest. Sent: newest first", ()),
        "newest": ("Newest first", ("-sent_at", "-id")),
        "oldest": ("Oldest first", ("sent_at", "id")),
    }

    status = django_filters.ChoiceFilter(
        label="Status", choices=Referral.Status.choices, empty_label="Any status"
    )
    urgency = django_filters.ChoiceFilter(
        label="Urgency", choices=Referral.Urgency.choices, empty_label="Routine or urgent"
    )

    class Meta:
        model = Referral
        fields: list[str] = []
