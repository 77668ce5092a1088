"""How many open cases each worker holds, and how many wait for one, without
counting a county's open cases on every view of the dashboard.

Counting them live read every open case of the agency (178,000 at a million
cases: 45 ms of the dashboard's PostgreSQL, and the unallocated count 8 more).
On PostgreSQL a trigger on ``cases_case`` (``oversight/migrations/0002``)
appends to ``OpenCaseCount``, in the transaction that changes the case, -1
for where an open, unrestricted case was (lead agency, allocated worker) and
+1 for where it is now. The count for a key is the sum of its rows: exact
and current as of the reader's snapshot, with nothing to refresh. Appending
rather than updating one counter row means two people allocating cases at
once never wait on each other, and cannot deadlock by taking two counters in
opposite orders; the beat folds each key's rows into one (``compact``).

Only unrestricted cases are counted here: every manager of the agency sees
those alike. Restricted cases are few (a few hundred open in a county) and
who sees them is the access rule's to say, so the dashboard counts them live
(``oversight.selectors.open_case_counts``).

SQLite (the demo) has no trigger and counts live: its counts come from
``open_case_counts``' other branch.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import Sum

from oversight.models import OpenCaseCount

# The row trigger that appends (oversight/migrations/0002_open_case_count.py).
OPEN_CASE_TRIGGER = "open_case_count_written"
# pg_advisory_xact_lock's key for folding (two beats at once take turns).
_COMPACT_LOCK = 0x0C0A_5E10


def counted() -> bool:
    """Whether the database keeps the counts (PostgreSQL) or they are counted live."""
    return connection.vendor == "postgresql"


def unrestricted_open(agency_ids: list, *, allocated: bool) -> dict[tuple, int]:
    """(lead agency id, worker id or None) -> open unrestricted cases, from
    the kept counts: those allocated to someone, or (``allocated=False``)
    those allocated to nobody."""
    rows = (
        OpenCaseCount.objects.filter(lead_agency_id__in=agency_ids, worker_id__isnull=not allocated)
        .values("lead_agency_id", "worker_id")
        .annotate(n=Sum("cases"))
        .exclude(n=0)
        .order_by()
    )
    return {(row["lead_agency_id"], row["worker_id"]): row["n"] for row in rows}


def compact() -> int:
    """Fold every key's rows into one (dropping keys that sum to nothing), in
    one statement: a reader sees the rows before or after, never half. Rows
    appended while it runs are not in its snapshot, so they are neither
    deleted nor lost. Returns how many rows there were."""
    if not counted():
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_COMPACT_LOCK])
        cursor.execute(
            """
            WITH folded AS (DELETE FROM oversight_opencasecount RETURNING *),
            kept AS (
                INSERT INTO oversight_opencasecount (lead_agency_id, worker_id, cases)
                SELECT lead_agency_id, worker_id, sum(cases) FROM folded
                GROUP BY lead_agency_id, worker_id HAVING sum(cases) <> 0
            )
            SELECT count(*) FROM folded
            """
        )
        return cursor.fetchone()[0]


def rebuild(cursor) -> None:
    """Count again from the cases, for a bulk load that wrote them with the
    trigger off (``seed_scale``). Under a lock that lets cases be read but not
    changed, so no change falls between the count and what it replaces."""
    cursor.execute("LOCK TABLE cases_case IN SHARE MODE")
    cursor.execute("DELETE FROM oversight_opencasecount")
    cursor.execute(
        """
        INSERT INTO oversight_opencasecount (lead_agency_id, worker_id, cases)
        SELECT lead_agency_id, allocated_worker_id, count(*) FROM cases_case
        WHERE status = 'open' AND NOT is_restricted GROUP BY 1, 2
        """
    )
