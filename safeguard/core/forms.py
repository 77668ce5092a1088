"""GOV.UK Frontend markup for Django forms, and the GOV.UK date input.

Every form in the product renders through these templates, so error messages,
hints and labels are linked for screen readers in one place.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.forms.renderers import TemplatesSetting


class GovukFormRenderer(TemplatesSetting):
    form_template_name = "forms/govuk_form.html"
    field_template_name = "forms/govuk_field.html"


class GovukDateInput(forms.MultiWidget):
    """Day, month and year boxes (GOV.UK date input pattern).

    Keeps exactly what was typed, so an impossible date comes back to the user
    as they wrote it, next to the message.
    """

    template_name = "forms/widgets/govuk_date_input.html"
    parts = ("Day", "Month", "Year")

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        widgets = [
            forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-2"}),
            forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-2"}),
            forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-4"}),
        ]
        super().__init__(widgets, attrs)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, dt.date):
            return [value.day, value.month, value.year]
        if isinstance(value, list | tuple):
            return list(value)
        return [None, None, None]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict:
        context = super().get_context(name, value, attrs)
        for subwidget, label in zip(context["widget"]["subwidgets"], self.parts, strict=True):
            subwidget["part_label"] = label
        return context


class GovukDateField(forms.Field):
    """A date typed as day, month and year, with GOV.UK's error messages."""

    widget = GovukDateInput

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

    def _name(self) -> str:
        return str(self.label or "Date")

    def to_python(self, value: Any) -> dt.date | None:
        if isinstance(value, dt.date):
            return value
        parts = [str(p).strip() if p is not None else "" for p in (value or ["", "", ""])]
        if not any(parts):
            return None
        day, month, year = parts
        missing = [n for n, p in zip(("day", "month", "year"), parts, strict=True) if not p]
        if missing:
            raise forms.ValidationError(
                f"{self._name()} must include a {' and a '.join(missing)}", code="incomplete"
            )
        if not all(p.isdigit() for p in parts) or len(year) != 4:
            raise forms.ValidationError(
                f"{self._name()} must be a real date, with a 4-digit year", code="invalid"
            )
        try:
            return dt.date(int(year), int(month), int(day))
        except ValueError as exc:
            raise forms.ValidationError(
                f"{self._name()} must be a real date", code="invalid"
            ) from exc

    def bound_data(self, data: Any, initial: Any) -> Any:
        # What was typed, not what it would have meant.
        return data

    def prepare_value(self, value: Any) -> Any:
        return value
