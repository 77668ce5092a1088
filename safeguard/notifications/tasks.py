"""Thin Celery tasks over the outbox. Safe to run twice: the claim is atomic."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.core.mail import send_mail
from django.db.models import Q
from django.utils import timezone

from .models import OutboundEmail

# A row claimed longer ago than this is taken to belong to a dead worker.
STUCK_AFTER = dt.timedelta(minutes=10)


@shared_task(bind=True, acks_late=True, max_retries=5, default_retry_delay=30)
def send_email(self, email_id: str) -> str:
    now = timezone.now()
    claimed = OutboundEmail.objects.filter(
        Q(status=OutboundEmail.Status.PENDING)
        | Q(status=OutboundEmail.Status.SENDING, claimed_at__lt=now - STUCK_AFTER),
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
        raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc
    OutboundEmail.objects.filter(id=email_id).update(
        status=OutboundEmail.Status.SENT, sent_at=timezone.now(), attempts=email.attempts + 1
    )
    return "sent"


@shared_task(acks_late=True)
def sweep_outbox() -> int:
    """Re-dispatch e-mails whose message was lost (broker down, worker killed)."""
    now = timezone.now()
    due = OutboundEmail.objects.filter(
        Q(status=OutboundEmail.Status.PENDING, created_at__lt=now - dt.timedelta(seconds=30))
        | Q(status=OutboundEmail.Status.SENDING, claimed_at__lt=now - STUCK_AFTER)
    ).values_list("id", flat=True)[:500]
    count = 0
    for email_id in due:
        send_email.apply_async(args=[str(email_id)])
        count += 1
    return count
