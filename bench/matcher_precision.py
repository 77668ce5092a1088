"""How well the child matcher finds the right record among near-duplicates.

Builds 10,000 fictional children in a throwaway SQLite database, then looks
each of 2,000 reports up: 1,500 about a child who is on record, written the way
hurried reports are (typos, swapped names, nicknames, half of a
double-barrelled surname, day and month swapped), and 500 about children who
are not. Prints precision and recall of the top candidate, and the time taken.
Figures, not assertions: run it with `make bench`.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
database = Path(tempfile.mkdtemp()) / "bench.sqlite3"
os.environ["DATABASE_URL"] = f"sqlite:///{database}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguard.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from faker import Faker  # noqa: E402

from agencies.models import Agency  # noqa: E402
from cases.matching import Subject, find_candidates, format_postcode, name_key  # noqa: E402
from cases.models import Child  # noqa: E402

CHILDREN = 10_000
ON_RECORD = 1_500
NOT_ON_RECORD = 500
THRESHOLD = 0.6
rng = random.Random(2026)  # noqa: S311 - reproducible figures
fake = Faker("en_GB")
fake.seed_instance(2026)
NICKNAMES = {
    "William": "Bill",
    "Robert": "Bob",
    "Elizabeth": "Beth",
    "Margaret": "Maggie",
    "Thomas": "Tom",
    "James": "Jim",
    "Katherine": "Kate",
    "Jonathan": "Jon",
}


def typo(name: str) -> str:
    if len(name) < 4:
        return name
    i = rng.randrange(1, len(name) - 1)
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]


def corrupt(child: Child) -> tuple[Subject, str]:
    kind = rng.choice(["typo", "swap", "nickname", "hyphen", "dob_swap", "exact"])
    first, last, dob = child.first_name, child.last_name, child.date_of_birth
    if kind == "typo":
        first, last = typo(first), typo(last)
    elif kind == "swap":
        first, last = last, first
    elif kind == "nickname":
        first = NICKNAMES.get(first, typo(first))
    elif kind == "hyphen":
        last = last.split("-")[0]
    elif kind == "dob_swap" and dob.day <= 12:
        dob = dt.date(dob.year, dob.day, dob.month)
    return Subject(
        first_name=first, last_name=last, date_of_birth=dob, postcode=child.postcode
    ), kind


def main() -> None:
    call_command("migrate", verbosity=0)
    agency = Agency.objects.create(slug="bench", name="Bench", kind="social_care")
    firsts = [*NICKNAMES, *[fake.first_name() for _ in range(400)]]
    rows = []
    for i in range(CHILDREN + NOT_ON_RECORD):
        first = rng.choice(firsts)
        last = fake.last_name()
        if rng.random() < 0.08:
            last = f"{last}-{fake.last_name()}"
        rows.append(
            Child(
                reference=f"CHI-B-{i:06d}",
                lead_agency=agency,
                first_name=first,
                last_name=last,
                date_of_birth=fake.date_between(dt.date(2008, 1, 1), dt.date(2025, 12, 31)),
                postcode=format_postcode(fake.postcode()),
                first_name_key=name_key(first),
                last_name_key=name_key(last),
            )
        )
    on_record, strangers = rows[:CHILDREN], rows[CHILDREN:]
    Child.objects.bulk_create(on_record, batch_size=2000)
    children = Child.objects.all()

    true_pos = false_pos = false_neg = 0
    by_kind: dict[str, list[int]] = {}
    started = time.perf_counter()
    for child in rng.sample(on_record, ON_RECORD):
        subject, kind = corrupt(Child.objects.get(reference=child.reference))
        found = find_candidates(children, subject, limit=3)
        hit = (
            bool(found)
            and found[0].score >= THRESHOLD
            and found[0].child.reference == child.reference
        )
        by_kind.setdefault(kind, [0, 0])[0] += hit
        by_kind[kind][1] += 1
        if hit:
            true_pos += 1
        else:
            false_neg += 1
            if found and found[0].score >= THRESHOLD:
                false_pos += 1
    for stranger in strangers:
        subject = Subject(
            first_name=stranger.first_name,
            last_name=stranger.last_name,
            date_of_birth=stranger.date_of_birth,
            postcode=stranger.postcode,
        )
        found = find_candidates(children, subject, limit=3)
        if found and found[0].score >= THRESHOLD:
            false_pos += 1
    elapsed = time.perf_counter() - started
    lookups = ON_RECORD + NOT_ON_RECORD
    print(f"children on record: {CHILDREN}; lookups: {lookups} (threshold {THRESHOLD})")
    print(f"precision of the top candidate: {true_pos / max(true_pos + false_pos, 1):.3f}")
    print(f"recall of the top candidate:    {true_pos / (true_pos + false_neg):.3f}")
    for kind, (hits, total) in sorted(by_kind.items()):
        print(f"  {kind:<9} found {hits}/{total}")
    print(f"time: {elapsed:.1f} s, {1000 * elapsed / lookups:.1f} ms a lookup")


if __name__ == "__main__":
    main()
