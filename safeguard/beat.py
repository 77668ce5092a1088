"""Periodic work, declared by the apps: the beat schedule registry.

``safeguard`` names no domain app. Each app registers its periodic tasks in its
``AppConfig.ready()``; the Celery beat (``safeguard.celery``) reads the
registry when it starts, after Django has loaded every app.

Messages beat sends expire rather than pile up while no worker runs: the next
tick sends a fresh one. The database holds the work to do (outbox and reminder
rows), so a skipped tick loses nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

_entries: dict[str, dict[str, Any]] = {}


def register(name: str, *, task: str, every_seconds: float) -> None:
    """Run ``task`` (its Celery name) every ``every_seconds``; registering a
    name again replaces its entry, so a reloaded app does not double it."""
    _entries[name] = {
        "task": task,
        "schedule": float(every_seconds),
        "options": {"expires": float(every_seconds)},
    }


def schedule() -> dict[str, dict[str, Any]]:
    """The whole beat schedule: every app's entries."""
    return {name: dict(entry) for name, entry in _entries.items()}


class AppSchedule(Mapping):
    """The schedule as Celery reads it: looked up in the registry when read,
    so the Celery app can be configured before the apps have registered."""

    def __getitem__(self, name: str) -> dict[str, Any]:
        return dict(_entries[name])

    def __iter__(self) -> Iterator[str]:
        return iter(dict(_entries))

    def __len__(self) -> int:
        return len(_entries)
