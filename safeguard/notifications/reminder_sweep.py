"""Sweep what comes due into reminders, and deliver each exactly once.

Two steps, each safe to run any number of times, concurrently:

1. **Plan**: ask every registered provider for its open items due on or before
   the horizon, work out the stage (warning, due, overdue) on the working-day
   clock, and insert one ``ReminderDelivery`` row per recipient with
   ``ON CONFLICT DO NOTHING`` on the unique key. A second sweep, or a second
   beat, inserts nothing. Pending rows whose item is done or whose due date
   moved are cancelled.
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

from .models import Notification, NotificationPreference, OutboundEmail, ReminderDelivery
from .registry import DueItem, registrations
from .services import dispatch_emails, email_body

log = logging.getLogger(__name__)

Stage = ReminderDelivery.Stage
INSERT_BATCH = 5000
DELIVER_BATCH = 500


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


def _rows_for(label: str, kind: str, item: DueItem, stage: str) -> Iterable[ReminderDelivery]:
    def row(user_id: int, *, escalation: bool) -> ReminderDelivery:
        return ReminderDelivery(
            subject_key=item.subject,
            kind=kind,
            stage=stage,
            due_on=item.due_on,
            recipient_id=user_id,
            is_escalation=escalation,
            title=_title(label, item, stage, escalation=escalation),
            reference=item.reference,
            link_path=item.link_path,
        )

    responsible = set(item.responsible)
    for user_id in responsible:
        yield row(user_id, escalation=False)
    if stage == Stage.OVERDUE:
        for user_id in set(item.managers) - responsible:
            yield row(user_id, escalation=True)


def reminders_plan(*, today: dt.date) -> tuple[int, int]:
    """Write a pending row for every reminder due today; return (rows offered, cancelled)."""
    warn_days = settings.REMINDER_WARN_WORKING_DAYS
    horizon = workdays.add_working_days(today, warn_days)
    stage_of = _StageClock(today, warn_days)
    live: set[tuple[str, str, dt.date]] = set()
    failed_kinds: set[str] = set()
    buffer: list[ReminderDelivery] = []
    offered = 0

    def flush() -> None:
        nonlocal offered
        if buffer:
            # ON CONFLICT DO NOTHING: what another sweep already wrote stays as it is.
            ReminderDelivery.objects.bulk_create(buffer, ignore_conflicts=True)
            offered += len(buffer)
            buffer.clear()

    for registration in registrations():
        try:
            for item in registration.provider(horizon):
                stage = stage_of(item.due_on)
                if stage is None:
                    continue
                live.add((item.subject, registration.kind, item.due_on))
                buffer.extend(_rows_for(registration.label, registration.kind, item, stage))
                if len(buffer) >= INSERT_BATCH:
                    flush()
        except Exception:
            # One broken provider must not stop the others' reminders, nor
            # cancel its own pending ones as if everything were done.
            log.exception("Reminder provider %s failed", registration.kind)
            failed_kinds.add(registration.kind)
    flush()
    return offered, _cancel_stale(live, failed_kinds)


def _cancel_stale(live: set[tuple[str, str, dt.date]], failed_kinds: set[str]) -> int:
    """Pending reminders for items now done, or whose due date moved, are not sent."""
    stale = [
        pk
        for pk, subject, kind, due_on in ReminderDelivery.objects.filter(
            status=ReminderDelivery.Status.PENDING
        ).values_list("pk", "subject_key", "kind", "due_on")
        if kind not in failed_kinds and (subject, kind, due_on) not in live
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


def _deliver_batch(*, after: int, batch_size: int) -> tuple[int, int]:
    with transaction.atomic():
        pending = ReminderDelivery.objects.filter(
            status=ReminderDelivery.Status.PENDING, pk__gt=after
        ).order_by("pk")
        if connection.features.has_select_for_update_skip_locked:
            # Two sweeps at once take different rows instead of waiting or doubling.
            pending = pending.select_for_update(skip_locked=True)
        rows = list(pending[:batch_size])
        if not rows:
            return 0, 0
        recipient_ids = {row.recipient_id for row in rows}
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
        notes: list[Notification] = []
        emails: list[OutboundEmail] = []
        by_digest: list[int] = []
        sent: list[int] = []
        cancelled: list[int] = []
        for row in rows:
            if row.recipient_id not in people:
                cancelled.append(row.pk)  # deactivated since the sweep planned it
                continue
            sent.append(row.pk)
            note = Notification(
                id=uuid.uuid4(),
                recipient_id=row.recipient_id,
                kind=f"reminder_{row.stage}",
                dedupe_key=row.dedupe_key,
                title=row.title,
                reference=row.reference,
                link_path=row.link_path,
            )
            notes.append(note)
            address = people[row.recipient_id]
            if not address:
                continue
            if row.recipient_id in digest_users:
                by_digest.append(row.pk)
                continue
            emails.append(
                OutboundEmail(
                    id=uuid.uuid4(),
                    notification=note,
                    to_address=address,
                    subject=f"Safeguard reminder: {row.reference or row.title}"[:200],
                    body=email_body(
                        title=row.title, reference=row.reference, link_path=row.link_path
                    ),
                )
            )
        Notification.objects.bulk_create(notes)
        OutboundEmail.objects.bulk_create(emails)
        now = timezone.now()
        ReminderDelivery.objects.filter(pk__in=sent).update(
            status=ReminderDelivery.Status.SENT, sent_at=now
        )
        if by_digest:
            ReminderDelivery.objects.filter(pk__in=by_digest).update(by_digest=True)
        if cancelled:
            ReminderDelivery.objects.filter(pk__in=cancelled).update(
                status=ReminderDelivery.Status.CANCELLED
            )
        email_ids = [str(email.pk) for email in emails]
        if email_ids:
            transaction.on_commit(lambda: dispatch_emails(email_ids))
        return len(sent), rows[-1].pk
