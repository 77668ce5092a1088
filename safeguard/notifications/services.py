"""Notify people: an in-app notification and, where they have an address, an e-mail.

E-mails carry a reference and a link, never case details: mailboxes are
forwarded, shared and breached.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from safeguard.notifications.models import Notification, OutboundEmail
from safeguard.queue import enqueue

log = logging.getLogger(__name__)
EMAILS_PER_TASK = 100
# By name, not by import: the tasks module imports this one (safeguard.queue).
SEND_EMAIL = "safeguard.notifications.tasks.send_email"
SEND_EMAILS = "safeguard.notifications.tasks.send_emails"


def notify(
    *,
    recipients: Iterable[AbstractBaseUser],
    kind: str,
    dedupe_key: str,
    title: str,
    reference: str = "",
    link_path: str = "",
    urgent: bool = False,
) -> list[Notification]:
    """Create one notification (and e-mail) per recipient, at most once per dedupe key."""
    created: list[Notification] = []
    for user in {u.pk: u for u in recipients}.values():
        try:
            with transaction.atomic():
                note = Notification.objects.create(
                    recipient=user,
                    kind=kind,
                    dedupe_key=dedupe_key,
                    title=title,
                    reference=reference,
                    link_path=link_path,
                    is_urgent=urgent,
                )
                if user.email:
                    email = OutboundEmail.objects.create(
                        notification=note,
                        to_address=user.email,
                        subject=f"{'URGENT: ' if urgent else ''}Safeguard: {reference or title}",
                        body=email_body(title=title, reference=reference, link_path=link_path),
                    )
                    transaction.on_commit(lambda pk=email.pk: dispatch_email(pk))
        except IntegrityError:
            continue  # already notified for this key: exactly once
        created.append(note)
    return created


def email_body(*, title: str, reference: str, link_path: str) -> str:
    link = settings.SITE_URL.rstrip("/") + link_path
    return (
        f"{title}\n\nReference: {reference}\n\nSign in to Safeguard to see the details:\n{link}\n\n"
        "This message contains no case details by design. Do not reply to it."
    )


def dispatch_email(email_id) -> None:
    """Hand an outbox row to a worker. Failing here loses nothing: the sweep retries."""
    if not enqueue(SEND_EMAIL, args=[str(email_id)]):
        log.warning("E-mail %s waits for the outbox sweep", email_id)


def dispatch_emails(email_ids: list[str]) -> None:
    """Hand many outbox rows to the workers in a few messages rather than one each."""
    for start in range(0, len(email_ids), EMAILS_PER_TASK):
        if not enqueue(SEND_EMAILS, args=[email_ids[start : start + EMAILS_PER_TASK]]):
            log.warning("%d e-mails wait for the outbox sweep", len(email_ids) - start)
            return


def notification_mark_read(*, user: AbstractBaseUser, notification: Notification) -> None:
    if notification.recipient_id == user.pk and notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])


def reminder_preference_set(*, user: AbstractBaseUser, reminder_email: str) -> None:
    """Immediate e-mails or one daily digest; a change applies from the next reminder."""
    from safeguard.notifications.models import NotificationPreference

    NotificationPreference.objects.update_or_create(
        user=user, defaults={"reminder_email": reminder_email}
    )
