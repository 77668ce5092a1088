"""How well the child matcher finds the right record among many, and how fast.

Builds N fictional children with demo/scale_children.py (the first part of
``seed_scale``: real surname frequencies, so there are thousands of Smiths at
a million; households, previous addresses, identifiers), a few hundred
restricted cases hidden from the looking user, then looks children up the way
hurried reports name them, six kinds in equal numbers:

- exact: as recorded;
- typo: two letters transposed in the first name and in the surname;
- swap: first name and surname swapped;
- nickname: the first name replaced by a known short form (``nicknames``);
- hyphen: one half of a double-barrelled surname;
- dob_swap: day and month of the date of birth swapped;

each with the first name, surname and date of birth, half of them with the
postcode too (no NHS number or UPN: the fuzzy path is what is measured), plus
lookups of children who are not on record. It prints recall at 1 and at 10 (the true child first, or
within the ten candidates the page shows), precision of the top candidate at
a score threshold, and the time of each lookup (p50, p95) through
``find_candidates`` over the front-door scope (the agency's children less
hidden restricted ones, ``NOT EXISTS``).

Without DATABASE_URL it runs on a throwaway SQLite database. On PostgreSQL:

    createdb -h 127.0.0.1 -U postgres safeguard_matcher_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/safeguard_matcher_bench \\
        .venv/bin/python bench/matcher_precision.py --children 1000000

A database that already holds the bench agency's N children is reused (the
build is skipped); use a fresh database to rebuild. ``--matcher-from FILE``
measures another version of cases/matching.py on the same children and
lookups (``git show <commit>:cases/matching.py > /tmp/old_matching.py``).
Figures, not assertions.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
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
from django.contrib.auth.models import Permission  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.utils import timezone  # noqa: E402

import cases.matching  # noqa: E402
from agencies.models import Agency  # noqa: E402
from cases.matching import Subject, _nicknamer, without_hidden_restricted  # noqa: E402
from cases.models import Case, CaseUserObjectPermission, Child  # noqa: E402
from demo.scale_children import build_children, generate_children  # noqa: E402

KINDS = ("exact", "typo", "swap", "nickname", "hyphen", "dob_swap")
THRESHOLD = 0.6
AGENCY = "bench-csc"
REFERENCE = "CHI-B"
TODAY = dt.date(2026, 11, 30)  # fixed, so the same seed builds the same children
RESTRICTED_SHARE = 1 / 1000


def typo(name: str, rng: random.Random) -> str:
    if len(name) < 4:
        return name
    i = rng.randrange(1, len(name) - 2)
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]


def eligible(kind: str, child: Child) -> bool:
    if kind == "nickname":
        return bool(_nicknamer().nicknames_of(child.first_name.lower()))
    if kind == "hyphen":
        return "-" in child.last_name
    if kind == "dob_swap":
        dob = child.date_of_birth
        return dob.day <= 12 and dob.day != dob.month
    if kind == "typo":
        return len(child.first_name) >= 4 and len(child.last_name) >= 4
    return True


def report_of(kind: str, child: Child, rng: random.Random) -> Subject:
    postcode = child.postcode if rng.random() < 0.5 else ""
    first, last, dob = child.first_name, child.last_name, child.date_of_birth
    if kind == "typo":
        first, last = typo(first, rng), typo(last, rng)
    elif kind == "swap":
        first, last = last, first
    elif kind == "nickname":
        first = rng.choice(sorted(_nicknamer().nicknames_of(first.lower()))).title()
    elif kind == "hyphen":
        last = rng.choice(last.split("-"))
    elif kind == "dob_swap":
        dob = dt.date(dob.year, dob.day, dob.month)
    return Subject(first_name=first, last_name=last, date_of_birth=dob, postcode=postcode)


def build(n: int, seed: int) -> tuple[Agency, object]:
    call_command("migrate", verbosity=0)
    agency, _ = Agency.objects.get_or_create(
        slug=AGENCY, defaults={"name": "Bench", "kind": Agency.Kind.SOCIAL_CARE}
    )
    user, _ = get_user_model().objects.get_or_create(username="bench@bench-csc")
    have = Child.objects.filter(lead_agency=agency).count()
    if have == n:
        print(f"reusing the {n:,} children already in the database")
        return agency, user
    if have:
        sys.exit(f"the database holds {have:,} bench children, not {n:,}: use a fresh database")
    started = time.perf_counter()
    built = build_children(
        n, agency=agency, seed=seed, today=TODAY, reference_prefix=REFERENCE, batch=50_000
    )
    print(f"built {built} in {time.perf_counter() - started:.1f} s")
    # Restricted cases, one child in a thousand; the user is named on one in ten.
    rng = random.Random(seed)  # noqa: S311
    restricted = rng.sample(range(1, n + 1), max(int(n * RESTRICTED_SHARE), 1))
    children = Child.objects.filter(reference__in=[f"{REFERENCE}-{i:08d}" for i in restricted])
    now = timezone.now()
    cases = Case.objects.bulk_create(
        Case(
            reference=f"CAS-B-{i:08d}",
            child_id=pk,
            lead_agency=agency,
            opened_at=now,
            is_restricted=True,
            restricted_at=now,
        )
        for i, pk in enumerate(children.values_list("pk", flat=True))
    )
    view = Permission.objects.get(codename="view_case", content_type__app_label="cases")
    CaseUserObjectPermission.objects.bulk_create(
        CaseUserObjectPermission(content_object=case, user=user, permission=view)
        for case in cases[::10]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return agency, user


def sample(n: int, per_kind: int, rng: random.Random) -> list[tuple[str, Child]]:
    hidden = set(
        Case.objects.filter(is_restricted=True)
        .exclude(caseuserobjectpermission__isnull=False)
        .values_list("child_id", flat=True)
    )
    wanted = dict.fromkeys(KINDS, per_kind)
    picked: list[tuple[str, Child]] = []
    while any(wanted.values()):
        refs = [f"{REFERENCE}-{rng.randint(1, n):08d}" for _ in range(500)]
        for child in Child.objects.filter(reference__in=refs).order_by("reference"):
            if child.pk in hidden:
                continue
            for kind in KINDS:
                if wanted[kind] and eligible(kind, child):
                    wanted[kind] -= 1
                    picked.append((kind, child))
                    break
    rng.shuffle(picked)
    return picked


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--children", type=int, default=10_000)
    parser.add_argument("--per-kind", type=int, default=200, help="lookups of each kind (200)")
    parser.add_argument("--strangers", type=int, default=300, help="lookups not on record (300)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--matcher-from", type=Path, help="another cases/matching.py to measure")
    args = parser.parse_args()
    matcher = cases.matching
    if args.matcher_from:
        spec = importlib.util.spec_from_file_location("matcher_under_test", args.matcher_from)
        matcher = sys.modules[spec.name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(matcher)
        print(f"matcher: {args.matcher_from}")
    find_candidates = matcher.find_candidates
    candidate_pool = getattr(matcher, "candidate_pool", None)
    rng = random.Random(args.seed)  # noqa: S311 - reproducible figures

    agency, user = build(args.children, args.seed)
    scope = without_hidden_restricted(
        Child.objects.filter(lead_agency=agency, merged_into__isnull=True),
        user=user,
        group_ids=user.groups.values("pk"),
    )
    lookups = [(kind, child, report_of(kind, child, rng)) for kind, child in sample(
        args.children, args.per_kind, rng
    )]  # fmt: skip
    strangers = [
        Subject(
            first_name=s.first_name,
            last_name=s.last_name,
            date_of_birth=s.date_of_birth,
            postcode=s.postcode if rng.random() < 0.5 else "",
        )
        for s in generate_children(args.strangers, seed=args.seed + 7, today=TODAY)
    ]
    for _kind, _child, subject in lookups[:20]:  # warm the caches, as a running server is
        find_candidates(scope, subject)

    at1: Counter = Counter()
    at10: Counter = Counter()
    total: Counter = Counter()
    true_pos = wrong_on_record = wrong_strangers = 0
    times: list[float] = []
    pools: list[int] = []
    missed: dict[str, list[str]] = defaultdict(list)
    for kind, child, subject in lookups:
        started = time.perf_counter()
        found = find_candidates(scope, subject, limit=10)
        times.append(time.perf_counter() - started)
        ranked = [c.child.pk for c in found]
        total[kind] += 1
        at1[kind] += bool(ranked) and ranked[0] == child.pk
        at10[kind] += child.pk in ranked
        if found and found[0].score >= THRESHOLD:
            if ranked[0] == child.pk:
                true_pos += 1
            else:
                wrong_on_record += 1
        if child.pk not in ranked and len(missed[kind]) < 3:
            why = ""
            if candidate_pool:
                in_pool = child.pk in candidate_pool(scope, subject)
                why = " (in the pool, ranked below 10)" if in_pool else " (not in the pool)"
            missed[kind].append(
                f"{subject.first_name} {subject.last_name} {subject.date_of_birth} "
                f"for {child.first_name} {child.last_name} {child.date_of_birth}{why}"
            )
    stranger_times: list[float] = []
    for subject in strangers:
        started = time.perf_counter()
        found = find_candidates(scope, subject, limit=10)
        stranger_times.append(time.perf_counter() - started)
        wrong_strangers += bool(found) and found[0].score >= THRESHOLD
    for _kind, _child, subject in lookups[:100] if candidate_pool else []:
        pools.append(len(candidate_pool(scope, subject)))
    reset_queries()

    all_times = [1000 * t for t in times + stranger_times]
    on_record = sum(total.values())
    database = (
        f"PostgreSQL {connection.pg_version // 10000}"
        if connection.vendor == "postgresql"
        else f"SQLite {connection.Database.sqlite_version}"
    )
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores,"
        f" Python {platform.python_version()}, {database}"
    )
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(
        f"children on record: {args.children:,}; lookups: {on_record} of children on record"
        f" ({args.per_kind} of each kind), {len(strangers)} of children who are not"
    )
    print(f"recall at 1:  {sum(at1.values()) / on_record:.3f}")
    print(f"recall at 10: {sum(at10.values()) / on_record:.3f}")
    wrong = wrong_on_record + wrong_strangers
    print(
        f"precision of the top candidate (score >= {THRESHOLD}):"
        f" {true_pos / max(true_pos + wrong, 1):.3f} ({true_pos} right; wrong: {wrong_on_record}"
        f" for children on record, {wrong_strangers} for children who are not)"
    )
    for kind in KINDS:
        print(
            f"  {kind:<9} at 1 {at1[kind]:>4}/{total[kind]:<4} at 10 {at10[kind]:>4}/{total[kind]}"
        )
    p50, p95, p99 = (percentile(all_times, q) for q in (50, 95, 99))
    print(
        f"time a lookup: p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms,"
        f" max {max(all_times):.1f} ms ({len(all_times)} lookups)"
    )
    if pools:
        print(f"candidate pool: mean {statistics.mean(pools):.0f}, max {max(pools)} children")
    for kind, examples in missed.items():
        for example in examples:
            print(f"  missed ({kind}): {example}")


if __name__ == "__main__":
    main()
