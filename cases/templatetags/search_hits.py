"""The search page's results, written in Python.

A name or a postcode finds up to 20 children, each a GOV.UK summary card of
seven facts. Through the template language each card was an include with two
``{% url %}`` reverses, three ``date`` filters and some forty variable
lookups: about half of the page's Python for a name search at a county's
scale. Here a card is a few format strings, and the case and concern pages'
addresses are reversed once per page. The markup is the template's, card for
card; tests/cases/test_search_hits_render.py holds the two side by side.

The hits come from ``cases.selectors.search.search``, which has already
applied the access rule (a hit's cases and plans are the ones the person
sees): this writes what it is given and decides nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from html import escape  # what django.utils.html.escape calls, without its lazy wrapper
from typing import Any

from django import template
from django.urls import get_script_prefix, get_urlconf
from django.utils.dates import MONTHS, MONTHS_3
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from cases.templatetags.case_rows import address_of

register = template.Library()

_CARD = (
    '<div class="govuk-summary-card" data-testid="search-hit">'
    '<div class="govuk-summary-card__title-wrapper">'
    '<h2 class="govuk-summary-card__title">{title}</h2>{action}</div>'
    '<div class="govuk-summary-card__content"><dl class="govuk-summary-list">{rows}</dl></div>'
    "</div>"
)
_ACTION = (
    '<ul class="govuk-summary-card__actions"><li class="govuk-summary-card__action">'
    '<a class="govuk-link" href="{url}">{text}</a></li></ul>'
)
_ROW = (
    '<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">{key}</dt>'
    '<dd class="govuk-summary-list__value">{value}</dd></div>'
)


def _person(user: Any) -> str:
    """``get_full_name|default:username``."""
    return escape(user.get_full_name() or user.username)


class _Dates:
    """The ``date`` filter's "j F Y" and "j M Y", month names translated once."""

    def __init__(self) -> None:
        self.long = {number: str(name) for number, name in MONTHS.items()}
        self.short = {number: str(name).title() for number, name in MONTHS_3.items()}

    def full(self, day) -> str:
        return f"{day.day} {self.long[day.month]} {day.year}"

    def abbreviated(self, day) -> str:
        return f"{day.day} {self.short[day.month]} {day.year}"


def _title_and_action(hit: Any, case: Any, urls: dict[str, Callable[[Any], str]]) -> tuple:
    child, concern = hit.child, hit.concern
    title = escape(child.full_name) if child else f"Concern {escape(concern.reference)}"
    action = ""
    if case:
        action = _ACTION.format(
            url=urls["case"](case.pk),
            text=f'Open case {escape(case.reference)}<span class="govuk-visually-hidden">'
            f" for {escape(child.full_name) if child else ''}</span>",
        )
    elif concern:
        action = _ACTION.format(
            url=urls["concern"](concern.pk), text=f"Open concern {escape(concern.reference)}"
        )
    return title, action


def _case_fact(open_case: Any, case: Any) -> str:
    if open_case:
        worker = open_case.allocated_worker
        allocated = f"allocated to {_person(worker)}" if worker else "not allocated"
        return f"Open: {escape(open_case.reference)}, {allocated}"
    if case:
        return f"Closed: {escape(case.reference)}"
    return "No case you can see"


def _plans_fact(plans: list, dates: _Dates) -> str:
    if not plans:
        return "No current plan you can see"
    return "<br>".join(
        f"{escape(plan.get_kind_display())}"
        + (f" ({escape(plan.get_category_display())})" if plan.category else "")
        + f" since {dates.abbreviated(plan.start_date) if plan.start_date else ''}"
        for plan in plans
    )


def _why(hit: Any) -> str:
    """``reasons|join:"; "|capfirst``, then the strength's tag."""
    why = "; ".join(escape(reason) for reason in hit.reasons)
    why = why[:1].upper() + why[1:]
    if hit.strength:
        why += f' <strong class="govuk-tag govuk-tag--grey">{escape(hit.strength)}</strong>'
    return why


def _card(hit: Any, urls: dict[str, Callable[[Any], str]], dates: _Dates) -> str:
    case, open_case, lead_agency = hit.case, hit.open_case, hit.lead_agency
    child, concern = hit.child, hit.concern
    title, action = _title_and_action(hit, case, urls)
    rows = []
    if child:
        born = child.date_of_birth
        age = escape(hit.age) + (f" (born {dates.full(born)})" if born else "")
        rows += [_ROW.format(key="Child reference", value=escape(child.reference))]
        rows += [_ROW.format(key="Age", value=age)]
    agency = escape(lead_agency.name) if lead_agency and lead_agency.name else "Not recorded"
    rows += [
        _ROW.format(key="Lead agency", value=agency),
        _ROW.format(key="Case", value=_case_fact(open_case, case)),
        _ROW.format(key="Plan", value=_plans_fact(hit.plans, dates)),
    ]
    if concern:
        value = (
            f"{escape(concern.reference)}: {escape(concern.get_status_display())}, "
            f"{escape(concern.lead_agency.name)}"
        )
        rows.append(_ROW.format(key="Concern", value=value))
    rows.append(_ROW.format(key="Why it matched", value=_why(hit)))
    return _CARD.format(title=title, action=action, rows="".join(rows))


# The month names of each language, and the pages' addresses for each script
# prefix and URL configuration: the same for every page that asks with them.
@lru_cache(maxsize=16)
def _dates_in(language: str | None) -> _Dates:
    return _Dates()


@lru_cache(maxsize=16)
def _addresses(prefix: str, urlconf: Any) -> dict[str, Callable[[Any], str]]:
    return {"case": address_of("case_detail"), "concern": address_of("concern_detail")}


@register.simple_tag
def search_hits(hits: Iterable) -> SafeString:
    """A summary card for each hit, as ``cases/includes/search_hit.html`` drew them."""
    urls = _addresses(get_script_prefix(), get_urlconf())
    dates = _dates_in(get_language())
    return mark_safe("".join(_card(hit, urls, dates) for hit in hits))  # noqa: S308 - escaped
