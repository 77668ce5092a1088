"""Liveness of beat and the workers, as rows in the database /healthz can read fast.

Beat schedules the ``heartbeat`` task every minute and a worker runs it, so a
recent "beat" row means both are alive; the worker also records itself when it
starts and, throttled, after its tasks, so an idle beat does not hide it.
"""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.utils import timezone

from safeguard.notifications.models import Heartbeat

_last_written: dict[str, float] = {}
WORKER_THROTTLE_SECONDS = 30.0


def heartbeat_record(name: str) -> None:
    Heartbeat.objects.update_or_create(name=name, defaults={"seen_at": timezone.now()})


def heartbeat_record_throttled(name: str) -> None:
    # After every task would be a write per task; twice a minute says enough.
    now = time.monotonic()
    if now - _last_written.get(name, -WORKER_THROTTLE_SECONDS) >= WORKER_THROTTLE_SECONDS:
        _last_written[name] = now
        heartbeat_record(name)


def heartbeat_state(name: str, seen: dict[str, dt.datetime]) -> dict:
    """{"ok": True | False | None, "detail": "ok" | "stale" | "never seen", "age_seconds": n}"""
    seen_at = seen.get(name)
    if seen_at is None:
        return {"ok": None, "detail": "never seen"}
    age = max(0, int((timezone.now() - seen_at).total_seconds()))
    ok = age <= settings.HEARTBEAT_STALE_SECONDS
    return {"ok": ok, "detail": "ok" if ok else "stale", "age_seconds": age}


def heartbeats() -> dict[str, dt.datetime]:
    return dict(Heartbeat.objects.values_list("name", "seen_at"))
