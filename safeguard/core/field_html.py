"""A form field as a GOV.UK form group: label, hint, error message and widget.

Written in Python rather than by a template for the reason the widgets are
(safeguard/core/widget_html.py): a case page draws about 38 fields, and the
template engine's include, ``with`` and lookups for each took more of the
page's Python than its database reads. ``GovukFormRenderer`` hands its field
template to ``field_group``. What a field comes out as follows the GOV.UK
Design System's text input, textarea, select, radios, checkboxes and date
input components: the label (a legend for a group of inputs) names the
field, the hint and the error message are tied to it by
``aria-describedby``, and an error's text starts with a hidden "Error:".
"""

from __future__ import annotations

from django.forms import BoundField

from safeguard.core.widget_html import text

_BASE_CLASS = {
    "textarea": "govuk-textarea",
    "select": "govuk-select",
    "file": "govuk-file-upload",
    "clearablefile": "govuk-file-upload",
}
_GROUPS = ("radioselect", "checkboxselectmultiple", "govukdate")
_CHECKBOXES = (
    '<div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes">'
)


def describedby(field: BoundField) -> str:
    """The ids of the field's hint and error message, as aria-describedby
    names them (empty when it has neither)."""
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}-hint")
    if field.errors:
        ids.append(f"{field.auto_id}-error")
    return " ".join(ids)


def _describedby_attr(ids: str) -> str:
    return f' aria-describedby="{text(ids)}"' if ids else ""


def _hint(field: BoundField) -> str:
    if not field.help_text:
        return ""
    return f'<div id="{text(field.auto_id)}-hint" class="govuk-hint">{text(field.help_text)}</div>'


def _error_message(field: BoundField) -> str:
    if not field.errors:
        return ""
    lines = "<br>".join(
        f'<span class="govuk-visually-hidden">Error:</span> {text(error)}' for error in field.errors
    )
    return f'<p id="{text(field.auto_id)}-error" class="govuk-error-message">{lines}</p>'


def _widget(field: BoundField, kind: str, ids: str) -> str:
    """The widget itself, with GOV.UK's class for it (and its error state)."""
    if kind == "govukdate":
        return field.as_widget(attrs={"error": bool(field.errors), "describedby": ids})
    base = _BASE_CLASS.get(kind, "govuk-input")
    classes = [base, field.field.widget.attrs.get("class", "")]
    if field.errors:
        classes.append(f"{base}--error")
    attrs = {"class": " ".join(c for c in classes if c)}
    if ids:
        attrs["aria-describedby"] = ids
    return field.as_widget(attrs=attrs)


def _choices(field: BoundField, kind: str) -> str:
    """Radios, or checkboxes for several choices: one input and label each."""
    if kind == "radioselect":
        inline = " govuk-radios--inline" if len(field.field.choices) <= 2 else ""
        opening = f'<div class="govuk-radios{inline}" data-module="govuk-radios">'
        item, input_class, label_class, input_type = (
            "govuk-radios__item",
            "govuk-radios__input",
            "govuk-radios__label",
            "radio",
        )
    else:
        opening = (
            '<div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes">'
        )
        item, input_class, label_class, input_type = (
            "govuk-checkboxes__item",
            "govuk-checkboxes__input",
            "govuk-checkboxes__label",
            "checkbox",
        )
    name = text(field.html_name)
    parts = [opening]
    for choice in field:
        option_id = text(choice.id_for_label)
        checked = " checked" if choice.data["selected"] else ""
        parts.append(
            f'\n<div class="{item}">'
            f'\n<input class="{input_class}" id="{option_id}" name="{name}" type="{input_type}"'
            f' value="{text(choice.data["value"])}"{checked}>'
            f'\n<label class="govuk-label {label_class}" for="{option_id}">'
            f"{text(choice.choice_label)}</label>\n</div>"
        )
    parts.append("\n</div>")
    return "".join(parts)


def field_group(field: BoundField) -> str:
    """The field as a form group; a hidden field as its input alone."""
    kind = field.widget_type
    if kind == "hidden":
        return str(field)
    ids = describedby(field)
    error_class = " govuk-form-group--error" if field.errors else ""
    label = text(field.label)
    if kind in _GROUPS:
        role = ' role="group"' if kind == "govukdate" else ""
        inputs = _widget(field, kind, ids) if kind == "govukdate" else _choices(field, kind)
        body = (
            f'<fieldset class="govuk-fieldset"{role}{_describedby_attr(ids)}>'
            f'\n<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{label}</legend>'
            f"\n{_hint(field)}\n{_error_message(field)}\n{inputs}\n</fieldset>"
        )
    elif kind == "checkbox":
        auto_id = text(field.auto_id)
        checked = " checked" if field.value() else ""
        body = (
            f"{_hint(field)}\n{_error_message(field)}"
            f"\n{_CHECKBOXES}"
            '\n<div class="govuk-checkboxes__item">'
            f'\n<input class="govuk-checkboxes__input" id="{auto_id}"'
            f' name="{text(field.html_name)}" type="checkbox" value="on"{checked}'
            f"{_describedby_attr(ids)}>"
            f'\n<label class="govuk-label govuk-checkboxes__label" for="{auto_id}">{label}</label>'
            "\n</div>\n</div>"
        )
    else:
        body = (
            f'<label class="govuk-label" for="{text(field.id_for_label)}">{label}</label>'
            f"\n{_hint(field)}\n{_error_message(field)}\n{_widget(field, kind, ids)}"
        )
    return f'\n<div class="govuk-form-group{error_class}">\n{body}\n</div>\n'
