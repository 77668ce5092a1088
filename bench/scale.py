"""A county at scale (issue 15): lists, search, a long case, and mixed load.

Run it against a database ``seed_scale`` filled (it reads, but for the audit
rows each page writes, which it seals at the end):

    DATABASE_URL=postgres://.../safeguard_scale python bench/scale.py --write

For people who see about 100, 10,000, 100,000 and (at a million children)
1,000,000 cases, in one run, each page side by side with

- the **floor**: the best hand-written SQL for the same rows (access_scale's
  forms, plus the case page's and chronology's), p50;
- **guardian**: ``get_objects_for_user(user, "cases.view_case")`` asked for
  the same rows (the case list's page, the search's children, the case), p50;

and the page's p50 over each as ratios. Pages: the case list (first page, and
a deep one reached by following ``next`` ``--deep`` times), search by name,
NHS number, postcode and case reference, the case page of a long case (the
seed's 1,000-entry chronology where the person sees it, else their case with
the longest), and the chronology API for it. Then a bounded mixed load: those
pages for all four people at once, from ``--clients`` clients against
gunicorn with ``--workers`` workers (3, production's ``WEB_CONCURRENCY``) for
``--seconds`` (bench/concurrency.py's server and clients), with requests a
second, p50/p95 and errors.

Timings are through the real URLs, views and middleware with Django's test
Client (access_scale.py's machinery: ``measure``, ``resolve``, its floors).
Two-factor sign-in is off for the run. ``--dashboard URL`` adds the oversight
dashboard (issue 15, item 4) as one more page, with no floor, once it exists.
Figures, not assertions.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["TWO_FACTOR_REQUIRED"] = "false"  # for the gunicorn of the mixed run too

from bench import access_scale as shared  # noqa: E402 - sets Django up, as the other benches

# isort: split

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, Q  # noqa: E402
from django.test import Client  # noqa: E402
from guardian.shortcuts import get_objects_for_user  # noqa: E402

from bench import concurrency, machine  # noqa: E402
from bench.results import replace_section  # noqa: E402
from cases.models import Case, ChronologyEntry  # noqa: E402
from cases.selectors.cases import cases_for  # noqa: E402
from safeguard.audit.services import audit_seal  # noqa: E402

# About 100, 10,000, 100,000 and 1,000,000 cases at a million children
# (access_scale's people).
PERSONAS = [
    ("practitioner@hillside-primary", "school practitioner"),
    ("practitioner@northshire-health", "health practitioner"),
    ("practitioner@northshire-police", "police practitioner"),
    ("social_worker@northshire-csc", "lead social worker"),
]
SEARCHES = ["name", "nhs_number", "postcode", "reference"]
# Search reads references as the demo writes them (CAS-2026-000001):
# seed_scale's own (CAS-S26-00000001) are not in that form.
SEARCHABLE_REFERENCE = r"^CAS-\d{4}-\d{1,6}$"
LONG_CASE_NOTE = "Case note: phone call with the family"
LIMIT = 25
MIXED_PORT = 8797  # not concurrency.py's, so the two can run side by side

CHRONOLOGY_FLOOR = """
    SELECT c.id, c.reference, ch.first_name, ch.last_name FROM cases_case c
    JOIN cases_child ch ON ch.id = c.child_id WHERE c.id = %(case)s AND {visible};
    SELECT e.id, e.occurred_at, e.kind, e.title, e.body, e.visibility, a.name, u.username
    FROM cases_chronologyentry e LEFT JOIN agencies_agency a ON a.id = e.agency_id
    LEFT JOIN auth_user u ON u.id = e.created_by_id
    WHERE e.case_id = %(case)s {shared}
    ORDER BY e.occurred_at DESC, e.created_at DESC {limit}"""


def _ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.1f}"


def _ratio(a: float, b: float | None) -> str:
    return "-" if not b else f"{a / b:.1f}"


def timed(fn, iterations: int) -> float:
    times = []
    for _ in range(iterations):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def guardian_cases(user):
    """guardian's own answer to "which cases may this person see"."""
    return get_objects_for_user(user, "cases.view_case", klass=Case, accept_global_perms=False)


def guardian_list(user, boundary: tuple | None):
    rows = guardian_cases(user).select_related("child", "lead_agency", "allocated_worker")
    if boundary:
        at, pk = boundary
        rows = rows.filter(Q(updated_at__lt=at) | Q(updated_at=at, pk__lt=pk))
    return lambda: list(rows.order_by("-updated_at", "-id")[:LIMIT])


def guardian_search(user, how: str, params: dict):
    where = {
        "name": {
            "child__last_name_key": params.get("last_key"),
            "child__first_name_key": params.get("first_key"),
        },
        "nhs_number": {"child__nhs_number": params.get("nhs_number")},
        "postcode": {"child__postcode": params.get("postcode")},
        "reference": {"reference": params.get("reference")},
    }[how]
    rows = guardian_cases(user).filter(**where).select_related("child", "lead_agency")
    return lambda: list(rows[:21])


def guardian_chronology(user, case_id, limit: int | None):
    def run() -> None:
        case = guardian_cases(user).select_related("child").get(pk=case_id)
        entries = ChronologyEntry.objects.filter(case=case).select_related("agency", "created_by")
        list(entries.order_by("-occurred_at", "-created_at")[:limit])

    return run


def search_target(user, how: str) -> tuple[str | None, dict]:
    """access_scale's search targets, and a case reference search reads."""
    if how != "reference":
        return shared.search_target(user, how)
    case = (
        cases_for(user).filter(reference__regex=SEARCHABLE_REFERENCE).order_by("reference").first()
    )
    if case is None:
        return None, {}
    return "/search/?" + urlencode({"q": case.reference}), {"reference": case.reference}


def search_floors(how: str) -> list[str]:
    if how != "reference":
        return shared.floors(f"/search/ {how}", None)
    return [
        shared.SEARCH_FLOOR.format(where="c.reference = %(reference)s", visible=visible)
        for visible in (shared.VISIBLE_CASE, shared.VISIBLE_CASE_IN)
    ]


def long_case_for(user) -> tuple[Case | None, int]:
    """The seed's long case when ``user`` sees it, else their case with the
    longest chronology (among their 1,000 latest)."""
    visible = cases_for(user)
    long_case = (
        ChronologyEntry.objects.filter(title=LONG_CASE_NOTE)
        .values_list("case_id", flat=True)
        .first()
    )
    if long_case and visible.filter(pk=long_case).exists():
        case_id = long_case
    else:
        latest = visible.order_by("-updated_at").values("pk")[:1000]
        row = (
            ChronologyEntry.objects.filter(case_id__in=latest)
            .values("case_id")
            .annotate(n=Count("id"))
            .order_by("-n")
            .first()
        )
        if row is None:
            return None, 0
        case_id = row["case_id"]
    return Case.objects.get(pk=case_id), ChronologyEntry.objects.filter(case_id=case_id).count()


def _lead_sees_all(user, case: Case) -> bool:
    return user.memberships.filter(agency_id=case.lead_agency_id).exists()


def measure_persona(args, user, label: str, perms: dict, lines: list[str]) -> list[str]:
    """Print and keep each page's line; return the URLs for the mixed run."""
    client = Client()
    client.force_login(user)
    params = {"u": user.pk, **perms}
    urls: list[str] = []
    line = f"{label} ({user.get_username()}) sees {cases_for(user).count():,} cases"
    print(line)
    lines.append(line)

    def report(name: str, url: str, floor: float | None, guardian: float | None) -> None:
        p50, p95, queries, settling = shared.measure(client, url, args.iterations)
        row = (
            f"  {'':<22}{name:<24}{p50 * 1000:>8.1f}{p95 * 1000:>8.1f}{queries:>6}"
            f"{_ms(floor):>9}{_ratio(p50, floor):>7}{_ms(guardian):>10}{_ratio(p50, guardian):>7}"
            f"{settling * 1000:>11.1f}"
        )
        print(row, flush=True)
        lines.append(row)
        urls.append(url)

    n = max(args.iterations // 2, 3)
    for name, page in [("case list", "/cases/"), ("case list, deep", "/cases/ deep")]:
        url, skip = shared.resolve(client, page, args.deep)
        if url is None:
            continue
        boundary = shared.boundary_for(params, skip)
        floor_params = {**params, "at": boundary[0], "id": boundary[1]} if boundary else params
        floor = min(
            shared.time_sql(sql, floor_params, n) for sql in shared.floors("/cases/", boundary)
        )
        label_ = f"{name} ({skip // LIMIT + 1})" if skip else name
        report(label_, url, floor, timed(guardian_list(user, boundary), n))
    for how in SEARCHES:
        url, found = search_target(user, how)
        if url is None:
            continue
        floor = min(shared.time_sql(sql, {**params, **found}, n) for sql in search_floors(how))
        report(f"search {how}", url, floor, timed(guardian_search(user, how, found), n))
    case, entries = long_case_for(user)
    if case is not None:
        lead = _lead_sees_all(user, case)
        shared_only = "" if lead else "AND e.visibility = 'shared'"
        for name, url, limit in [
            (f"case page ({entries:,})", f"/cases/{case.pk}/", None),
            ("chronology API", f"/api/v1/cases/{case.pk}/chronology/", LIMIT),
        ]:
            floor = min(
                shared.time_sql(
                    CHRONOLOGY_FLOOR.format(
                        visible=visible,
                        shared=shared_only,
                        limit=f"LIMIT {limit}" if limit else "",
                    ),
                    {**params, "case": case.pk},
                    n,
                )
                for visible in (shared.VISIBLE_CASE, shared.VISIBLE_CASE_IN)
            )
            report(name, url, floor, timed(guardian_chronology(user, case.pk, limit), n))
    return urls


def measure_dashboard(args, lines: list[str]) -> None:
    """The oversight dashboard is a lead agency manager's (404 for the others):
    measured as ``--dashboard-user``, with no floor (its figures are aggregates
    over a year of the county's work, not rows a hand-written query fetches)."""
    user = get_user_model().objects.get(username=args.dashboard_user)
    client = Client()
    client.force_login(user)
    line = f"manager ({user.get_username()}) sees {cases_for(user).count():,} cases"
    p50, p95, queries, settling = shared.measure(client, args.dashboard, args.iterations)
    row = (
        f"  {'':<22}{'dashboard':<24}{p50 * 1000:>8.1f}{p95 * 1000:>8.1f}{queries:>6}"
        f"{'':>9}{'':>7}{'':>10}{'':>7}{settling * 1000:>11.1f}"
    )
    print(line, row, sep="\n", flush=True)
    lines += [line, row]


def mixed_load(args, readers: list[tuple[str, list[str]]]) -> list[str]:
    """Every page above, for every person at once, against gunicorn."""
    concurrency.PORT = MIXED_PORT
    r = concurrency.run(args.workers, args.clients, args.seconds, readers)
    return [
        f"mixed load: {args.clients} clients, gunicorn with {args.workers} sync workers, "
        f"{args.seconds:.0f} s, the pages above for all {len(readers)} people at random",
        f"{'requests':>10}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'errors':>8}{'load avg':>10}",
        f"{r['requests']:>10}{r['rps']:>8.1f}{r['p50'] * 1000:>9.0f}{r['p95'] * 1000:>9.0f}"
        f"{r['errors']:>8}{os.getloadavg()[0]:>10.1f}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=20)
    parser.add_argument("--deep", type=int, default=40, help="'next' links to follow (40)")
    parser.add_argument("--seconds", type=float, default=60, help="mixed load (60 s)")
    parser.add_argument("--clients", type=int, default=8, help="mixed load clients (8)")
    # As production runs it: WEB_CONCURRENCY's default in the Dockerfile and
    # docker-compose.yml. Sessions before 16 ran 2 (bench/RESULTS.md says which).
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (3)")
    parser.add_argument("--no-load", action="store_true", help="skip the mixed load")
    parser.add_argument("--dashboard", default="", help="the dashboard's URL (/dashboard/)")
    parser.add_argument(
        "--dashboard-user", default="manager@northshire-csc", help="a lead agency's manager"
    )
    parser.add_argument("--personas", default="", help="usernames, comma-separated (all four)")
    parser.add_argument("--write", action="store_true", help="replace the section in RESULTS.md")
    parser.add_argument("--note", default="", help="a line about the run (county, machine load)")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.TWO_FACTOR_REQUIRED = False
    User = get_user_model()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.codename, p.id FROM auth_permission p WHERE p.codename = ANY(%s)",
            [["view_case", "view_meeting", "view_concern"]],
        )
        perms = dict(cursor.fetchall())
        cursor.execute("SELECT count(*) FROM cases_case")
        total = cursor.fetchone()[0]
    started = time.time()
    lines = [
        f"cases on record: {total:,}; {args.iterations} requests a page; deep page = "
        f"{args.deep} 'next' links on; load average at the start: {machine.load()}",
        f"calibration at the start: {machine.calibration_ms():.2f} ms a fixed template render "
        "(bench/machine.py; the machine's speed, not the code's)",
        f"{'persona':<24}{'page':<24}{'p50 ms':>8}{'p95 ms':>8}{'SQL':>6}{'floor':>9}"
        f"{'xfloor':>7}{'guardian':>10}{'xguard':>7}{'first ten':>11}",
    ]
    print("\n".join(lines))
    readers = []
    for username, label in PERSONAS:
        if args.personas and username not in args.personas.split(","):
            continue
        user = User.objects.get(username=username)
        urls = measure_persona(args, user, label, perms, lines)
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        readers.append((f"{settings.SESSION_COOKIE_NAME}={cookie}", urls))
    if args.dashboard:
        measure_dashboard(args, lines)
    lines.append(
        "floor: the best hand-written SQL for the same rows (p50); guardian: "
        "get_objects_for_user for the same rows (p50); x: the page's p50 over each"
    )
    if not args.no_load and readers:
        load = mixed_load(args, readers)
        print("\n".join(load))
        lines += load
    audit_seal()  # the pages' own audit rows
    end = (
        f"load average at the end: {machine.load()}; {time.time() - started:.0f} s; "
        f"calibration at the end: {machine.calibration_ms():.2f} ms"
    )
    print(end)
    if args.write:
        body = (
            f"Machine: {platform.machine()}, {os.cpu_count()} cores, {machine.interpreter()}, "
            "PostgreSQL and gunicorn on the same machine, "
            f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.\n"
            + (f"{args.note}\n" if args.note else "")
            + "\n```\n"
            + "\n".join([*lines, end])
            + "\n```\n"
        )
        title = f"bench/scale.py: a county at {total:,} cases"
        replace_section(title, re.sub(r"[ \t]+\n", "\n", body))


if __name__ == "__main__":
    main()
