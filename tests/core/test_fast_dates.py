"""The project's ``date`` filter (safeguard/core/templatetags/fast_dates.py)
writes what Django's writes: every format the templates use, dates and
times across a year's edges, in more than one language, through a template
as pages use it."""

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.template import Context, Template, defaultfilters
from django.utils import translation
from django.utils.timezone import template_localtime

from safeguard.core.templatetags.fast_dates import date as fast_date


def _template_formats() -> set[str]:
    found = set()
    for path in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        found |= set(re.findall(r'\|date:"([^"]*)"', path.read_text()))
    return found


FORMATS = sorted(_template_formats() | {"j M Y", "D d/m/y", "l jS F Y", "N j, Y", "c", "e"})
DAYS = [
    dt.date(2026, 1, 1),
    dt.date(2024, 2, 29),
    dt.date(2026, 9, 9),
    dt.date(2026, 12, 31),
    dt.date(999, 5, 3),
]
TIMES = [
    dt.datetime(2026, 3, 29, 0, 59, 59, tzinfo=dt.UTC),  # the clocks go forward at 01:00
    dt.datetime(2026, 10, 25, 23, 5, 7, tzinfo=dt.UTC),
    dt.datetime(2026, 12, 31, 23, 59, 59, tzinfo=dt.UTC),
    dt.datetime(2026, 7, 1, 9, 0, tzinfo=ZoneInfo("America/New_York")),
]


def _written(filter_, value, fmt):
    """What a filter writes, or the error it raises (a time asked of a date)."""
    try:
        return filter_(value, fmt)
    except TypeError as error:
        return f"TypeError: {error}"


def test_the_templates_formats_are_the_ones_checked():
    assert {"j F Y", "j M Y H:i", "F Y"} <= set(FORMATS)


@pytest.mark.parametrize("language", ["en-gb", "cy", "fr"])
def test_it_writes_what_djangos_filter_writes(language):
    with translation.override(language):
        for fmt in FORMATS:
            for value in [*DAYS, *(template_localtime(t) for t in TIMES)]:
                expected = _written(defaultfilters.date, value, fmt)
                assert _written(fast_date, value, fmt) == expected, (fmt, value)


def test_what_it_does_not_know_is_djangos():
    assert fast_date(None, "j M Y") == ""
    assert fast_date("", "j M Y") == ""
    assert fast_date(dt.date(2026, 1, 5)) == defaultfilters.date(dt.date(2026, 1, 5))
    # A time asked of a date is refused, as Django refuses it: no made-up hour.
    with pytest.raises(TypeError):
        fast_date(dt.date(2026, 1, 5), "j M Y H:i")


def test_a_page_writes_local_time():
    when = dt.datetime(2026, 7, 1, 23, 30, tzinfo=dt.UTC)  # 00:30 in London, the next day
    html = Template('{{ when|date:"j M Y H:i" }}').render(Context({"when": when}))
    assert html == "2 Jul 2026 00:30"
