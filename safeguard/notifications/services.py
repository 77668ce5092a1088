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
from safeguard.queue import enqueue_on_commit

log = logging.getLogger(__name__)
EMAILS_PER_TASK = 100
# By name, not by import: the tasks module imports this one (safeguard.queue).
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
    email_ids: list[str] = []
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
                    email_ids.append(str(email.pk))
        except IntegrityError:
            continue  # already notified for this key: exactly once
        created.append(note)
    # One publish for the whole transaction, after it commits: a dead broker
    # costs the page one failed attempt, not one per recipient.
    dispatch_emails(email_ids)
    return created


def email_body(*, title: str, reference: str, link_path: str) -> str:
    link = settings.SITE_URL.rstrip("/") + link_path
    return (
        f"{title}\n\nReference: {reference}\n\nSign in to Safeguard to see the details:\n{link}\n\n"
        "This message contains no case details by design. Do not reply to it."
    )


def dispatch_emails(email_ids: list[str]) -> None:
    """Hand outbox rows to the workers once the transaction commits, in one
    publish with the rest of the transaction's e-mails (``EMAILS_PER_TASK`` a
    message). Failing there loses nothing: the outbox sweep sends them."""
    enqueue_on_commit(SEND_EMAILS, email_ids, per_message=EMAILS_PER_TASK)


def notification_mark_read(*, user: AbstractBaseUser, notification: Notification) -> None:
    """Opening a notification reads its whole group: every unread one of the
    same kind about the same thing (its reference), which the list showed as
    one line. One that names nothing is read alone."""
    if notification.recipient_id != user.pk:
        return
    group = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification.reference:
        group = group.filter(kind=notification.kind, reference=notification.reference)
    else:
        group = group.filter(pk=notification.pk)
    group.update(read_at=timezone.now())


def reminder_preference_set(*, user: AbstractBaseUser, reminder_email: str) -> None:
    """Immediate e-mails or one daily digest; a change applies from the next reminder."""
    from safeguard.notifications.models import NotificationPreference

    NotificationPreference.objects.update_or_create(
        user=user, defaults={"reminder_email": reminder_email}
    )
