"""How long the reminder sweep takes over 100,000 items coming due.

Builds, in bulk, 1,000 open cases with 100 open actions each (100,000 items),
owned by 1,000 practitioners spread over 10 agencies, all within the reminder
window: a quarter each overdue (escalated to the agency's manager), due today,
and one and two working days ahead. Then runs the sweep beat runs: plan the
reminder rows, deliver each into an in-app notification and an outbox e-mail,
queue the e-mails. Runs it a second time, which must deliver nothing.

Uses a throwaway SQLite database, or DATABASE_URL if set (it must be an empty
database you can spare: it is migrated and filled). E-mails are queued on an
in-memory broker, so nothing reaches a real queue or mailbox.
Figures, not assertions: run it with `make bench`.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
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

from agencies.models import Agency, Membership  # noqa: E402
from cases.models import Case, CaseAction, Child  # noqa: E402
from safeguard import workdays  # noqa: E402
from safeguard.celery import app  # noqa: E402
from safeguard.notifications.models import OutboundEmail, ReminderDelivery  # noqa: E402
from safeguard.notifications.reminder_sweep import reminders_sweep  # noqa: E402

CASES = int(os.environ.get("BENCH_CASES", "1000"))
ACTIONS_PER_CASE = 100
AGENCIES = 10
PRACTITIONERS = 1_000
MANAGERS_PER_AGENCY = 1
BATCH = 10_000


def build(today: dt.date) -> None:
    User = get_user_model()
    lead = Agency.objects.create(slug="bench-csc", name="Bench CSC", kind="social_care")
    agencies = Agency.objects.bulk_create(
        Agency(slug=f"bench-{n}", name=f"Bench agency {n}", kind="education", is_active=True)
        for n in range(AGENCIES)
    )
    users = User.objects.bulk_create(
        User(username=f"practitioner{n}@bench", email=f"practitioner{n}@bench.invalid")
        for n in range(PRACTITIONERS)
    )
    managers = User.objects.bulk_create(
        User(username=f"manager{n}@bench", email=f"manager{n}@bench.invalid")
        for n in range(AGENCIES * MANAGERS_PER_AGENCY)
    )
    Membership.objects.bulk_create(
        [
            Membership(user=user, agency=agencies[n % AGENCIES], role="practitioner")
            for n, user in enumerate(users)
        ]
        + [
            Membership(user=user, agency=agencies[n % AGENCIES], role="manager")
            for n, user in enumerate(managers)
        ]
    )
    children = Child.objects.bulk_create(
        Child(reference=f"CHI-B-{n:06d}", lead_agency=lead, first_name="Child", last_name=f"{n}")
        for n in range(CASES)
    )
    now = timezone.now()
    cases = Case.objects.bulk_create(
        Case(reference=f"CAS-B-{n:06d}", child=child, lead_agency=lead, opened_at=now)
        for n, child in enumerate(children)
    )
    # Every item within the reminder window, every stage: a quarter each overdue
    # (escalated to the agency's manager), due today, and one and two working days ahead.
    dates = [today - dt.timedelta(days=1)] + [workdays.add_working_days(today, d) for d in range(3)]
    actions = []
    for c, case in enumerate(cases):
        for a in range(ACTIONS_PER_CASE):
            n = c * ACTIONS_PER_CASE + a
            owner = users[n % PRACTITIONERS]
            actions.append(
                CaseAction(
                    id=uuid.uuid4(),
                    case=case,
                    description="Bench action",
                    agency=agencies[(n % PRACTITIONERS) % AGENCIES],
                    owner=owner,
                    due_on=dates[n % len(dates)],
                )
            )
    for start in range(0, len(actions), BATCH):
        CaseAction.objects.bulk_create(actions[start : start + BATCH])


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        memory = f"{mem_kb / 1024 / 1024:.0f} GiB"
    except OSError:
        memory = "unknown memory"
    database = connection.vendor
    if database == "postgresql":
        database += f" {connection.pg_version // 10000}"
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory}, Python {platform.python_version()}, {database}"
    )


def main() -> None:
    # Nothing leaves this process: the e-mails are queued on an in-memory broker.
    app.conf.broker_url = "memory://"
    app.conf.task_always_eager = False
    call_command("migrate", verbosity=0)
    today = workdays.local_date(timezone.now())
    started = time.perf_counter()
    build(today)
    print(f"machine: {machine()}")
    built = time.perf_counter() - started
    print(f"built {CaseAction.objects.count():,} open actions in {built:.1f} s")

    started = time.perf_counter()
    first = reminders_sweep(today=today)
    took = time.perf_counter() - started
    items = CaseAction.objects.filter(due_on__lte=workdays.add_working_days(today, 2)).count()
    print(
        f"first sweep: {took:.1f} s; {items:,} items due or within the warning window; "
        f"{first.planned:,} rows offered, {first.delivered:,} reminders delivered "
        f"({OutboundEmail.objects.count():,} e-mails queued)"
    )
    for stage, label in ReminderDelivery.Stage.choices:
        print(f"  {label:<12} {ReminderDelivery.objects.filter(stage=stage).count():>8,}")

    started = time.perf_counter()
    second = reminders_sweep(today=today)
    took = time.perf_counter() - started
    print(f"second sweep: {took:.1f} s; {second.delivered:,} delivered (must be 0)")
    if second.delivered:
        raise SystemExit("the second sweep delivered again")


if __name__ == "__main__":
    main()
