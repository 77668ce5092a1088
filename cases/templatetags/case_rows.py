"""The case list's rows and its restricted-records notice, written in Python.

A page of the case list is 25 rows, and a first page may name up to 50
restricted records. Through the template language each row cost a ``{% url %}``
(a reverse of the URLconf), a ``date`` filter and a dozen variable lookups:
about half of the page's Python at a county's scale, on the page people open
most. Here a row is one format string, and the case page's address is reversed
once per page (``address_of``). The markup is the template's, row for row;
tests/cases/test_case_rows_render.py holds the two side by side.

The rows come from ``cases.selectors.case_list``, which has already applied
the access rule: this writes what it is given and decides nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from html import escape  # what django.utils.html.escape calls, without its lazy wrapper
from typing import Any

from django import template
from django.urls import reverse
from django.utils.dates import MONTHS_3
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_ROW = (
    '<tr class="govuk-table__row">'
    '<td class="govuk-table__cell" data-label="Case">'
    '<a class="govuk-link" href="{url}">{reference}</a></td>'
    '<td class="govuk-table__cell" data-label="Child">{child}</td>'
    '<td class="govuk-table__cell" data-label="Born">{born}</td>'
    '<td class="govuk-table__cell" data-label="Lead agency">{lead_agency}</td>'
    '<td class="govuk-table__cell" data-label="Allocated to">{worker}</td>'
    '<td class="govuk-table__cell" data-label="Team">{team}</td>'
    '<td class="govuk-table__cell" data-label="Status">{status}</td>'
    "</tr>"
)
_NOT_ALLOCATED = '<strong class="govuk-tag govuk-tag--yellow">Not allocated</strong>'
_OPEN = '<strong class="govuk-tag govuk-tag--green">Open</strong>'
_CLOSED = '<strong class="govuk-tag govuk-tag--grey">Closed</strong>'
_NOTICE = '<li><a class="govuk-link" href="{url}">{reference}</a>, {agency}</li>'

_ANY = uuid.UUID(int=0)


def address_of(name: str) -> Callable[[Any], str]:
    """The page ``name``'s address for an object's id: reversed once (for
    this request's script prefix), then the id put in its place. A page of
    rows each linking to a record pays for one reverse, not one a row."""
    before, after = reverse(name, args=[_ANY]).split(str(_ANY))
    return lambda pk: f"{before}{pk}{after}"


@register.simple_tag
def case_list_rows(cases: Iterable) -> SafeString:
    """A ``<tr>`` for each case, as ``cases/case_list.html`` drew them. Dates
    as the ``date`` filter's "j M Y" ("4 Mar 2026")."""
    months = {number: str(name).title() for number, name in MONTHS_3.items()}
    url = address_of("case_detail")
    rows = []
    for case in cases:
        child = case.child
        born = child.date_of_birth
        worker = case.allocated_worker
        if worker is None:
            allocated = _NOT_ALLOCATED
        else:
            allocated = escape(worker.get_full_name() or worker.username)
        rows.append(
            _ROW.format(
                url=url(case.pk),
                reference=escape(case.reference),
                child=escape(child.full_name),
                born=f"{born.day} {months[born.month]} {born.year}" if born else "Not known",
                lead_agency=escape(case.lead_agency.name),
                worker=allocated,
                team=escape(case.team.name) if case.team is not None and case.team.name else "",
                status=_OPEN if case.status == "open" else _CLOSED,
            )
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - every value above is escaped


@register.simple_tag
def restricted_notice_items(notices: Iterable) -> SafeString:
    """An ``<li>`` for each restricted record the person is told exists."""
    url = address_of("case_detail")
    items = [
        _NOTICE.format(
            url=url(notice.pk),
            reference=escape(notice.reference),
            agency=escape(notice.lead_agency_name),
        )
        for notice in notices
    ]
    return mark_safe("".join(items))  # noqa: S308 - every value above is escaped
