"""What the lists cost at a county's scale, for people who see ~100, ~10k and ~1M cases.

Run it against a database ``seed_scale`` filled (it only reads, but for the
audit rows each list writes, which it seals at the end):

    DATABASE_URL=postgres://.../safeguard_scale python bench/access_scale.py

For each persona and page (case list page 1 and a deep page, concerns list,
meetings list, home page, /api/v1/cases/, /api/v1/concerns/, /api/v1/meetings/,
search by name, NHS number and postcode for a child the persona sees, the
front-door queue for those who work one, and referrals; and for four auditors,
the audit search newest and oldest first, a deep page of it, and its API)
it prints the server time (p50/p95 over ``--iterations`` requests, once ten
have let the statements' plans settle, with the median of those ten beside:
"first ten"; through the real URL, views and middleware, with Django's test
Client: no network, no gunicorn) and the number of SQL queries, beside the *floor*: the best of the
hand-written SQL forms that fetch the same rows (p50), and the ratio of the two.

The deep page is reached the way a person reaches it, by following the page's
"next" link (``rel="next"`` in the HTML, ``next`` in the API's JSON)
``--deep`` times, so it works with page numbers and with cursors alike; where a
list links to page numbers, its last page is measured too. Its floor is the
same rows by keyset from the row before them (the best any pagination can do).

Two-factor sign-in is switched off for the run (people are signed in with
``force_login``); everything else is as in production. Figures, not
assertions: ``--write`` puts them in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguard.settings")
if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    sys.exit("Set DATABASE_URL to a PostgreSQL database filled by seed_scale.")

import django  # noqa: E402

django.setup()

from safeguard.core.startup import settle_long_lived_objects  # noqa: E402

# As safeguard/wsgi.py does in production: the code's own objects are set aside
# from the garbage collector, whose full walks over them were the slow tail.
settle_long_lived_objects()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import OperationalError, connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench import machine  # noqa: E402
from bench.results import replace_section  # noqa: E402
from cases.selectors.cases import cases_for  # noqa: E402
from safeguard.audit.services import audit_seal  # noqa: E402

# Fewest cases first, so a run cut short still has the small ones.
PERSONAS = [
    ("practitioner@hillside-primary", "school practitioner"),
    ("social_worker@eastfield-csc", "neighbouring social worker"),
    ("practitioner@northshire-health", "health practitioner"),
    ("practitioner@northshire-police", "police practitioner"),
    ("social_worker@northshire-csc", "lead social worker"),
    # Sees what the lead social worker sees, and My work counts the front
    # door's queue, open cases nobody holds and conferences owed.
    ("manager@northshire-csc", "lead manager"),
]
PAGES = [
    ("case list", "/cases/"),
    ("case list, deep", "/cases/ deep"),
    ("case list, last", "/cases/ last"),
    ("concerns list", "/concerns/"),
    ("meetings list", "/meetings/"),
    ("home", "/"),
    ("API cases", "/api/v1/cases/"),
    ("API cases, deep", "/api/v1/cases/ deep"),
    ("API concerns", "/api/v1/concerns/"),
    ("API meetings", "/api/v1/meetings/"),
    # Search (issue 15), for a child the persona sees: by name, NHS number, postcode.
    ("search name", "/search/ name"),
    ("search NHS", "/search/ nhs_number"),
    ("search postcode", "/search/ postcode"),
    # Issue 15's item 3: the front-door queue (for those who work one) and
    # referrals. Referrals have no floor here: a referral list is hundreds.
    ("front door", "/front-door/"),
    ("referrals", "/referrals/"),
]
# Issue 15's item 3 also keeps the audit search within the budget: auditors
# of the lead authority (nearly every row of the log is its), the police, a
# school (a few thousand rows) and a school with almost none.
AUDITORS = [
    ("auditor@northshire-csc", "lead authority's auditor"),
    ("auditor@northshire-police", "police auditor"),
    ("auditor@hillside-primary", "school's auditor"),
    ("auditor@riverside-academy", "quiet school's auditor"),
]
AUDIT_PAGES = [
    ("audit search", "/audit/"),
    ("audit search, deep", "/audit/ deep"),
    ("audit, oldest", "/audit/?sort=oldest"),
    ("API audit", "/api/v1/audit/"),
]
NEXT_HTML = re.compile(r'<a [^>]*href="([^"]+)"[^>]*rel="next"')
PAGE_LINK = re.compile(r'href="\?page=(\d+)"')

# The floors: the rows each page shows, fetched by hand. %(u)s is the user's id.
VISIBLE_CASE = """(
    EXISTS (SELECT 1 FROM cases_casegroupobjectpermission g
            WHERE g.content_object_id = c.id AND g.permission_id = %(view_case)s
              AND g.group_id IN (SELECT group_id FROM auth_user_groups WHERE user_id = %(u)s))
    OR EXISTS (SELECT 1 FROM cases_caseuserobjectpermission p
               WHERE p.content_object_id = c.id AND p.permission_id = %(view_case)s
                 AND p.user_id = %(u)s))"""
VISIBLE_CASE_IN = """c.id IN (
    SELECT g.content_object_id FROM cases_casegroupobjectpermission g
    WHERE g.permission_id = %(view_case)s
      AND g.group_id IN (SELECT group_id FROM auth_user_groups WHERE user_id = %(u)s)
    UNION SELECT p.content_object_id FROM cases_caseuserobjectpermission p
    WHERE p.permission_id = %(view_case)s AND p.user_id = %(u)s)"""
CASE_ROWS = """
    SELECT c.id, c.reference, c.status, c.updated_at, ch.first_name, ch.last_name,
           ch.date_of_birth, a.name, w.username
    FROM cases_case c JOIN cases_child ch ON ch.id = c.child_id
    JOIN agencies_agency a ON a.id = c.lead_agency_id
    LEFT JOIN auth_user w ON w.id = c.allocated_worker_id
    WHERE {visible} {after}
    ORDER BY c.updated_at DESC, c.id DESC LIMIT 25"""
VISIBLE_MEETING = """(
    EXISTS (SELECT 1 FROM cases_meetinggroupobjectpermission g
            WHERE g.content_object_id = m.id AND g.permission_id = %(view_meeting)s
              AND g.group_id IN (SELECT group_id FROM auth_user_groups WHERE user_id = %(u)s))
    OR EXISTS (SELECT 1 FROM cases_meetinguserobjectpermission p
               WHERE p.content_object_id = m.id AND p.permission_id = %(view_meeting)s
                 AND p.user_id = %(u)s))"""
MEETING_ROWS = f"""
    SELECT m.id, m.reference, m.kind, m.scheduled_at, u.username, a.name,
           (SELECT array_agg(ch.first_name || ' ' || ch.last_name) FROM cases_meetingcase mc
            JOIN cases_case c ON c.id = mc.case_id JOIN cases_child ch ON ch.id = c.child_id
            WHERE mc.meeting_id = m.id)
    FROM cases_meeting m JOIN auth_user u ON u.id = m.chair_id
    JOIN agencies_agency a ON a.id = m.lead_agency_id
    WHERE {VISIBLE_MEETING} {{where}}
    ORDER BY m.scheduled_at {{order}} LIMIT {{limit}}"""  # noqa: S608 - our own SQL
MY_CONCERNS = """
    SELECT k.id, k.reference, k.status, k.submitted_at, k.child_first_name, k.child_last_name,
           a.name FROM cases_concern k JOIN agencies_agency a ON a.id = k.reporting_agency_id
    WHERE k.reported_by_id = %(u)s ORDER BY k.created_at DESC LIMIT {limit}"""
API_CONCERNS = """
    SELECT k.id, k.reference, k.status, k.submitted_at, k.child_first_name, k.child_last_name,
           a.name FROM cases_concern k JOIN agencies_agency a ON a.id = k.reporting_agency_id
    LEFT JOIN cases_case c ON c.id = k.case_id
    WHERE k.status <> 'draft'
      AND (EXISTS (SELECT 1 FROM cases_concerngroupobjectpermission g
                   WHERE g.content_object_id = k.id AND g.permission_id = %(view_concern)s
                     AND g.group_id IN (SELECT group_id FROM auth_user_groups
                                        WHERE user_id = %(u)s))
           OR EXISTS (SELECT 1 FROM cases_concernuserobjectpermission p
                      WHERE p.content_object_id = k.id AND p.permission_id = %(view_concern)s
                        AND p.user_id = %(u)s))
      AND (k.reported_by_id = %(u)s OR c.id IS NULL OR NOT c.is_restricted OR {visible})
    ORDER BY k.submitted_at DESC, k.created_at DESC LIMIT 25"""


# The concerns waiting at the doors the person works, highest risk first,
# less those of a restricted case they may not see.
FRONT_DOOR = """
    SELECT k.id, k.reference, k.status, k.immediate_risk, k.child_first_name,
           k.child_last_name, k.submitted_at, k.decision_due_at, a.name
    FROM cases_concern k JOIN agencies_agency a ON a.id = k.reporting_agency_id
    LEFT JOIN cases_case c ON c.id = k.case_id
    WHERE k.status IN ('submitted', 'awaiting_authorisation')
      AND k.lead_agency_id IN (SELECT agency_id FROM agencies_membership
                               WHERE user_id = %(u)s AND is_active
                                 AND role IN ('social_worker', 'manager'))
      AND (k.reported_by_id = %(u)s OR c.id IS NULL OR NOT c.is_restricted OR {visible})
    ORDER BY k.immediate_risk DESC, k.submitted_at, k.id LIMIT 51"""
# The log's rows about the auditor's authority's cases or made by its people,
# newest (or oldest) first: each row's case looked up, or the cases' ids; the
# log walked in order (``e.id``) or the rows found and sorted (``e.id + 0``).
# The members and cases as sets, or as arrays read first (``ANY(ARRAY(...))``),
# which each condition's index can answer, so PostgreSQL can OR their bitmaps.
AUDIT_ROWS = """
    SELECT e.* FROM audit_auditevent e
    WHERE {members}
       OR string_to_array(e.agency_slugs, ',') && ARRAY(
            SELECT slug::text FROM agencies_agency WHERE id IN {audited})
       OR {about}
    ORDER BY {key} {order} LIMIT 51"""
AUDITED = """(SELECT agency_id FROM agencies_membership
               WHERE user_id = %(u)s AND is_active AND role = 'auditor')"""
AUDIT_MEMBERS = f"SELECT user_id FROM agencies_membership WHERE agency_id IN {AUDITED}"  # noqa: S608
AUDIT_LED = f"SELECT id FROM cases_case WHERE lead_agency_id IN {AUDITED}"  # noqa: S608
# (members, about) pairs.
AUDIT_FORMS = [
    (
        f"e.user_id IN ({AUDIT_MEMBERS})",
        f"(SELECT k.lead_agency_id FROM cases_case k WHERE k.id = e.case_id) IN {AUDITED}",  # noqa: S608
    ),
    (f"e.user_id IN ({AUDIT_MEMBERS})", f"e.case_id IN ({AUDIT_LED})"),
    (f"e.user_id = ANY(ARRAY({AUDIT_MEMBERS}))", f"e.case_id = ANY(ARRAY({AUDIT_LED}))"),
]
# The members, agencies and (when few) led cases read first, as the page does
# (``audit_values``), so each condition is a value its index answers.
AUDIT_GIVEN = """
    SELECT e.* FROM audit_auditevent e
    WHERE e.user_id = ANY(%(members)s)
       OR string_to_array(e.agency_slugs, ',') && %(slugs)s::text[]
       OR e.case_id = ANY(%(led)s::uuid[])
    ORDER BY {key} {order} LIMIT 51"""


def audit_values(user) -> dict:
    """The auditor's members, agency slugs and the ids of the cases their
    agencies lead (none when over 5,000: that form does not suit them)."""
    sql = f"""SELECT array_agg(DISTINCT m.user_id), array_agg(DISTINCT a.slug::text)
              FROM agencies_membership m JOIN agencies_agency a ON a.id = m.agency_id
              WHERE m.agency_id IN {AUDITED}"""  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, {"u": user.pk})
        members, slugs = cursor.fetchone()
        cursor.execute(f"{AUDIT_LED} LIMIT 5001", {"u": user.pk})  # noqa: S608
        led = [row[0] for row in cursor.fetchall()]
    return {"members": members, "slugs": slugs, "led": led if len(led) <= 5000 else None}


SEARCH_FLOOR = """
    SELECT ch.id, ch.reference, ch.first_name, ch.last_name, ch.date_of_birth, a.name,
           c.reference, c.status
    FROM cases_child ch JOIN cases_case c ON c.child_id = ch.id
    JOIN agencies_agency a ON a.id = c.lead_agency_id
    WHERE {where} AND {visible} LIMIT 21"""
SEARCH_WHERE = {
    "name": "ch.last_name_key = %(last_key)s AND ch.first_name_key = %(first_key)s",
    "nhs_number": "ch.nhs_number = %(nhs_number)s",
    "postcode": "ch.postcode = %(postcode)s",
}


def search_target(user, how: str) -> tuple[str | None, dict]:
    """A search for a child ``user`` sees, by ``how``, and the floor's parameters."""
    from urllib.parse import urlencode

    field = {"name": "last_name", "nhs_number": "nhs_number", "postcode": "postcode"}[how]
    case = (
        cases_for(user)
        .exclude(**{f"child__{field}": ""})
        .select_related("child")
        .order_by()
        .first()
    )
    if case is None:
        return None, {}
    child = case.child
    q = {
        "name": f"{child.first_name} {child.last_name}",
        "nhs_number": child.nhs_number,
        "postcode": child.postcode,
    }[how]
    params = {
        "last_key": child.last_name_key,
        "first_key": child.first_name_key,
        "nhs_number": child.nhs_number,
        "postcode": child.postcode,
    }
    return "/search/?" + urlencode({"q": q}), params


def floors(page: str, boundary: tuple | None) -> list[str]:
    """The hand-written forms for ``page``; the fastest counts."""
    after = "AND (c.updated_at, c.id) < (%(at)s, %(id)s)" if boundary else ""
    case_forms = [
        CASE_ROWS.format(visible=VISIBLE_CASE, after=after),
        CASE_ROWS.format(visible=VISIBLE_CASE_IN, after=after),
    ]
    held = "AND NOT (m.scheduled_at >= now() AND m.finalised_at IS NULL)"
    upcoming = "AND m.scheduled_at >= now() AND m.finalised_at IS NULL"
    if page.startswith(("/cases/", "/api/v1/cases/")):
        return case_forms
    if page.startswith("/search/ "):
        where = SEARCH_WHERE[page.split(" ", 1)[1]]
        return [
            SEARCH_FLOOR.format(where=where, visible=VISIBLE_CASE),
            SEARCH_FLOOR.format(where=where, visible=VISIBLE_CASE_IN),
        ]
    if page == "/concerns/":
        return [MY_CONCERNS.format(limit=25)]
    if page == "/meetings/":
        return [
            MEETING_ROWS.format(where=upcoming, order="ASC", limit=50)
            + ";"
            + MEETING_ROWS.format(where=held, order="DESC", limit=25)
        ]
    if page == "/api/v1/meetings/":
        return [MEETING_ROWS.format(where="", order="DESC", limit=25)]
    if page == "/api/v1/concerns/":
        return [API_CONCERNS.format(visible=VISIBLE_CASE.replace("c.id", "k.case_id"))]
    if page == "/front-door/":
        return [FRONT_DOOR.format(visible=VISIBLE_CASE)]
    if page.startswith(("/audit/", "/api/v1/audit/")):
        order = "ASC" if "oldest" in page else "DESC"
        return [
            AUDIT_ROWS.format(audited=AUDITED, members=members, about=about, order=order, key=key)
            for members, about in AUDIT_FORMS
            for key in ("e.id", "e.id + 0")
        ] + [AUDIT_GIVEN.format(key=key, order=order) for key in ("e.id", "e.id + 0")]
    if page == "/referrals/":
        return []
    if page == "/":
        mine = CASE_ROWS.format(
            visible=VISIBLE_CASE + " AND c.allocated_worker_id = %(u)s", after=""
        ).replace("LIMIT 25", "LIMIT 10")
        return [
            MY_CONCERNS.format(limit=10)
            + ";"
            + mine
            + ";"
            + MEETING_ROWS.format(where=upcoming, order="ASC", limit=10)
        ]
    raise ValueError(page)


def time_sql(sql: str, params: dict, iterations: int) -> float:
    """The median time of ``sql``; a form that takes over 2 s is not the best
    one for these rows (the audit log's forms suit some people, not others)."""
    times = []
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = '2s'")
        try:
            for _ in range(iterations):
                started = time.perf_counter()
                for statement in sql.split(";"):
                    cursor.execute(statement, params)
                    cursor.fetchall()
                times.append(time.perf_counter() - started)
        except OperationalError:  # cancelled at the timeout
            return float("inf")
        finally:
            cursor.execute("SET statement_timeout = 0")
    return statistics.median(times)


def _next(response) -> str | None:
    if response["Content-Type"].startswith("application/json"):
        return json.loads(response.content).get("next")
    found = NEXT_HTML.search(response.content.decode())
    return found.group(1).replace("&amp;", "&") if found else None


def resolve(client: Client, page: str, deep: int) -> tuple[str | None, int]:
    """The URL to time, and how many rows come before its first row."""
    base, _, how = page.partition(" ")
    if not how:
        return base, 0
    if how == "last":
        numbers = [int(n) for n in PAGE_LINK.findall(client.get(base).content.decode())]
        return (f"{base}?page={max(numbers)}", (max(numbers) - 1) * 25) if numbers else (None, 0)
    url = base
    for _ in range(deep):
        found = _next(client.get(url))
        if not found:
            return None, 0
        url = found if found.startswith(("/", "http")) else base + found
        if url.startswith("http"):
            url = "/" + url.split("/", 3)[3]
    return url, deep * 25


# Requests before the timed ones: a statement's plan settles over its first
# ten runs on a connection (psycopg prepares it on the fifth, and PostgreSQL
# plans it afresh five more times before it weighs a plan kept for every
# run). Timed from the first, twenty requests' p95 was that settling, not the
# page (My work, session 22: 50 ms for the first nine requests, 36 after).
# Their median is reported beside the page's ("first ten").
SETTLE = 10


def measure(client: Client, url: str, iterations: int) -> tuple[float, float, int, float]:
    """p50, p95 and statements of ``iterations`` requests once the plans have
    settled, and the median of the ``SETTLE`` requests before them."""
    settling = []
    for _ in range(SETTLE if iterations > 1 else 0):
        started = time.perf_counter()
        client.get(url, HTTP_ACCEPT="text/html,application/json")
        settling.append(time.perf_counter() - started)
    times, queries = [], 0
    for _ in range(iterations):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url, HTTP_ACCEPT="text/html,application/json")
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(captured)
    times.sort()
    return (
        statistics.median(times),
        times[int(len(times) * 0.95) - 1 if len(times) > 1 else 0],
        queries,
        statistics.median(settling) if settling else float("nan"),
    )


def boundary_for(params: dict, skip: int) -> tuple | None:
    """The (updated_at, id) of the row before the deep page's first, for its floor."""
    if not skip:
        return None
    sql = CASE_ROWS.format(visible=VISIBLE_CASE, after="").replace(
        "LIMIT 25", f"LIMIT 1 OFFSET {skip - 1}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql.replace("SELECT c.id,", "SELECT c.updated_at AS at, c.id,"), params)
        row = cursor.fetchone()
    return (row[0], row[1]) if row else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=20)
    parser.add_argument("--deep", type=int, default=40, help="'next' links to follow (40)")
    parser.add_argument("--write", action="store_true", help="replace the section in RESULTS.md")
    parser.add_argument("--note", default="", help="a line about the run (machine load...)")
    parser.add_argument("--personas", default="", help="usernames, comma-separated (all six)")
    # Repeated rather than comma-separated: page names hold commas ("case list, deep").
    parser.add_argument(
        "--page", action="append", dest="pages", default=[], help="a page's name; repeat (all)"
    )
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
        total_cases = cursor.fetchone()[0]
    lines = [
        f"cases on record: {total_cases:,}; {args.iterations} requests a page; deep page = "
        f"{args.deep} 'next' links on; load average at the start: {machine.load()}",
        f"calibration at the start: {machine.calibration_ms():.2f} ms a fixed template render "
        "(bench/machine.py; the machine's speed, not the code's)",
        f"{'persona':<28}{'page':<18}{'p50 ms':>9}{'p95 ms':>9}{'queries':>8}"
        f"{'floor ms':>10}{'ratio':>8}{'first ten':>11}",
    ]
    print("\n".join(lines))
    started = time.time()
    wanted = args.personas.split(",") if args.personas else None
    personas = [
        (username, label, PAGES if (username, label) in PERSONAS else AUDIT_PAGES)
        for username, label in [*PERSONAS, *AUDITORS]
        if wanted is None or username in wanted
    ]
    for username, label, pages in personas:
        pages = [p for p in pages if not args.pages or p[0] in args.pages]
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        sees = cases_for(user).count()
        line = f"{label} ({username}) sees {sees:,} cases"
        print(line)
        lines.append(line)
        params = {"u": user.pk, **perms}
        for name, page in pages:
            found: dict = {}
            if page.startswith("/search/ "):
                url, found = search_target(user, page.split(" ", 1)[1])
                skip = 0
            else:
                url, skip = resolve(client, page, args.deep)
            if url is None or client.get(url).status_code == 404:
                continue  # nothing to follow, or a page this person does not have
            p50, p95, queries, settling = measure(client, url, args.iterations)
            boundary = (
                boundary_for(params, skip)
                if page.startswith(("/cases/", "/api/v1/cases/"))
                else None
            )
            floor_params = {**params, "at": boundary[0], "id": boundary[1]} if boundary else params
            floor_params = {**floor_params, **found}
            # A deep page of the audit log has no floor here: its cursor is
            # the page's own, and the first page's floor would flatter it.
            deep_audit = page.startswith("/audit/ ")
            forms = [] if deep_audit else floors(page if found else page.split(" ")[0], boundary)
            if page.startswith(("/audit/", "/api/v1/audit/")):
                floor_params |= audit_values(user)
                if floor_params["led"] is None:  # too many cases to pass: not that form
                    forms = [sql for sql in forms if "%(led)s" not in sql]
            floor = min(
                (time_sql(sql, floor_params, max(args.iterations // 2, 3)) for sql in forms),
                default=None,
            )
            against = f"{floor * 1000:>10.1f}{p50 / floor:>8.1f}" if floor else f"{'-':>10}{'-':>8}"
            line = (
                f"  {'':<26}{name:<18}{p50 * 1000:>9.1f}{p95 * 1000:>9.1f}{queries:>8}"
                + against
                + f"{settling * 1000:>11.1f}"
            )
            print(line, flush=True)
            lines.append(line)
        if username != personas[-1][0]:  # what there is so far, should the run be cut short
            write(args, lines, started, total_cases, partial="(Partial: the run was cut short.)")
    audit_seal()  # the lists' own audit rows
    write(args, lines, started, total_cases)


def write(args, lines: list[str], started: float, total_cases: int, partial: str = "") -> None:
    end = (
        f"load average at the end: {machine.load()}; {time.time() - started:.0f} s; "
        f"calibration at the end: {machine.calibration_ms():.2f} ms"
    )
    print(end)
    if args.write:
        body = (
            f"Machine: {platform.machine()}, {os.cpu_count()} cores, {machine.interpreter()}, "
            "PostgreSQL on the same machine, "
            f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.\n"
            + (f"{args.note}\n" if args.note else "")
            + (f"{partial}\n" if partial else "")
            + "\n```\n"
            + "\n".join([*lines, end])
            + "\n```\n"
        )
        title = f"bench/access_scale.py: the lists at {total_cases:,} cases"
        replace_section(title, body)


if __name__ == "__main__":
    main()
