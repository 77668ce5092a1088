"""Server time of two pages a social worker uses all day (issue 14 item 9):
the case page, and arranging a meeting (the form, and sending it), on the
Northshire demo, through Django's test client (no network, no browser: the
server's own time, middleware and templates included).

    .venv/bin/python bench/journeys.py                  # a throwaway SQLite demo
    DATABASE_URL=postgres://... .venv/bin/python bench/journeys.py [--write]

Against DATABASE_URL the demo must already be seeded (``manage.py seed_demo``);
each POST arranges a real meeting on the demo's first case (and writes what
arranging one writes: invitations, notifications, audit rows). Prints p50 and
p95 over the runs and the queries of one request; ``--write`` puts them in
bench/RESULTS.md with the machine and its load (``uptime``): the machine may
be shared, so the load is part of the figure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RUNS = 30
WARM = 3
CASE = "CAS-2026-000001"  # the demo's child on a protection plan: meetings, actions, chronology
USER = "social_worker@northshire-csc"


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def _setup(workdir: Path) -> str:
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    os.environ.setdefault("MEDIA_ROOT", str(workdir / "media"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguard.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["*"]
    settings.TWO_FACTOR_REQUIRED = False  # measured: the page, not the second factor
    settings.AXES_ENABLED = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    if os.environ["DATABASE_URL"].startswith("sqlite:///" + str(workdir)):
        call_command("migrate", verbosity=0)
        call_command("seed_demo", verbosity=0)
    return engine


def _measure(client, method: str, url: str, data_for=None) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def once() -> float:
        start = time.perf_counter()
        if method == "GET":
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        else:
            response = client.post(url, data_for())
            assert response.status_code == 302, (url, response.status_code)
        return time.perf_counter() - start

    for _ in range(WARM):
        once()
    times = [once() for _ in range(RUNS)]
    with CaptureQueriesContext(connection) as queries:
        once()
    return times, len(queries.captured_queries)


def _arrange_data(case, chair, agencies, day: dt.date):
    counter = iter(range(10_000))

    def data() -> dict:
        # A different hour each time: the same child may not have two at once.
        n = next(counter)
        return {
            "cases": [str(case.pk)],
            "chair": str(chair.pk),
            "scheduled_on_0": day.day,
            "scheduled_on_1": day.month,
            "scheduled_on_2": day.year,
            "scheduled_time": f"{8 + n % 10:02d}:{(n // 10) % 60:02d}",
            "format": "in_person",
            "location": "Civic Centre, room 2",
            "invite": [str(a.pk) for a in agencies],
            "purpose": "Benchmark: arranging a meeting",
        }

    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="write into bench/RESULTS.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        engine = _setup(Path(tmp))
        from django.contrib.auth import get_user_model
        from django.test import Client
        from django.utils import timezone

        from cases.models import Case
        from meetings.selectors import agencies_on_the_case
        from meetings.services import chairs_for
        from safeguard import workdays

        case = Case.objects.get(reference=CASE)
        client = Client()
        client.force_login(get_user_model().objects.get(username=USER))
        today = timezone.localdate()
        day = workdays.add_working_days(today, 20)
        chair = chairs_for(case.lead_agency).first()
        agencies = [a for a in agencies_on_the_case([case]) if a.pk != case.lead_agency_id][:3]
        arrange = f"/cases/{case.pk}/meetings/new/mdt/"
        rows = [
            ("case page, GET", *_measure(client, "GET", f"/cases/{case.pk}/")),
            ("arrange a meeting, GET", *_measure(client, "GET", arrange)),
            (
                "arrange a meeting, POST",
                *_measure(client, "POST", arrange, _arrange_data(case, chair, agencies, day)),
            ),
        ]
        # What `uptime` prints: the run queue over 1, 5 and 15 minutes.
        load = "load average: " + ", ".join(f"{x:.2f}" for x in os.getloadavg())
        lines = [
            f"{'page':<26}{'p50 ms':>8}{'p95 ms':>8}{'queries':>9}",
            *(
                f"{name:<26}{statistics.median(t) * 1000:>8.0f}"
                f"{_percentile(t, 95) * 1000:>8.0f}{n:>9}"
                for name, t, n in rows
            ),
            f"runs: {RUNS} each after {WARM} to warm up; database: {engine}; case {CASE} as {USER}",
            load,
        ]
        print("\n".join(lines))
        if args.write:
            from bench.results import replace_section
            from bench.summary_render import machine

            replace_section(
                "bench/journeys.py: the case page and arranging a meeting",
                f"Machine: {machine()}, {engine}, {today}. The machine is "
                "shared with other engineers' test runs: read the figures with the load "
                "average below (a load above the 2 cores inflates every figure).\n\n"
                "```\n" + "\n".join(lines) + "\n```\n\n"
                "Server time through Django's test client (middleware, views, templates, "
                "database; no network). The target is 300 ms at rest for each page; the "
                "query counts are held constant by tests "
                "(tests/cases/test_case_page_queries.py).",
            )


if __name__ == "__main__":
    main()
