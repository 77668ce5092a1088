from django import forms

from safeguard.notifications.models import NotificationPreference


class ReminderPreferenceForm(forms.Form):
    reminder_email = forms.ChoiceField(
        label="How do you want reminder e-mails?",
        help_text="Reminders of what is coming due, due today or overdue. They always appear "
        "under Notifications too; other e-mails (urgent alerts) always come at once.",
        choices=NotificationPreference.ReminderEmail.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how you want reminder e-mails"},
    )
