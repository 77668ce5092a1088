"""Forms for agency administration: validate what was typed, no workflow."""

from __future__ import annotations

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator

from .roles import Role


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
