"""Django's simplest widget templates, written in Python.

Every field on a page passes through a widget template, and each of those
includes ``attrs.html`` (and a select, one template per option). A case page
draws about 38 fields; the template engine took about a third of the page's
Python to do it, more than its database reads (bench/RESULTS.md, "the mixed
load"). ``GovukFormRenderer`` (safeguard/core/forms.py) hands the widget
templates named in ``WRITERS`` to these functions, which write the same HTML,
escaped the same way, from the same context Django's widget built; any other
template (the date input's, a radio's) is rendered by the template engine as
before. tests/core/test_widget_html.py holds each one to Django's own output,
and fails if a project template ever overrides one of them.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from django.template.loader import render_to_string
from django.utils.functional import Promise

DJANGO_OPTION = "django/forms/widgets/select_option.html"


def text(value: Any) -> str:
    """As the template engine writes ``{{ value }}``: what is already safe as
    it is, anything else escaped as django.utils.html.escape does (without its
    SafeString and lazy-string wrappers, which a page pays for hundreds of
    times)."""
    if isinstance(value, Promise):  # a lazy string may be a safe one (a help text)
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def attrs_html(attrs: dict[str, Any]) -> str:
    """django/forms/widgets/attrs.html: False leaves the attribute out, True
    writes it bare, anything else is written as text."""
    if not attrs:
        return ""
    return "".join(
        f" {text(name)}" if value is True else f' {text(name)}="{text(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def options_html(optgroups: list[tuple[Any, list[dict[str, Any]], int]]) -> str:
    """The options of django/forms/widgets/select.html, one group after another;
    an option with a template of its own is still rendered by it. The
    whitespace is the templates' own, to the character."""
    parts: list[str] = []
    for group_name, options, _index in optgroups:
        if group_name:
            parts.append(f'\n  <optgroup label="{text(group_name)}">')
        for option in options:
            if option["template_name"] == DJANGO_OPTION:
                parts.append(
                    f'\n  <option value="{text(str(option["value"]))}"'
                    f"{attrs_html(option['attrs'])}>{text(option['label'])}</option>\n"
                )
            else:
                parts.append("\n  " + render_to_string(option["template_name"], {"widget": option}))
        if group_name:
            parts.append("\n  </optgroup>")
    return "".join(parts)


def _input(widget: dict[str, Any]) -> str:
    # django/forms/widgets/input.html
    value = "" if widget["value"] is None else f' value="{text(widget["value"])}"'
    return (
        f'<input type="{text(widget["type"])}" name="{text(widget["name"])}"'
        f"{value}{attrs_html(widget['attrs'])}>\n\n"  # input.html's newline, then text.html's
    )


def _textarea(widget: dict[str, Any]) -> str:
    # django/forms/widgets/textarea.html
    value = text(widget["value"]) if widget["value"] else ""
    name = text(widget["name"])
    return f'<textarea name="{name}"{attrs_html(widget["attrs"])}>\n{value}</textarea>\n'


def _select(widget: dict[str, Any]) -> str:
    # django/forms/widgets/select.html, whose select_option.html (with
    # attrs.html inside it) the engine drew once per option: the case list's
    # "Allocated to" offers some 200 workers at a county's scale.
    return (
        f'<select name="{text(widget["name"])}"{attrs_html(widget["attrs"])}>'
        f"{options_html(widget['optgroups'])}\n</select>\n"
    )


# The widget templates that are nothing but django/forms/widgets/input.html.
_INPUTS = (
    "checkbox", "color", "date", "datetime", "email", "file", "hidden", "number", "password",
    "search", "tel", "text", "time", "url",
)  # fmt: skip
WRITERS: dict[str, Callable[[dict[str, Any]], str]] = {
    **{f"django/forms/widgets/{name}.html": _input for name in _INPUTS},
    "django/forms/widgets/textarea.html": _textarea,
    "django/forms/widgets/select.html": _select,
}
