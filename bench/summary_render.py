"""How long a PDF case summary takes to render, and how much memory, as the
chronology grows: cases with 10, 100 and 1,000 chronology entries, rendered
in-process by the same function the worker uses (summaries.pdf).

    .venv/bin/python bench/summary_render.py            # a throwaway SQLite database
    DATABASE_URL=postgres://... .venv/bin/python bench/summary_render.py

Prints, per case: entries, pages, seconds (best of the runs), the peak of
Python allocations during one render (tracemalloc) and the process's peak
resident memory so far (getrusage; it only grows, so read it as a ceiling).
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SIZES = (10, 100, 1000)
RUNS = 3
BODY = (
    "Home visit. Amelia was seen alone in her bedroom and said school is going better; "
    "mother reported that the father has not visited since the last core group. "
    "The home was warm and there was food in the cupboards. Next visit agreed for next week."
)


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown RAM"
    try:
        kib = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        ram = f"{kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, IndexError, ValueError):
        pass
    return f"{cpu}, {os.cpu_count()} cores, {ram}, Python {platform.python_version()}"


def setup_django(workdir: Path) -> None:
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    os.environ.setdefault("MEDIA_ROOT", str(workdir / "media"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguard.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build_case(world, entries: int):
    from cases.models import ChronologyEntry
    from tests.factories import open_case_from_concern, submit_concern

    concern = submit_concern(world, child_first_name="Amelia", child_last_name=f"Bench{entries}")
    case = open_case_from_concern(world, concern)
    start = dt.datetime(2024, 1, 1, 9, tzinfo=dt.UTC)
    agencies = [world.la, world.school, world.police]
    ChronologyEntry.objects.bulk_create(
        [
            ChronologyEntry(
                case=case,
                occurred_at=start + dt.timedelta(hours=7 * i),
                agency=agencies[i % 3],
                kind=ChronologyEntry.Kind.NOTE,
                title=f"Home visit {i + 1}",
                body=BODY,
            )
            for i in range(entries)
        ],
        batch_size=500,
    )
    return case


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="safeguard-bench-") as tmp:
        setup_django(Path(tmp))
        import weasyprint
        from django.db import connection

        from cases.selectors import get_case_for
        from summaries.pdf import render_summary_pdf
        from tests.factories import World

        print(f"machine: {machine()}")
        print(f"database: {connection.vendor}; WeasyPrint {weasyprint.__version__}")
        world = World()
        print(f"{'entries':>8} {'pages':>6} {'seconds':>8} {'py peak MiB':>12} {'maxrss MiB':>11}")
        for size in SIZES:
            case = get_case_for(world.manager, build_case(world, size).pk, audit=False)
            entries = case.chronology.count()
            timings = []
            for _ in range(RUNS):
                started = time.perf_counter()
                result = render_summary_pdf(user=world.manager, case=case, audit_reference="bench")
                timings.append(time.perf_counter() - started)
            tracemalloc.start()
            render_summary_pdf(user=world.manager, case=case, audit_reference="bench")
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            maxrss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"{entries:>8} {result.page_count:>6} {min(timings):>8.2f} "
                f"{peak / 1024 / 1024:>12.1f} {maxrss_mib:>11.0f}"
            )


if __name__ == "__main__":
    main()
