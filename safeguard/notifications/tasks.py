"""Thin Celery tasks over the outbox and the reminder rows.

Every task is safe to run twice, or twice at once: the database decides what
is left to do (claims, unique keys), Celery only executes. Acknowledged late
and rejected on a lost worker (settings), so a killed worker's message comes
back; the sweeps recover anything the broker lost.
"""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.utils import timezone

from safeguard.notifications.models import OutboundEmail

log = logging.getLogger(__name__)

RELIABLE = {"acks_late": True, "reject_on_worker_lost": True}


def _stuck_after() -> dt.timedelta:
    # A row claimed longer ago than this is taken to belong to a dead worker.
    # Keep it above the slowest SMTP send: past it, a send may happen twice.
    return dt.timedelta(seconds=settings.OUTBOX_STUCK_SECONDS)


class SendFailed(Exception):
    pass


def _send_one(email_id: str) -> str:
    """Claim one outbox row and send it. Raises SendFailed (row back to pending)."""
    now = timezone.now()
    claimed = OutboundEmail.objects.filter(
        Q(status=OutboundEmail.Status.PENDING)
        | Q(status=OutboundEmail.Status.SENDING, claimed_at__lt=now - _stuck_after()),
        id=email_id,
    ).update(status=OutboundEmail.Status.SENDING, claimed_at=now)
    if not claimed:
        return "already handled"
    email = OutboundEmail.objects.get(id=email_id)
    try:
        send_mail(email.subject, email.body, None, [email.to_address])
    except Exception as exc:
        OutboundEmail.objects.filter(id=email_id).update(
            status=OutboundEmail.Status.PENDING,
            attempts=email.attempts + 1,
            last_error=str(exc)[:500],
        )
        raise SendFailed(str(exc)) from exc
    OutboundEmail.objects.filter(id=email_id).update(
        status=OutboundEmail.Status.SENT, sent_at=timezone.now(), attempts=email.attempts + 1
    )
    return "sent"


@shared_task(bind=True, max_retries=5, default_retry_delay=30, **RELIABLE)
def send_email(self, email_id: str) -> str:
    try:
        return _send_one(email_id)
    except SendFailed as exc:
        raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc


@shared_task(bind=True, max_retries=5, **RELIABLE)
def send_emails(self, email_ids: list[str]) -> int:
    """Send a batch; retry only the ones that failed, with backoff."""
    failed: list[str] = []
    sent = 0
    for email_id in email_ids:
        try:
            sent += _send_one(email_id) == "sent"
        except SendFailed:
            failed.append(email_id)
    if failed:
        raise self.retry(args=[failed], countdown=30 * 2**self.request.retries)
    return sent


@shared_task(**RELIABLE)
def sweep_outbox() -> int:
    """Re-dispatch e-mails whose message was lost (broker down, worker killed)."""
    now = timezone.now()
    grace = dt.timedelta(seconds=settings.OUTBOX_PENDING_GRACE_SECONDS)
    due = list(
        OutboundEmail.objects.filter(
            Q(status=OutboundEmail.Status.PENDING, created_at__lt=now - grace)
            | Q(status=OutboundEmail.Status.SENDING, claimed_at__lt=now - _stuck_after())
        )
        .order_by("created_at")
        .values_list("id", flat=True)[:5000]
    )
    ids = [str(pk) for pk in due]
    for start in range(0, len(ids), 100):
        send_emails.apply_async(args=[ids[start : start + 100]])
    return len(ids)


@shared_task(**RELIABLE)
def sweep_reminders() -> dict:
    """Beat's reminder sweep: plan what came due, deliver it. Idempotent."""
    from safeguard.notifications.reminder_sweep import reminders_sweep

    result = reminders_sweep()
    log.info(
        "Reminder sweep: %d offered, %d cancelled, %d delivered",
        result.planned,
        result.cancelled,
        result.delivered,
    )
    return {"planned": result.planned, "cancelled": result.cancelled, "delivered": result.delivered}


@shared_task(**RELIABLE)
def send_reminder_digests() -> int:
    """Once the digest hour has passed, one e-mail per person for today (unique per day)."""
    from safeguard.notifications.digest import digests_send

    return digests_send()


@shared_task(**RELIABLE)
def heartbeat() -> str:
    """Scheduled by beat, run by a worker: if it ran lately, both are alive."""
    from safeguard.notifications.heartbeat import heartbeat_record

    heartbeat_record("beat")
    heartbeat_record("worker")
    return "ok"
