"""Worker liveness from Celery's own signals (only fire inside a worker)."""

from __future__ import annotations

import logging

from celery.signals import task_postrun, worker_ready

log = logging.getLogger(__name__)


@worker_ready.connect
def _worker_started(**kwargs) -> None:
    _record()


@task_postrun.connect
def _worker_ran_a_task(**kwargs) -> None:
    _record()


def _record() -> None:
    from django.conf import settings

    if settings.CELERY_TASK_ALWAYS_EAGER:
        return  # tasks run in the web process or a test: that is no worker
    try:
        from safeguard.notifications.heartbeat import heartbeat_record_throttled

        heartbeat_record_throttled("worker")
    except Exception:  # noqa: BLE001 - liveness must never fail a task
        log.warning("Could not record the worker heartbeat", exc_info=True)
