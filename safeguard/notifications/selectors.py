from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Case as Choose  # SQL CASE, not a safeguarding case
from django.db.models import (
    CharField,
    Count,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import Cast

from safeguard.notifications.models import Notification


def notifications_for(user: AbstractBaseUser) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)


def unread_count_for(user: AbstractBaseUser) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


@dataclass(frozen=True, slots=True)
class NotificationGroup:
    """Every notification of one kind about one thing (a case, a meeting: its
    reference), shown as one line: the newest one's words and link, and how
    many there are. Five "new action" lines on one case become one line."""

    kind: str
    reference: str
    count: int
    unread: int
    urgent: bool
    latest_at: dt.datetime
    latest_id: uuid.UUID
    title: str
    link_path: str


def _group_key():
    # A notification that names nothing (no reference) is a group of its own:
    # two such are not known to be about the same thing.
    return Choose(
        When(reference="", then=Cast("id", CharField())),
        default=F("reference"),
        output_field=CharField(),
    )


def notification_groups_for(user: AbstractBaseUser, *, unread_only: bool = False) -> QuerySet[dict]:
    """The person's notifications grouped by kind and reference, newest first,
    as rows for ``NotificationGroup`` (``groups(rows)``); one query."""
    mine = Notification.objects.filter(recipient=user)
    if unread_only:
        mine = mine.filter(read_at__isnull=True)
    newest = (
        mine.annotate(g=_group_key())
        .filter(kind=OuterRef("kind"), g=OuterRef("g"))
        .order_by("-created_at", "-id")
    )
    return (
        mine.annotate(g=_group_key())
        .values("kind", "g")
        .annotate(
            count=Count("id"),
            unread=Count("id", filter=Q(read_at__isnull=True)),
            urgent_count=Count("id", filter=Q(is_urgent=True, read_at__isnull=True)),
            latest_at=Max("created_at"),
            latest_id=Subquery(newest.values("id")[:1]),
            title=Subquery(newest.values("title")[:1]),
            link_path=Subquery(newest.values("link_path")[:1]),
            reference=Subquery(newest.values("reference")[:1]),
        )
        .order_by("-latest_at", "g")
    )


GROUP_COLUMNS = (
    "kind",
    "g",
    "count",
    "unread",
    "urgent_count",
    "latest_at",
    "latest_id",
    "title",
    "link_path",
    "reference",
)


def groups(rows) -> list[NotificationGroup]:
    return [
        NotificationGroup(
            kind=row["kind"],
            reference=row["reference"],
            count=row["count"],
            unread=row["unread"],
            urgent=row["urgent_count"] > 0,
            latest_at=row["latest_at"],
            latest_id=row["latest_id"],
            title=row["title"],
            link_path=row["link_path"],
        )
        for row in rows
    ]


def reminder_email_preference(user: AbstractBaseUser) -> str:
    from safeguard.notifications.models import NotificationPreference

    found = NotificationPreference.objects.filter(user=user).values_list(
        "reminder_email", flat=True
    )
    return next(iter(found), NotificationPreference.ReminderEmail.IMMEDIATE)
