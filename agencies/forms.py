"""Forms for agency administration: validate what was typed, no workflow."""

from __future__ import annotations

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator

from agencies.roles import Role
from safeguard.core.forms import ModelChoice, ModelChoices


def role_field(label: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=Role.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a role", "invalid_choice": "Choose a role"},
    )


class MemberInviteForm(forms.Form):
    first_name = forms.CharField(
        label="First name",
        max_length=150,
        error_messages={"required": "Enter their first name"},
    )
    last_name = forms.CharField(
        label="Last name",
        max_length=150,
        error_messages={"required": "Enter their last name"},
    )
    email = forms.EmailField(
        label="Work e-mail address",
        max_length=254,
        error_messages={
            "required": "Enter their work e-mail address",
            "invalid": "Enter an e-mail address like name@example.org",
        },
    )
    username = forms.CharField(
        label="Username",
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text="What they will sign in with. Letters, numbers and @ . + - _ only.",
        error_messages={"required": "Enter a username"},
    )
    role = role_field("Role")


class MembershipRoleForm(forms.Form):
    role = role_field("New role")


class TeamForm(forms.Form):
    name = forms.CharField(
        label="Team name", max_length=100, error_messages={"required": "Enter the team's name"}
    )
    manager = ModelChoice(
        queryset=None, label="Team manager", required=False, empty_label="No manager yet"
    )
    members = ModelChoices(
        queryset=None,
        label="Members",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Cases are allocated to these people within the team.",
    )

    def __init__(self, *args, managers, people, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = managers
        self.fields["members"].queryset = people
        name = lambda u: f"{u.get_full_name() or u.username} ({u.username})"  # noqa: E731
        self.fields["manager"].label_from_instance = name
        self.fields["members"].label_from_instance = name
