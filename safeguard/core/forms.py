"""GOV.UK Frontend markup for Django forms, and the GOV.UK date input.

Every form in the product renders through these templates, so error messages,
hints and labels are linked for screen readers in one place.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.models import ModelChoiceIterator
from django.forms.renderers import TemplatesSetting

from safeguard.core.dates import DateKind, validate_date
from safeguard.core.field_html import field_group
from safeguard.core.widget_html import WRITERS


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's refusal on the form: next to the field it names, else at the top."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class ReadAtOnce(ModelChoiceIterator):
    """A select's choices read in one statement.

    Django reads a model choice field's choices with ``QuerySet.iterator()``,
    which on PostgreSQL opens a server-side cursor: DECLARE, FETCH and CLOSE,
    each a round trip and the first planned anew, for a list of a few hundred
    people at most. A case page offers six such lists (a sixth of its time at
    a county's scale, bench/RESULTS.md); read at once, each is one statement.
    """

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        rows = getattr(self.field, "rows", None)
        # A fresh read, as iterator() would make, unless the page read these
        # very records for another select (``ReadOnce``).
        for obj in self.queryset.all() if rows is None else rows:
            yield self.choice(obj)


@dataclass(frozen=True)
class ReadOnce:
    """Records a page offers in more than one select, read once for all of
    them: a case page offers the agencies on the case in four and their staff
    (some 200 people at a county's scale) in two. ``records`` is still what a
    submission is checked against."""

    records: QuerySet
    rows: list

    @classmethod
    def of(cls, records: QuerySet) -> ReadOnce:
        return cls(records, list(records))


def offer(field: forms.ModelChoiceField, records: QuerySet | ReadOnce) -> None:
    """Offer ``records`` in ``field`` (a select of records)."""
    if isinstance(records, ReadOnce):
        field.queryset = records.records
        field.rows = records.rows
    else:
        field.queryset = records
        field.rows = None


class ModelChoice(forms.ModelChoiceField):
    """``ModelChoiceField`` with its choices ``ReadAtOnce``: every form's choice
    of a record uses this (tests/core/test_forms_choices.py)."""

    iterator = ReadAtOnce


class ModelChoices(forms.ModelMultipleChoiceField):
    """``ModelMultipleChoiceField`` with its choices ``ReadAtOnce``."""

    iterator = ReadAtOnce


class GovukFormRenderer(TemplatesSetting):
    form_template_name = "forms/govuk_form.html"
    # No template of this name: render() writes a field with field_html.field_group.
    field_template_name = "forms/govuk_field.html"

    def render(self, template_name: str, context: dict[str, Any], request=None) -> str:
        # A field's form group and Django's simplest widget templates are
        # written in Python (why: see safeguard/core/field_html.py and
        # widget_html.py); everything else by its template.
        if template_name == self.field_template_name:
            return field_group(context["field"])
        writer = WRITERS.get(template_name)
        if writer is not None:
            return writer(context["widget"])
        return super().render(template_name, context, request)


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
        subwidgets = context["widget"]["subwidgets"]
        error = bool((attrs or {}).get("error"))
        typed = [sub["value"] not in (None, "") for sub in subwidgets]
        # GOV.UK marks only the missing boxes of an incomplete date; otherwise all.
        incomplete = any(typed) and not all(typed)
        for subwidget, label, filled in zip(subwidgets, self.parts, typed, strict=True):
            subwidget["part_label"] = label
            subwidget["part_error"] = error and not (incomplete and filled)
        return context


class GovukDateField(forms.Field):
    """A date typed as day, month and year, with GOV.UK's error messages.

    Give it a ``label``: the messages are built from it ("Date of birth must
    include a month", "Date of birth must be a real date", "Enter the date of
    birth"). What was typed is kept, so a form with an error shows it again.
    """

    widget = GovukDateInput
    parts = ("day", "month", "year")

    def __init__(self, *args: Any, kind: DateKind = DateKind.EVENT, name: str = "", **kwargs: Any):
        # ``kind``: which dates are possible (safeguard/core/dates.py); every
        # date is at least an event, never before 1900. ``name``: what the
        # messages call it when the label is a question.
        self.kind = kind
        self.name = name
        super().__init__(*args, **kwargs)

    def _name(self) -> str:
        return self.name or str(self.label or "Date")

    def _lower_name(self) -> str:
        name = self._name()
        # "Date of birth" -> "date of birth", but leave "NHS number" alone.
        if len(name) > 1 and name[1].isupper():
            return name
        return name[:1].lower() + name[1:]

    def to_python(self, value: Any) -> dt.date | None:
        if isinstance(value, dt.date):
            return value
        if not isinstance(value, list | tuple) or len(value) != 3:
            value = ["", "", ""]
        parts = [str(p).strip() if p is not None else "" for p in value]
        if not any(parts):
            return None
        missing = [n for n, p in zip(self.parts, parts, strict=True) if not p]
        if missing:
            raise forms.ValidationError(
                f"{self._name()} must include a {' and '.join(missing)}", code="incomplete"
            )
        day, month, year = parts
        if not all(p.isdigit() for p in parts):
            raise forms.ValidationError(f"{self._name()} must be a real date", code="invalid")
        if len(year) != 4:
            raise forms.ValidationError(
                f"{self._name()} must include a year with 4 numbers", code="invalid_year"
            )
        try:
            return dt.date(int(year), int(month), int(day))
        except ValueError as exc:
            raise forms.ValidationError(
                f"{self._name()} must be a real date", code="invalid"
            ) from exc

    def validate(self, value: Any) -> None:
        if value in self.empty_values and self.required:
            message = self.error_messages["required"]
            if message == forms.Field.default_error_messages["required"]:
                message = f"Enter the {self._lower_name()}"
            raise forms.ValidationError(message, code="required")
        if value not in self.empty_values:
            validate_date(value, self.kind, self._name())

    def bound_data(self, data: Any, initial: Any) -> Any:
        # What was typed, not what it would have meant.
        return data

    def prepare_value(self, value: Any) -> Any:
        return value


class GovukPasswordChangeForm(PasswordChangeForm):
    """Django's password change, with GOV.UK labels and messages."""

    error_messages = {
        **PasswordChangeForm.error_messages,
        "password_incorrect": "Your current password is not right. Check it and try again.",
        "password_mismatch": "The new passwords do not match. Type the same new password twice.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = {
            "old_password": ("Current password", "Enter your current password"),
            "new_password1": ("New password", "Enter a new password"),
            "new_password2": ("Confirm new password", "Enter your new password again"),
        }
        for name, (label, required) in labels.items():
            self.fields[name].label = label
            self.fields[name].error_messages["required"] = required
        self.fields["new_password2"].help_text = ""
