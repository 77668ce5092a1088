"""One page of a case's chronology for the API, with the number of its entries.

The API's chronology asked three statements after the case itself: whether
the person sees it at the lead agency's level (``has_lead_access``), then the
paginator's count, then the page, each built by the ORM on every request.
Here the level is a condition of the entries' own statement (the lead's
grants, asked once for the statement, or an entry shared with the involved
agencies), and the count and the page are read together: on PostgreSQL one
statement, compiled once per process for each combination of filters
(``safeguard.core.compiled``), the person, the time, the case, the filters
and the slice bound to it.

Elsewhere (the SQLite demo) the same rule is read by the ORM, a count and a
page. Either way the entries are ``chronology_for``'s, in its order, at the
same level of access: only the number of statements differs.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from functools import partial
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import Exists, F, Q, QuerySet, Value
from django.utils import timezone

from cases.models import Case, ChronologyEntry
from cases.selectors.cases import User, _lead_access
from safeguard.core.compiled import compiled_rows

# What the API shows of an entry, the columns of each row in this order: its
# agency as columns of its own, all empty for an entry no agency made.
ENTRY_COLUMNS = (
    "id",
    "occurred_at",
    "agency_id",
    "agency_slug",
    "agency_name",
    "agency_kind",
    "kind",
    "title",
    "body",
    "visibility",
    "source_reference",
)
ORDER = ("-occurred_at", "-created_at")  # chronology_for's
# PostgreSQL's OFFSET is a bigint: a page number past any case's entries
# asks for this offset, and is answered with no rows (the paginator's 404).
_FURTHEST = 2**62


def chronology_page_for(
    user: User,
    case: Case,
    *,
    offset: int,
    limit: int,
    agency: str | None = None,
    kind: str | None = None,
) -> tuple[int, list[tuple]]:
    """How many of ``case``'s chronology entries ``user`` sees (of
    ``agency``, the slug, and of ``kind``, when given), and the ``limit``
    of them from ``offset`` in ``chronology_for``'s order, each a tuple of
    ``ENTRY_COLUMNS``. ``user`` has already been shown ``case``
    (``get_case_for``)."""
    if not user.is_authenticated or not user.is_active:
        return 0, []
    values: dict[str, Any] = {"person": user, "now": timezone.now(), "case": case.pk}
    if agency is not None:
        values["agency"] = agency
    if kind is not None:
        values["kind"] = kind
    offset = min(offset, _FURTHEST)
    if connection.vendor != "postgresql":
        entries = _entries(**values)
        rows = entries.order_by(*ORDER).values_list(*ENTRY_COLUMNS)[offset : offset + limit]
        return entries.count(), list(rows)
    key = ("chronology_page", agency is not None, kind is not None)
    found = compiled_rows(key, _count_and_page, **values, offset=offset, limit=limit)
    # One row at least: the count's, with no entry beside it past the last page.
    count = found[0][0]
    return count, [row[1:] for row in found if row[1] is not None]


def _entries(
    person: AbstractBaseUser,
    now: dt.datetime,
    case: uuid.UUID,
    agency: str | None = None,
    kind: str | None = None,
) -> QuerySet[ChronologyEntry]:
    # The lead's level as has_lead_access asks it, in the entries' statement:
    # it names no entry, so PostgreSQL asks it once for the statement.
    lead = Exists(_lead_access(person, case, now))
    entries = ChronologyEntry.objects.filter(
        Q(visibility=ChronologyEntry.Visibility.SHARED) | Q(lead), case_id=case
    )
    if agency is not None:
        entries = entries.filter(agency__slug=agency)
    if kind is not None:
        entries = entries.filter(kind=kind)
    return entries.annotate(
        agency_slug=F("agency__slug"), agency_name=F("agency__name"), agency_kind=F("agency__kind")
    )


def _count_and_page(
    person: AbstractBaseUser,
    now: dt.datetime,
    case: uuid.UUID,
    offset: int,
    limit: int,
    agency: str | None = None,
    kind: str | None = None,
) -> tuple[str, Sequence[Any]]:
    """The count, and beside it each entry of the page: a row with the count
    alone when the page has none. The count's single row is the outer side of
    the join, so the page's rows keep their order."""
    entries = partial(_entries, person, now, case, agency, kind)
    counted, counted_params = entries().order_by().values_list(Value(1)).query.sql_with_params()
    page = entries().order_by(*ORDER).values_list(*ENTRY_COLUMNS)
    page, page_params = page.query.sql_with_params()
    # The ORM's own SQL and this module's column names: no text from anyone.
    # The page's columns are named apart (the entry's ``kind`` and its
    # agency's are two): the ORM names the agency's after their annotations.
    sql = (
        f"SELECT counted.n, {', '.join(f'page.{c}' for c in ENTRY_COLUMNS)} "  # noqa: S608
        f"FROM (SELECT count(*) AS n FROM ({counted}) AS entries) AS counted "
        f"LEFT JOIN ({page} LIMIT %s OFFSET %s) AS page ON TRUE"
    )
    return sql, [*counted_params, *page_params, limit, offset]
