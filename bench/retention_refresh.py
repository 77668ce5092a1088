"""How long the retention queue's refresh and one page of the queue take.

Builds, in bulk, BENCH_CHILDREN children (default 100,000) of one council,
each with one case: a tenth closed 36 years ago after a child protection plan
(due), a tenth closed 30 years ago after one (not due), the rest child in need
cases of children born 10 to 30 years ago, closed (about a fifth of those past
their 25th birthday). Then runs the refresh as beat runs it, twice (the second
must change nothing), and reads the first and a later page of the queue.

Uses a throwaway SQLite database, or DATABASE_URL if set (it must be an empty
database you can spare: it is migrated and filled). Figures, not assertions.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
if not os.environ.get("DATABASE_URL"):
    database = Path(tempfile.mkdtemp()) / "bench.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguard.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from agencies.models import Agency  # noqa: E402
from agencies.services import membership_add  # noqa: E402
from cases.models import Case, Child, Plan  # noqa: E402
from retention.models import RetentionReview  # noqa: E402
from retention.selectors import review_queue  # noqa: E402
from retention.services import retention_refresh  # noqa: E402

CHILDREN = int(os.environ.get("BENCH_CHILDREN", "100000"))
BATCH = 5_000


def years_ago(now: dt.datetime, years: int) -> dt.datetime:
    return now.replace(year=now.year - years, month=6, day=1)


def build(lead: Agency) -> None:
    rng = random.Random(2026)
    now = timezone.now()
    for start in range(0, CHILDREN, BATCH):
        children, cases, plans = [], [], []
        for i in range(start, min(start + BATCH, CHILDREN)):
            child = Child(
                id=uuid.uuid4(),
                reference=f"CHI-B-{i:07d}",
                lead_agency=lead,
                first_name=f"First{i}",
                last_name=f"Last{i}",
                date_of_birth=dt.date(now.year - rng.randint(10, 30), 1 + i % 12, 1 + i % 28),
            )
            children.append(child)
            kind = i % 10
            closed = years_ago(now, 36 if kind == 0 else 30 if kind == 1 else rng.randint(1, 8))
            case = Case(
                id=uuid.uuid4(),
                reference=f"CAS-B-{i:07d}",
                child=child,
                lead_agency=lead,
                status=Case.Status.CLOSED,
                opened_at=closed - dt.timedelta(days=300),
                closed_at=closed,
            )
            cases.append(case)
            if kind in (0, 1):
                plans.append(
                    Plan(
                        case=case,
                        kind=Plan.Kind.CHILD_PROTECTION,
                        category="NEG",
                        start_date=(closed - dt.timedelta(days=200)).date(),
                        end_date=closed.date(),
                    )
                )
        Child.objects.bulk_create(children)
        Case.objects.bulk_create(cases)
        Plan.objects.bulk_create(plans)


def main() -> None:
    call_command("migrate", verbosity=0)
    lead = Agency.objects.create(slug="bench-csc", name="Bench CSC", kind="social_care")
    auditor = get_user_model().objects.create(username="auditor@bench-csc")
    membership_add(acting_user=None, user=auditor, agency=lead, role="auditor")
    started = time.perf_counter()
    build(lead)
    built = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    started = time.perf_counter()
    first = retention_refresh()
    first_s = time.perf_counter() - started
    started = time.perf_counter()
    second = retention_refresh()
    second_s = time.perf_counter() - started
    due = RetentionReview.objects.count()

    timings = []
    after = None
    for _ in range(3):
        started = time.perf_counter()
        rows = review_queue(auditor, lead, after=after)
        timings.append((time.perf_counter() - started) * 1000)
        after = (rows[-2].due_on, rows[-2].pk) if len(rows) > 1 else None

    print("```")
    print(f"{platform.python_version()} on {connection.vendor}, {os.cpu_count()} cores")
    print(f"built {CHILDREN:,} children with one closed case each in {built:.1f} s")
    print(f"first refresh: {first_s:.1f} s; {first:,} records past their date ({due:,} in queue)")
    print(f"second refresh: {second_s:.1f} s; {second:,} rows upserted, unchanged")
    print("queue pages of 50 (first, second, third): " + ", ".join(f"{t:.1f} ms" for t in timings))
    print("```")


if __name__ == "__main__":
    main()
