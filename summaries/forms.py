"""Forms for PDF case summaries: validate and keep what was typed; the rules live in services."""

from __future__ import annotations

from django import forms

from safeguard.core.forms import GovukDateField


class SummaryRequestForm(forms.Form):
    date_from = GovukDateField(
        label="Chronology from (optional)",
        required=False,
        help_text="Leave blank to start from the beginning of the case. For example, 27 3 2026.",
    )
    date_to = GovukDateField(
        label="Chronology to (optional)",
        required=False,
        help_text="Leave blank to include everything up to today.",
    )
