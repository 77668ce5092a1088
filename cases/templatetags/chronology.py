"""The case page's chronology, rendered in Python.

A long case holds a thousand entries, and the case page shows them a hundred
to a page (``cases.selectors.case_page.CHRONOLOGY_PAGE``). Through the template
language each entry cost six variable lookups, two ``date`` filters and
``linebreaksbr`` (about 0.15 ms an entry, most of the page's time when all
thousand were on it); here it is one format string per entry. The markup is
the template's, entry for entry (the MOJ timeline with a heading per entry and
a machine-readable ``<time>``);
tests/cases/test_chronology_render.py holds the two side by side.

Rows come from ``cases.selectors.case_page.chronology_rows_for``, which has
already applied the access rule (involved agencies see shared entries only):
this renders what it is given and decides nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape  # what django.utils.html.escape calls, without its lazy wrapper

from django import template
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_ENTRY = (
    '<div class="moj-timeline__item">'
    '<div class="moj-timeline__header">'
    '<h3 class="moj-timeline__title">{title}</h3>'
    '<p class="moj-timeline__byline">by {agency}{lead_only}</p>'
    "</div>"
    '<p class="moj-timeline__date"><time datetime="{iso}">{when}</time></p>'
    "{description}"
    "</div>"
)
_LEAD_ONLY = ' · <strong class="govuk-tag govuk-tag--grey">Lead agency only</strong>'
_REFERENCE = '<p class="govuk-body govuk-!-font-size-16 govuk-!-margin-top-2">Reference {}</p>'


def _linebreaksbr(text: str) -> str:
    """The ``linebreaksbr`` filter: escaped, each line break a ``<br>``."""
    return escape(text.replace("\r\n", "\n").replace("\r", "\n")).replace("\n", "<br>")


@register.simple_tag
def chronology_timeline(rows: Iterable) -> SafeString:
    """The entries as ``moj-timeline__item`` blocks, newest first as given.
    Dates are in the current time zone, as the ``date`` filter shows them
    ("4 March 2026, 14:05"), with the ISO form for ``<time datetime>``."""
    months = {number: str(name) for number, name in MONTHS.items()}  # translated once
    zone = timezone.get_current_timezone()
    parts = []
    for row in rows:
        local = row.occurred_at.astimezone(zone)
        description = ""
        if row.body or row.source_reference:
            reference = (
                _REFERENCE.format(escape(row.source_reference)) if row.source_reference else ""
            )
            description = (
                f'<div class="moj-timeline__description">{_linebreaksbr(row.body)}{reference}</div>'
            )
        parts.append(
            _ENTRY.format(
                title=escape(row.title),
                agency=escape(row.agency_name or "Safeguard"),
                lead_only=_LEAD_ONLY if row.visibility == "lead_only" else "",
                iso=local.isoformat(),
                when=f"{local.day} {months[local.month]} {local.year}, {local:%H:%M}",
                description=description,
            )
        )
    return mark_safe("\n".join(parts))  # noqa: S308 - every value above is escaped
