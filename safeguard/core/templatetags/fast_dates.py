"""The template language's ``date`` filter, faster for the formats the
project's templates write (a builtin: see TEMPLATES in safeguard/settings.py).

Django formats each date by splitting the format string with a regular
expression, building a formatter object and asking the translations for the
month's name, about 45 microseconds a date: a case page writes a hundred
dates, a tenth of its Python. Here a format string is read once into its
parts, and the month and day names are taken once per language from
Django's own formatter, so the text is Django's to the character
(tests/core/test_fast_dates.py holds the two side by side). A format with
anything else in it (a time zone, a week number, a format's name) is handed
to Django's filter as before."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from django import template
from django.template import defaultfilters
from django.utils import dateformat
from django.utils.translation import get_language

register = template.Library()

Names = dict[str, tuple[str, ...]]
Part = Callable[[Any, Names], str]

_DATE_PARTS: dict[str, Part] = {
    "j": lambda v, n: str(v.day),
    "d": lambda v, n: f"{v.day:02d}",
    "n": lambda v, n: str(v.month),
    "m": lambda v, n: f"{v.month:02d}",
    "M": lambda v, n: n["M"][v.month - 1],
    "F": lambda v, n: n["F"][v.month - 1],
    "Y": lambda v, n: f"{v.year:04d}",
    "D": lambda v, n: n["D"][v.weekday()],
    "l": lambda v, n: n["l"][v.weekday()],
}
_TIME_PARTS: dict[str, Part] = {
    "H": lambda v, n: f"{v.hour:02d}",
    "G": lambda v, n: str(v.hour),
    "i": lambda v, n: f"{v.minute:02d}",
    "s": lambda v, n: f"{v.second:02d}",
}
# Django's own reading of a format string (django.utils.dateformat).
_SPECIFIER = re.compile(r"(?<!\\)([aAbcdDeEfFgGhHiIjlLmMnNoOPrsStTUuwWyYzZ])")
_ESCAPED = re.compile(r"\\(.)")


@lru_cache(maxsize=128)
def _parts(fmt: str) -> tuple[tuple[str | Part, ...], bool] | None:
    """``fmt`` as literal text and parts; whether it has a time in it. None
    for a format with a specifier written here by nobody."""
    parts: list[str | Part] = []
    has_time = False
    for i, piece in enumerate(_SPECIFIER.split(fmt)):
        if i % 2:
            part = _DATE_PARTS.get(piece) or _TIME_PARTS.get(piece)
            if part is None:
                return None
            has_time |= piece in _TIME_PARTS
            parts.append(part)
        elif piece:
            parts.append(_ESCAPED.sub(r"\1", piece))
    return tuple(parts), has_time


@lru_cache(maxsize=32)
def _names(language: str | None) -> Names:
    """Month and weekday names in ``language``, as Django's formatter writes
    them (2001 began on a Monday)."""
    return {
        "M": tuple(dateformat.format(dt.date(2001, m, 1), "M") for m in range(1, 13)),
        "F": tuple(dateformat.format(dt.date(2001, m, 1), "F") for m in range(1, 13)),
        "D": tuple(dateformat.format(dt.date(2001, 1, d), "D") for d in range(1, 8)),
        "l": tuple(dateformat.format(dt.date(2001, 1, d), "l") for d in range(1, 8)),
    }


@register.filter(expects_localtime=True, is_safe=False)
def date(value: Any, arg: str | None = None) -> str:
    """Django's ``date`` filter (same arguments, same text)."""
    kind = type(value)
    if arg and (kind is dt.date or kind is dt.datetime):
        read = _parts(arg)
        if read is not None and (kind is dt.datetime or not read[1]):
            names = _names(get_language())
            return "".join(p if isinstance(p, str) else p(value, names) for p in read[0])
    return defaultfilters.date(value, arg)
