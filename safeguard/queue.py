"""Hand work to a Celery worker by the task's registered name.

Services enqueue through here rather than importing the ``tasks`` modules,
which import the services they wrap: the task name is the only thing the two
share, so the import graph stays one-way (tasks → services). Looking the task
up in the app's registry (not ``send_task``) keeps what the task object gives:
eager mode in unit tests, the routes in ``CELERY_TASK_ROUTES`` and the
attributes a test patches on the task.

A dead broker never fails the caller's page: the exception is logged and
``False`` returned, and the caller's database sweep sends the work again.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

log = logging.getLogger(__name__)


def _task(name: str):
    from safeguard.celery import app

    try:
        return app.tasks[name]
    except KeyError:
        # In a web process nothing may have imported the tasks modules yet:
        # run Celery's autodiscovery (every installed app's ``tasks``) once.
        app.loader.import_default_modules()
        return app.tasks[name]


def enqueue(task_name: str, *, args: Sequence[Any] = (), **options: Any) -> bool:
    """Queue ``task_name`` with ``args`` (ids, never objects); ``False`` if the
    broker refused, which the caller's outbox sweep makes good."""
    try:
        _task(task_name).apply_async(args=list(args), retry=False, **options)
    except Exception:  # noqa: BLE001 - a dead broker must not fail the user's page
        log.warning("Could not queue %s; the sweep will retry", task_name)
        return False
    return True
