"""What comes due, declared by the apps: the reminder provider registry.

``safeguard.notifications`` knows nothing of cases or referrals. Each app
declares what comes due in its own ``reminders.py`` (found at start-up, the way
the admin finds ``admin.py``) with a provider: a function that takes the
*horizon* (the last due date worth reminding about today) and yields a
``DueItem`` for every open item due on or before it, overdue ones included.
An item that is done is simply not yielded, and its reminders stop.

    from safeguard.notifications.registry import DueItem, register

    @register("core_group", label="Core group meeting")
    def core_groups(horizon: datetime.date) -> Iterator[DueItem]:
        for meeting in Meeting.objects.filter(kind="core_group", held_at=None,
                                              due_on__lte=horizon):
            yield DueItem(
                subject=f"meeting:{meeting.pk}",
                due_on=meeting.due_on,
                reference=meeting.case.reference,
                link_path=reverse("meeting_detail", args=[meeting.pk]),
                responsible=(meeting.chair_id,),
                managers=tuple(manager_ids),
            )

Providers must query in bulk (``select_related``, one query for people by
agency): the sweep calls each once per run over every open item.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DueItem:
    """One thing that falls due. Ids only: no names or case details travel."""

    # Stable key of the thing itself, e.g. "concern:<uuid>"; with the kind and
    # due date it identifies the reminder.
    subject: str
    due_on: dt.date
    # The human reference shown and e-mailed (CON-2026-000123): never case details.
    reference: str
    link_path: str
    # User ids told ahead, on the day and when overdue.
    responsible: tuple[int, ...]
    # User ids the overdue reminder is escalated to.
    managers: tuple[int, ...] = ()


Provider = Callable[[dt.date], Iterable[DueItem]]


@dataclass(frozen=True, slots=True)
class Registration:
    kind: str
    label: str
    provider: Provider


_registry: dict[str, Registration] = {}


def register(kind: str, *, label: str) -> Callable[[Provider], Provider]:
    """Declare ``provider`` as the source of reminders of ``kind``.

    ``label`` names the kind in reminders ("Triage decision"); keep it free of
    case details, as it goes into e-mails.
    """
    if len(kind) > 40:
        raise ValueError(f"Reminder kind {kind!r} is longer than 40 characters")

    def decorator(provider: Provider) -> Provider:
        _registry[kind] = Registration(kind=kind, label=label, provider=provider)
        return provider

    return decorator


def registrations() -> list[Registration]:
    return list(_registry.values())


def label_for(kind: str) -> str:
    registration = _registry.get(kind)
    return registration.label if registration else kind.replace("_", " ").capitalize()


def discover() -> None:
    """Import every installed app's ``reminders`` module so its providers register."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("reminders")
