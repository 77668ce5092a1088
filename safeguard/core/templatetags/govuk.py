"""Template helpers for GOV.UK Frontend forms. A field's form group itself is
written by safeguard/core/field_html.py."""

from __future__ import annotations

from django import template
from django.forms import BoundField

register = template.Library()


@register.filter
def error_anchor(field: BoundField) -> str:
    """Where the error summary links to: the first box a person can type in."""
    if field.widget_type == "govukdate":
        return f"{field.auto_id}_0"
    if field.widget_type in ("radioselect", "checkboxselectmultiple"):
        return f"{field.auto_id}_0"
    return field.auto_id or ""
