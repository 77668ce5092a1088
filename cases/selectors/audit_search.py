"""The rows of the audit log an auditor may search (the audit search page and
its API): about their authority's cases, or made by members of their agencies.
Nobody else reaches the audit search.

Written for a county's log, ten million rows read newest first a page at a
time. Each part of the rule is asked the way its rows are found fastest:

- made by today's members, or by anyone who acted as one then: the actor
  columns' indexes (``user_id``, and the agencies each row's actor belonged to,
  ``acting_for``), so a school's few thousand rows are found without walking
  the log;
- about the authority's cases: when it leads few, their ids, read off the
  ``case_id`` index; when it leads many (a county's authority leads nearly
  every case, and nearly every row is its), each row's case is looked up as
  the log is walked newest first, which finds a page within a few rows.
  Asked as a set instead, PostgreSQL hashed a million case ids, or with too
  little memory for that, scanned them once for every row (17 s a page).

An auditor whose rows are few (a school's few thousand) has them read off
those indexes and sorted (``AuditSearch.reader``) rather than found by
walking the log in the page's order. PostgreSQL guesses that a school's rows
lie evenly along the log, so it walks: but a school that joined last year has
all of its rows at the newest end, and "oldest first" then walked the whole
log to fill a page (0.8 s for a school with a handful of rows).
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from functools import reduce

from django.db import connection
from django.db.models import BigIntegerField, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from agencies.models import Membership
from agencies.roles import Role
from agencies.selectors import agencies_where
from cases.models import Case
from cases.selectors import cases as case_rules
from cases.selectors.cases import User
from cases.selectors.many import remember_many, remembered_many
from safeguard.audit.models import AuditEvent, acting_for
from safeguard.core.keyset import Fetch
from safeguard.core.lookups import one_of

# What ``cases.selectors.many`` remembers an auditor's authority to lead many
# of, and an auditor to have many rows of.
AUDITED_CASES = "audited cases"
AUDIT_ROWS = "audit rows"
# Up to this many rows, an auditor's pages are read off the indexes and
# sorted: ten thousand rows sort in milliseconds wherever they lie in the log.
FEW_ROWS = 10_000


@dataclass(frozen=True)
class AuditSearch:
    """What an auditor may search, and how a page of it is read."""

    rows: QuerySet[AuditEvent]
    # Few enough rows to read them all off their indexes and sort them.
    few: bool

    def reader(self, narrowed: QuerySet[AuditEvent]) -> Fetch | None:
        """A ``keyset_page`` fetch for a page of ``narrowed`` (these rows,
        filtered): ``None`` walks the log in the page's order."""
        return _read_and_sort(narrowed) if self.few else None


def audit_search_for(user: User) -> AuditSearch:
    """The rows ``user`` may search as an auditor (``audit_rows_for``) and
    whether they are few (404 for anyone who is not one)."""
    rows, parts = _audit_rule(user)
    if parts is None or remembered_many(user, AUDIT_ROWS):
        return AuditSearch(rows, few=False)
    # Found many, they are not counted again for a while: it only chooses how
    # a page is read, never which rows it holds.
    few = _rows_up_to(parts, FEW_ROWS) <= FEW_ROWS
    remember_many(user, [] if few else None, AUDIT_ROWS)
    return AuditSearch(rows, few=few)


def audit_rows_for(user: User) -> QuerySet[AuditEvent]:
    """Audit rows ``user`` may search as an auditor, newest first (404 for
    anyone who is not one)."""
    return _audit_rule(user)[0]


def _rows_up_to(parts: list[Q], bound: int) -> int:
    """The rows each of ``parts`` finds, each counted up to ``bound`` + 1 and
    added up (at least the rows of them all), in one statement; past the
    bound after the first part, the others are not counted.

    Each part alone, not the rule: its count is read off its own index and
    stops at the bound whatever PostgreSQL guesses. Counted as one ``OR``, the
    plan it keeps for the statement guesses that most of the log matches a
    list of members, so walks the log to stop at the bound, and for a school
    with 300 rows at its newest end, read all of it (0.66 s)."""
    counts: list[tuple[str, tuple]] = []
    for part in parts:
        rows = AuditEvent.objects.filter(part).order_by().values("pk")[: bound + 1]
        sql, params = rows.query.sql_with_params()
        counts.append((f"(SELECT COUNT(*) FROM ({sql}) part)", params))  # noqa: S608 - the ORM's
    (first, first_params), rest = counts[0], counts[1:]
    # The rest are subqueries PostgreSQL runs only if the CASE reaches them: a
    # police force's members alone pass the bound (1 ms), where counting the
    # rows acting for it as well read 70,000 rows of the log (27 ms).
    others = " + ".join(sql for sql, _ in rest) or "0"
    sql = f"SELECT n + CASE WHEN n > %s THEN 0 ELSE {others} END FROM (SELECT {first} AS n) seen"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [bound, *(p for _, params in rest for p in params), *first_params])
        return cursor.fetchone()[0]


def _read_and_sort(rows: QuerySet[AuditEvent]) -> Fetch:
    # ``id + 0`` sorts as ``id`` does but is no column of an index, so the
    # rows are found through the indexes of the rule's parts and then sorted
    # (a few thousand at most), never by walking the primary key's index.
    sortable = rows.alias(log_order=ExpressionWrapper(F("id") + 0, output_field=BigIntegerField()))

    def fetch(order: list[str], boundary: list | None, forward: bool, limit: int) -> list:
        if [name.lstrip("-") for name in order] != ["id"]:
            raise ValueError(f"the audit log is read in the order of its ids, not {order}")
        descending = order[0].startswith("-")
        page = sortable
        if boundary is not None:
            page = page.filter(**{"log_order__lt" if descending else "log_order__gt": boundary[0]})
        return list(page.order_by("-log_order" if descending else "log_order")[:limit])

    return fetch


def _audit_rule(user: User) -> tuple[QuerySet[AuditEvent], list[Q] | None]:
    """The rows, newest first, and the parts of the rule each read off its
    own index (``None``: the rows can only be walked, each row's case looked
    up as it is read)."""
    # The auditor's agencies with every member of them, in one read: as
    # values, so each part below is read off its index (a subquery of the
    # members could only be hashed and tested row by row along the log).
    audited = list(
        Membership.objects.filter(agency__in=agencies_where(user, roles=[Role.AUDITOR]))
        .values_list("agency_id", "agency__slug", "user_id")
        .distinct()
    )
    if not audited:
        raise Http404
    ids = sorted({agency for agency, _, _ in audited})
    slugs = sorted({slug for _, slug, _ in audited})
    # Made by their members: today's, and anyone who acted as one then (a
    # membership an operator has since removed no longer names them).
    members, acted = one_of({person for _, _, person in audited}, "user__pk"), acting_for(slugs)
    rows = AuditEvent.objects.all()
    # The agencies' ids as values, not a subquery: PostgreSQL then knows a
    # police force leads no case, rather than guessing it leads the average.
    led = (
        Case.objects.filter(lead_agency_id__in=ids)
        .order_by()
        .values_list("pk", flat=True)[: case_rules.FEW + 1]
    )
    # Whether few or many only chooses how the rows are found, never which.
    if remembered_many(user, AUDITED_CASES):
        few = None
    else:
        found = list(led)
        few = remember_many(user, found if len(found) <= case_rules.FEW else None, AUDITED_CASES)
    if few is not None:
        parts = [members, acted, *([one_of(few, "case_id")] if few else [])]
        return rows.filter(reduce(operator.or_, parts)).order_by("-id"), parts
    # Each row's own case, looked up as the log is walked: a correlated
    # subquery, which PostgreSQL does not turn into a hash of every case.
    lead = Case.objects.filter(pk=OuterRef("case_id")).values("lead_agency_id")[:1]
    rows = rows.alias(case_lead=Subquery(lead))
    return rows.filter(members | acted | Q(case_lead__in=ids)).order_by("-id"), None
