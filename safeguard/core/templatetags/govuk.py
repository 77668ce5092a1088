"""Template helpers that put GOV.UK Frontend classes and ARIA links on widgets."""

from __future__ import annotations

from django import template
from django.forms import BoundField

register = template.Library()

_BASE_CLASS = {
    "textarea": "govuk-textarea",
    "select": "govuk-select",
    "file": "govuk-file-upload",
    "clearablefile": "govuk-file-upload",
}


def describedby(field: BoundField) -> str:
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}-hint")
    if field.errors:
        ids.append(f"{field.auto_id}-error")
    return " ".join(ids)


@register.simple_tag
def govuk_widget(field: BoundField) -> str:
    kind = field.widget_type
    if kind == "govukdate":
        return field.as_widget(
            attrs={"error": bool(field.errors), "describedby": describedby(field)}
        )
    base = _BASE_CLASS.get(kind, "govuk-input")
    classes = [base, field.field.widget.attrs.get("class", "")]
    if field.errors:
        classes.append(f"{base}--error")
    attrs = {"class": " ".join(c for c in classes if c)}
    if describedby(field):
        attrs["aria-describedby"] = describedby(field)
    return field.as_widget(attrs=attrs)


@register.simple_tag
def govuk_describedby(field: BoundField) -> str:
    return describedby(field)


@register.filter
def error_anchor(field: BoundField) -> str:
    """Where the error summary links to: the first box a person can type in."""
    if field.widget_type == "govukdate":
        return f"{field.auto_id}_0"
    if field.widget_type in ("radioselect", "checkboxselectmultiple"):
        return f"{field.auto_id}_0"
    return field.auto_id or ""
