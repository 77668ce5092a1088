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
    """Create one notification (and e-mail) per recipient, at most once per dedupe key.

    Three queries however many recipients (those already told, then the rows
    in two inserts); if someone else tells one of them at the same moment the
    batch is refused whole and each recipient is tried on their own."""
    people = {u.pk: u for u in recipients}
    if not people:
        return []
    told = set(
        Notification.objects.filter(recipient__in=list(people), dedupe_key=dedupe_key).values_list(
            "recipient_id", flat=True
        )
    )
    fields = {
        "kind": kind,
        "dedupe_key": dedupe_key,
        "title": title,
        "reference": reference,
        "link_path": link_path,
        "is_urgent": urgent,
    }
    pending = [u for pk, u in people.items() if pk not in told]
    try:
        with transaction.atomic():
            created = Notification.objects.bulk_create(
                [Notification(recipient=user, **fields) for user in pending]
            )
            emails = OutboundEmail.objects.bulk_create(
                [
                    _email(
                        note,
                        user,
                        urgent=urgent,
                        title=title,
                        reference=reference,
                        link_path=link_path,
                    )
                    for note, user in zip(created, pending, strict=True)
                    if user.email
                ]
            )
    except IntegrityError:
        created, emails = _notify_one_by_one(pending, fields)
    # One publish for the whole transaction, after it commits: a dead broker
    # costs the page one failed attempt, not one per recipient.
    dispatch_emails([str(e.pk) for e in emails])
    return created


def _email(
    note: Notification, user, *, urgent: bool, title: str, reference: str, link_path: str
) -> OutboundEmail:
    return OutboundEmail(
        notification=note,
        to_address=user.email,
        subject=f"{'URGENT: ' if urgent else ''}Safeguard: {reference or title}",
        body=email_body(title=title, reference=reference, link_path=link_path),
    )


def _notify_one_by_one(
    people: list[AbstractBaseUser], fields: dict
) -> tuple[list[Notification], list[OutboundEmail]]:
    created: list[Notification] = []
    emails: list[OutboundEmail] = []
    for user in people:
        try:
            with transaction.atomic():
                note = Notification.objects.create(recipient=user, **fields)
                email = (
                    _email(
                        note,
                        user,
                        urgent=fields["is_urgent"],
                        title=fields["title"],
                        reference=fields["reference"],
                        link_path=fields["link_path"],
                    )
                    if user.email
                    else None
                )
                if email is not None:
                    email.save()
                    emails.append(email)
        except IntegrityError:
            continue  # already notified for this key: exactly once
        created.append(note)
    return created, emails


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
