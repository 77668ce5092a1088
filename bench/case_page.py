"""The case page of a long case (issue 15): server time for each person, on a
database ``seed_scale`` filled (its case with a 1,000-entry chronology).

    DATABASE_URL=postgres://.../safeguard_x python bench/case_page.py --write --label after

For each person: p50 and p95 of the wall-clock time and the p50 of the
process's CPU time (Python's share: the ORM, the templates; the wall clock adds
PostgreSQL's), the SQL statements and the page's size, through the real URL,
view and middleware with Django's test client. The CPU figure is the one to
compare between runs on a shared machine: the wall clock waits on every other
process. ``--label`` names the run ("before", "after"); each label keeps its
own section in bench/RESULTS.md. Figures, not assertions.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["TWO_FACTOR_REQUIRED"] = "false"

from bench import access_scale as shared  # noqa: E402, F401 - sets Django up

# isort: split

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.results import replace_section  # noqa: E402
from bench.scale import long_case_for  # noqa: E402
from cases.models import Case  # noqa: E402
from safeguard.audit.services import audit_seal  # noqa: E402

PERSONAS = [
    ("social_worker@northshire-csc", "lead social worker"),
    ("practitioner@northshire-health", "health practitioner (shared entries only)"),
]


def measure(client: Client, url: str, runs: int) -> tuple[float, float, float, int, int]:
    client.get(url)  # warm: templates, the plan, the connection
    walls, cpus, queries, size = [], [], 0, 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            wall, cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        assert response.status_code == 200, (url, response.status_code)
        queries, size = len(captured), len(response.content)
    walls.sort()
    return (
        statistics.median(walls),
        walls[max(int(len(walls) * 0.95) - 1, 0)],
        statistics.median(cpus),
        queries,
        size,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--label", default="after", help="the run's name (before, after)")
    parser.add_argument("--write", action="store_true", help="replace the label's section")
    parser.add_argument("--note", default="", help="a line about the run (machine load)")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    settings.TWO_FACTOR_REQUIRED = False
    settings.AXES_ENABLED = False

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = [
        f"{'person':<44}{'entries':>8}{'p50 ms':>8}{'p95 ms':>8}{'cpu ms':>8}{'SQL':>5}{'KB':>6}"
    ]
    print(lines[0], flush=True)
    for username, label in PERSONAS:
        user = get_user_model().objects.get(username=username)
        case, entries = long_case_for(user)
        client = Client()
        client.force_login(user)
        p50, p95, cpu, queries, size = measure(client, f"/cases/{case.pk}/", args.runs)
        row = (
            f"{label:<44}{entries:>8,}{p50 * 1000:>8.1f}{p95 * 1000:>8.1f}{cpu * 1000:>8.1f}"
            f"{queries:>5}{size // 1024:>6}"
        )
        print(row, flush=True)
        lines.append(row)
    audit_seal()  # the pages wrote audit rows; seal them as the app's beat would
    lines.append(
        f"runs: {args.runs} each after one to warm up; cases on record: "
        f"{Case.objects.count():,}; load average at the start: {load}"
    )
    if args.write:
        machine = (
            f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}, PostgreSQL on the same machine, "
            f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}."
        )
        body = "\n".join([machine, args.note, "", "```", *lines, "```"])
        replace_section(f"bench/case_page.py: a 1,000-entry case page, {args.label}", body)


if __name__ == "__main__":
    main()
