"""The oversight dashboard at a county's scale (issue 15): the page, its
drill-downs and the chair's conferences owed, as a lead agency's manager.

Run it against a database ``seed_scale`` filled:

    DATABASE_URL=postgres://.../safeguard_scale python bench/dashboard.py --write

Each page's p50/p95 over ``--iterations`` requests through the real URL, views
and middleware (Django's test Client, ``access_scale.measure``) and its number
of SQL queries. The dashboard is measured twice: with its timescale figures
counted now (no summary yet, as before issue 15's change and until the worker
first counts them) and with the figures the worker counted
(``oversight.summary``, whose refresh of every lead agency is timed too).
``--before`` measures a checkout without ``oversight.summary`` (the page only).
Figures, not assertions: ``--write`` puts them in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["TWO_FACTOR_REQUIRED"] = "false"

from bench import access_scale as shared  # noqa: E402 - sets Django up, as the other benches

# isort: split

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.results import replace_section  # noqa: E402
from safeguard.audit.services import audit_seal  # noqa: E402

TITLE = "Oversight dashboard at scale (issue 15)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=20)
    parser.add_argument("--user", default="manager@northshire-csc", help="a lead agency's manager")
    parser.add_argument("--before", action="store_true", help="a checkout without the summary")
    parser.add_argument("--write", action="store_true", help="replace the section in RESULTS.md")
    parser.add_argument("--note", default="", help="a line about the run (county, machine load)")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]

    user = get_user_model().objects.get(username=args.user)
    client = Client()
    client.force_login(user)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_case")
        total = cursor.fetchone()[0]
    month = f"{timezone.localdate().replace(day=1):%Y-%m}"
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        f"cases on record: {total:,}; as {args.user}; {args.iterations} requests a page; "
        f"load average at the start: {load}",
        f"{'page':<52}{'p50 ms':>8}{'p95 ms':>8}{'SQL':>6}",
    ]
    print("\n".join(lines), flush=True)

    def row(label: str, url: str) -> None:
        p50, p95, queries, _ = shared.measure(client, url, args.iterations)
        line = f"{label:<52}{p50 * 1000:>8.1f}{p95 * 1000:>8.1f}{queries:>6}"
        print(line, flush=True)
        lines.append(line)

    if args.before:
        row("dashboard (before: every figure counted per view)", "/dashboard/")
    else:
        from oversight.models import ComplianceFigure, ComplianceRefresh
        from oversight.summary import refresh

        ComplianceRefresh.objects.all().delete()
        ComplianceFigure.objects.all().delete()
        row("dashboard, figures counted now (none stored yet)", "/dashboard/")
        started = time.perf_counter()
        agencies = refresh()
        took = time.perf_counter() - started
        line = f"the worker's refresh of {agencies} lead agencies: {took:.1f} s"
        print(line, flush=True)
        lines.append(line)
        row("dashboard, figures the worker counted", "/dashboard/")
        row("drill-down: unallocated cases", "/dashboard/cases/?worker=none")
        row(f"drill-down: assessments {month}", f"/dashboard/timescales/assessments/?month={month}")
        row(
            f"drill-down: late decisions {month}",
            f"/dashboard/timescales/triage/?month={month}&outcome=late",
        )
        row(f"drill-down: visits {month}", f"/dashboard/timescales/visits/?month={month}")
        row("conferences due and late", "/dashboard/conferences/")
    audit_seal()  # the pages' own audit rows
    end = f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}"
    print(end)
    lines.append(end)
    if args.write:
        title = f"{TITLE}: {'before' if args.before else 'after'}"
        body = "\n".join(([args.note, ""] if args.note else []) + ["```", *lines, "```"])
        replace_section(title, body)


if __name__ == "__main__":
    main()
