"""The daily digest: one e-mail a day listing a person's reminders by reference.

Exactly once per person per day: the ``ReminderDigest`` row (unique on
recipient and day) is written in the same transaction as the e-mail and the
reminders it lists, so a second run, or a crash and retry, sends nothing more.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from safeguard import workdays
from safeguard.notifications.models import OutboundEmail, ReminderDelivery, ReminderDigest
from safeguard.notifications.services import dispatch_emails


def digests_send(*, now: dt.datetime | None = None) -> int:
    """Send today's digests if the digest hour has passed; return how many were sent."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.hour < settings.REMINDER_DIGEST_HOUR:
        return 0
    day = workdays.local_date(now)
    waiting = (
        ReminderDelivery.objects.filter(
            status=ReminderDelivery.Status.SENT, by_digest=True, digest__isnull=True
        )
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    return sum(_digest_for(user_id, day) for user_id in list(waiting))


def _digest_for(user_id: int, day: dt.date) -> bool:
    try:
        with transaction.atomic():
            digest = ReminderDigest.objects.create(recipient_id=user_id, day=day)
            rows = list(
                ReminderDelivery.objects.select_for_update()
                .filter(recipient_id=user_id, by_digest=True, digest__isnull=True)
                .order_by("due_on", "pk")
            )
            user = get_user_model().objects.get(pk=user_id)
            if not rows or not user.email:
                # Another run took them: leave the day free rather than mark it done.
                transaction.set_rollback(True)
                return False
            email = OutboundEmail.objects.create(
                to_address=user.email,
                subject=f"Safeguard: your reminders for {day.day} {day:%B %Y}",
                body=_body(rows),
            )
            digest.email = email
            digest.save(update_fields=["email"])
            ReminderDelivery.objects.filter(pk__in=[r.pk for r in rows]).update(digest=digest)
            dispatch_emails([str(email.pk)])
    except IntegrityError:
        return False  # today's digest went already; the rest waits for tomorrow's
    return True


def _body(rows: list[ReminderDelivery]) -> str:
    site = settings.SITE_URL.rstrip("/")
    lines = [f"- {row.title}\n  {site}{row.link_path}" for row in rows]
    return (
        f"You have {len(rows)} reminder{'s' if len(rows) != 1 else ''}:\n\n"
        + "\n".join(lines)
        + "\n\nSign in to Safeguard to see the details.\n\n"
        "This message contains no case details by design. Do not reply to it."
    )
