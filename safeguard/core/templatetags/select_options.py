"""A select's options written in Python rather than by a template per option.

Django's ``select.html`` includes ``select_option.html`` (and ``attrs.html``
inside it) once per option. The case list's "Allocated to" offers every worker
of the lead agency (about 200 at a county of a million children, bench/scale.py)
and the template engine took about 40 microseconds an option: more than the
rest of the list's filters together. This writes the same HTML, escaped the
same way, for options that use Django's own option template; an option with a
template of its own is still rendered by it.
"""

from __future__ import annotations

import html
from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

DJANGO_OPTION = "django/forms/widgets/select_option.html"


def _text(value: Any) -> str:
    # conditional_escape without its SafeString and lazy-string wrappers (a
    # case page writes some 450 options): what is already safe is written as
    # it is, anything else escaped as django.utils.html.escape does.
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _attrs(attrs: dict[str, Any]) -> str:
    # As django/forms/widgets/attrs.html: False leaves the attribute out, True
    # writes it bare, anything else is written as text.
    if not attrs:
        return ""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_text(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


@register.simple_tag
def select_options(optgroups: list[tuple[Any, list[dict[str, Any]], int]]) -> SafeString:
    parts: list[str] = []
    for group_name, options, _index in optgroups:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in options:
            if option["template_name"] == DJANGO_OPTION:
                parts.append(
                    f'\n  <option value="{_text(str(option["value"]))}"'
                    f"{_attrs(option['attrs'])}>{_text(option['label'])}</option>"
                )
            else:
                parts.append("\n  " + render_to_string(option["template_name"], {"widget": option}))
        if group_name:
            parts.append("\n  </optgroup>")
    return mark_safe("".join(parts))  # noqa: S308 - every value escaped by _text above
