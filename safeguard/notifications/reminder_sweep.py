"""Sweep what comes due into reminders, and deliver each exactly once.

Two steps, each safe to run any number of times, concurrently:

1. **Plan**: ask every registered provider for its open items due on or before
   the horizon, work out the stage (warning, due, overdue) on the working-day
   clock, and insert one ``ReminderDelivery`` row per recipient with
   ``ON CONFLICT DO NOTHING`` on the unique key (keys already written are
   skipped before that). A second sweep, or a second beat, inserts nothing.
   Pending rows whose item is done, whose due date moved or whose stage has
   passed are cancelled.
2. **Deliver**: claim pending rows (``FOR UPDATE SKIP LOCKED`` on PostgreSQL;
   SQLite's writers are serialised) and, in the same transaction, write the
   in-app notification and the outbox e-mail (or leave it for the digest) and
   mark the row sent. A crash before commit leaves the row pending for the
   next sweep; after commit the e-mail is the outbox's business, which claims
   each row before sending.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from safeguard import workdays
from safeguard.notifications.bulk_sql import db_date, db_datetime, db_uuid, insert_rows
from safeguard.notifications.models import (
    Notification,
    NotificationPreference,
    OutboundEmail,
    ReminderDelivery,
)
from safeguard.notifications.registry import DueItem, registrations
from safeguard.notifications.services import dispatch_emails, email_body

log = logging.getLogger(__name__)

Stage = ReminderDelivery.Stage
INSERT_BATCH = 5000
DELIVER_BATCH = 1000


@dataclass(frozen=True)
class SweepResult:
    planned: int
    cancelled: int
    delivered: int


def today_local() -> dt.date:
    return workdays.local_date(timezone.now())


def reminders_sweep(*, today: dt.date | None = None) -> SweepResult:
    today = today or today_local()
    planned, cancelled = reminders_plan(today=today)
    delivered = reminders_deliver()
    return SweepResult(planned=planned, cancelled=cancelled, delivered=delivered)


class _StageClock:
    """Stage of a due date as seen today; cached, as 100k items share few dates."""

    def __init__(self, today: dt.date, warn_days: int) -> None:
        self.today = today
        self.warn_days = warn_days
        self._cache: dict[dt.date, str | None] = {}

    def __call__(self, due_on: dt.date) -> str | None:
        if due_on not in self._cache:
            left = workdays.clock(due_on, self.today).working_days_left
            if left < 0:
                stage = Stage.OVERDUE
            elif left == 0:
                stage = Stage.DUE
            elif left <= self.warn_days:
                stage = Stage.WARNING
            else:
                stage = None
            self._cache[due_on] = stage
        return self._cache[due_on]


def _title(label: str, item: DueItem, stage: str, *, escalation: bool) -> str:
    due = f"{item.due_on.day} {item.due_on:%B %Y}"
    if stage == Stage.WARNING:
        text = f"{label} for {item.reference} is due on {due}"
    elif stage == Stage.DUE:
        text = f"{label} for {item.reference} is due today"
    else:
        text = f"Overdue: {label.lower()} for {item.reference} was due on {due}"
        if escalation:
            text += " (escalated to you as a manager)"
    return text[:200]


PLAN_FIELDS = (
    "subject_key",
    "kind",
    "stage",
    "due_on",
    "recipient",
    "is_escalation",
    "title",
    "reference",
    "link_path",
    "status",
    "created_at",
    "by_digest",
)
Key = tuple[str, str, str, dt.date, int]


def _recipients(item: DueItem, stage: str) -> Iterable[tuple[int, bool]]:
    responsible = set(item.responsible)
    for user_id in responsible:
        yield user_id, False
    if stage == Stage.OVERDUE:
        for user_id in set(item.managers) - responsible:
            yield user_id, True


def _planned_keys(earliest: dt.date, horizon: dt.date) -> set[Key]:
    """Reminders already written for these due dates, so a rerun writes nothing."""
    return set(
        ReminderDelivery.objects.filter(due_on__gte=earliest, due_on__lte=horizon).values_list(
            "subject_key", "kind", "stage", "due_on", "recipient_id"
        )
    )


def reminders_plan(*, today: dt.date) -> tuple[int, int]:
    """Write a pending row for every reminder due today; return (rows written, cancelled)."""
    warn_days = settings.REMINDER_WARN_WORKING_DAYS
    horizon = workdays.add_working_days(today, warn_days)
    stage_of = _StageClock(today, warn_days)
    items: list[tuple[str, str, DueItem, str]] = []
    failed_kinds: set[str] = set()
    for registration in registrations():
        try:
            for item in registration.provider(horizon):
                stage = stage_of(item.due_on)
                if stage is not None:
                    items.append((registration.kind, registration.label, item, stage))
        except Exception:
            # One broken provider must not stop the others' reminders, nor
            # cancel its own pending ones as if everything were done.
            log.exception("Reminder provider %s failed", registration.kind)
            failed_kinds.add(registration.kind)
    live = {(item.subject, kind, item.due_on, stage) for kind, _, item, stage in items}
    earliest = min((item.due_on for _, _, item, _ in items), default=today)
    planned = _planned_keys(earliest, horizon)
    now = db_datetime(timezone.now())
    dates: dict[dt.date, object] = {}
    rows: list[tuple] = []
    written = 0
    for kind, label, item, stage in items:
        for user_id, escalation in _recipients(item, stage):
            if (item.subject, kind, stage, item.due_on, user_id) in planned:
                continue
            if item.due_on not in dates:
                dates[item.due_on] = db_date(item.due_on)
            rows.append(
                (
                    item.subject,
                    kind,
                    stage,
                    dates[item.due_on],
                    user_id,
                    escalation,
                    _title(label, item, stage, escalation=escalation),
                    item.reference,
                    item.link_path,
                    ReminderDelivery.Status.PENDING,
                    now,
                    False,
                )
            )
            if len(rows) >= INSERT_BATCH:
                written += _insert_planned(rows)
    written += _insert_planned(rows)
    return written, _cancel_stale(live, failed_kinds)


def _insert_planned(rows: list[tuple]) -> int:
    # ON CONFLICT DO NOTHING: what another sweep wrote meanwhile stays as it is.
    with transaction.atomic():
        insert_rows(ReminderDelivery, PLAN_FIELDS, rows, ignore_conflicts=True)
    count = len(rows)
    rows.clear()
    return count


def _cancel_stale(live: set[tuple[str, str, dt.date, str]], failed_kinds: set[str]) -> int:
    """Pending reminders for items now done, whose due date moved, or whose stage
    has passed (a warning never sent once the item is due) are not sent."""
    stale = [
        pk
        for pk, subject, kind, due_on, stage in ReminderDelivery.objects.filter(
            status=ReminderDelivery.Status.PENDING
        ).values_list("pk", "subject_key", "kind", "due_on", "stage")
        if kind not in failed_kinds and (subject, kind, due_on, stage) not in live
    ]
    cancelled = 0
    for start in range(0, len(stale), 1000):
        cancelled += ReminderDelivery.objects.filter(
            pk__in=stale[start : start + 1000], status=ReminderDelivery.Status.PENDING
        ).update(status=ReminderDelivery.Status.CANCELLED)
    return cancelled


def reminders_deliver(*, batch_size: int = DELIVER_BATCH) -> int:
    """Deliver pending reminders in batches, one transaction each; return how many."""
    delivered = 0
    after = 0
    while True:
        count, after = _deliver_batch(after=after, batch_size=batch_size)
        if after == 0:
            return delivered
        delivered += count


NOTE_FIELDS = (
    "id",
    "recipient",
    "kind",
    "dedupe_key",
    "title",
    "reference",
    "link_path",
    "is_urgent",
    "created_at",
)
EMAIL_FIELDS = (
    "id",
    "notification",
    "to_address",
    "subject",
    "body",
    "status",
    "attempts",
    "last_error",
    "created_at",
)


def dedupe_key(subject: str, kind: str, stage: str, due_on: dt.date) -> str:
    return f"reminder:{subject}:{kind}:{stage}:{due_on.isoformat()}"


def _deliver_batch(*, after: int, batch_size: int) -> tuple[int, int]:
    with transaction.atomic():
        pending = ReminderDelivery.objects.filter(
            status=ReminderDelivery.Status.PENDING, pk__gt=after
        ).order_by("pk")
        if connection.features.has_select_for_update_skip_locked:
            # Two sweeps at once take different rows instead of waiting or doubling.
            pending = pending.select_for_update(skip_locked=True)
        rows = list(
            pending.values_list(
                "pk",
                "recipient_id",
                "subject_key",
                "kind",
                "stage",
                "due_on",
                "title",
                "reference",
                "link_path",
            )[:batch_size]
        )
        if not rows:
            return 0, 0
        recipient_ids = {row[1] for row in rows}
        people = dict(
            get_user_model()
            .objects.filter(pk__in=recipient_ids, is_active=True)
            .values_list("pk", "email")
        )
        digest_users = set(
            NotificationPreference.objects.filter(
                user_id__in=recipient_ids,
                reminder_email=NotificationPreference.ReminderEmail.DAILY_DIGEST,
            ).values_list("user_id", flat=True)
        )
        now = timezone.now()
        created = db_datetime(now)
        notes: list[tuple] = []
        emails: list[tuple] = []
        email_ids: list[str] = []
        by_digest: list[int] = []
        sent: list[int] = []
        cancelled: list[int] = []
        for pk, user_id, subject, kind, stage, due_on, title, reference, link_path in rows:
            if user_id not in people:
                cancelled.append(pk)  # deactivated since the sweep planned it
                continue
            sent.append(pk)
            note_id = db_uuid(uuid.uuid4())
            key = dedupe_key(subject, kind, stage, due_on)
            notes.append(
                (note_id, user_id, f"reminder_{stage}", key, title, reference, link_path, False)
                + (created,)
            )
            address = people[user_id]
            if not address:
                continue
            if user_id in digest_users:
                by_digest.append(pk)
                continue
            email_id = uuid.uuid4()
            email_ids.append(str(email_id))
            emails.append(
                (
                    db_uuid(email_id),
                    note_id,
                    address,
                    f"Safeguard reminder: {reference or title}"[:200],
                    email_body(title=title, reference=reference, link_path=link_path),
                    OutboundEmail.Status.PENDING,
                    0,
                    "",
                    created,
                )
            )
        # Plain inserts: each notification key is new, as this transaction holds its row.
        insert_rows(Notification, NOTE_FIELDS, notes)
        insert_rows(OutboundEmail, EMAIL_FIELDS, emails)
        ReminderDelivery.objects.filter(pk__in=sent).update(
            status=ReminderDelivery.Status.SENT, sent_at=now
        )
        if by_digest:
            ReminderDelivery.objects.filter(pk__in=by_digest).update(by_digest=True)
        if cancelled:
            ReminderDelivery.objects.filter(pk__in=cancelled).update(
                status=ReminderDelivery.Status.CANCELLED
            )
        dispatch_emails(email_ids)
        return len(sent), rows[-1][0]
