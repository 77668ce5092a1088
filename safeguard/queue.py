"""Hand work to a Celery worker by the task's registered name.

Services enqueue through here rather than importing the ``tasks`` modules,
which import the services they wrap: the task name is the only thing the two
share, so the import graph stays one-way (tasks → services). Looking the task
up in the app's registry (not ``send_task``) keeps what the task object gives:
eager mode in unit tests, the routes in ``CELERY_TASK_ROUTES`` and the
attributes a test patches on the task.

A dead broker costs a page milliseconds, never seconds, and never fails it:

- work for one transaction is published once, after commit, over one
  connection (``enqueue_on_commit`` gathers it; ``publish`` sends the lot);
- that connection gives up after ``BROKER_PUBLISH_TIMEOUT_SECONDS`` (connect
  and each socket operation) and is never retried in the request: kombu's own
  connect loop would wait out ``CELERY_BROKER_CONNECTION_TIMEOUT`` (2 s) per
  message even when the port refuses at once;
- after a failure this process does not try again for
  ``BROKER_RETRY_AFTER_SECONDS``: the rows wait in PostgreSQL and the callers'
  database sweeps hand them out when the broker is back.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction

log = logging.getLogger(__name__)

Message = tuple[str, Sequence[Any], dict[str, Any]]


class _Breaker:
    """This process's memory that the broker was down a moment ago."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._down_until = 0.0

    def is_open(self) -> bool:
        return time.monotonic() < self._down_until

    def trip(self) -> None:
        with self._lock:
            self._down_until = time.monotonic() + settings.BROKER_RETRY_AFTER_SECONDS

    def reset(self) -> None:
        with self._lock:
            self._down_until = 0.0


breaker = _Breaker()


def _app():
    from safeguard.celery import app

    return app


def _task(name: str):
    app = _app()
    try:
        return app.tasks[name]
    except KeyError:
        # In a web process nothing may have imported the tasks modules yet:
        # run Celery's autodiscovery (every installed app's ``tasks``) once.
        app.loader.import_default_modules()
        return app.tasks[name]


def _new_connection():
    """A connection of its own that fails fast: short socket timeouts, no
    connect retries (the broker's pooled connections wait seconds)."""
    app = _app()
    timeout = settings.BROKER_PUBLISH_TIMEOUT_SECONDS
    options = {
        **(app.conf.broker_transport_options or {}),
        "socket_connect_timeout": timeout,
        "socket_timeout": timeout,
        "max_retries": 0,
    }
    return app.connection_for_write(connect_timeout=timeout, transport_options=options)


class _Connections(threading.local):
    """One publishing connection per thread, kept open: a new connection per
    transaction costs tens of milliseconds of channel setup."""

    connection = None

    def drop(self) -> None:
        if self.connection is not None:
            # Already broken, most likely: nothing on it is worth keeping.
            with contextlib.suppress(Exception):
                self.connection.release()
        self.connection = None


_connections = _Connections()


def forget_broker() -> None:
    """Drop this thread's publishing connection and the memory of a failure
    (a test that points the app at another broker)."""
    _connections.drop()
    breaker.reset()


def _send(connection, messages: Sequence[Message]) -> None:
    connection.ensure_connection(max_retries=0)
    for name, args, options in messages:
        _task(name).apply_async(args=list(args), retry=False, connection=connection, **options)


def publish(messages: Sequence[Message]) -> bool:
    """Send ``(task name, args, options)`` messages over one connection.

    ``False`` if the broker is down (now, or a moment ago): the caller's
    database rows stay pending and its sweep sends them later."""
    if not messages:
        return True
    app = _app()
    if app.conf.task_always_eager:  # unit tests: run here, and fail as a broker would
        try:
            for name, args, options in messages:
                _task(name).apply_async(args=list(args), **options)
        except Exception:  # noqa: BLE001 - never the user's page
            log.warning("Could not queue %d message(s); the sweep will retry", len(messages))
            return False
        return True
    if breaker.is_open():
        log.warning("Broker down a moment ago: %d message(s) left to the sweep", len(messages))
        return False
    kept = _connections.connection is not None
    for attempt in (1, 2):
        if _connections.connection is None:
            _connections.connection = _new_connection()
        try:
            _send(_connections.connection, messages)
            return True
        except Exception:  # noqa: BLE001 - a dead broker must not fail the user's page
            _connections.drop()
            # A kept connection may only be stale (Redis restarted since): one
            # fresh try. A fresh connection that fails means the broker is down.
            if attempt == 1 and kept:
                continue
            breaker.trip()
            log.warning("Could not queue %d message(s); the sweep will retry", len(messages))
            return False
    return False


def enqueue(task_name: str, *, args: Sequence[Any] = (), **options: Any) -> bool:
    """Queue ``task_name`` with ``args`` (ids, never objects) now; ``False`` if
    the broker refused, which the caller's outbox sweep makes good."""
    return publish([(task_name, args, options)])


class _Pending:
    """Items gathered for after this transaction's commit, per database connection."""

    def __init__(self) -> None:
        self.items: dict[str, list[str]] = {}
        self.per_message: dict[str, int] = {}


def _pending() -> _Pending:
    connection = transaction.get_connection()
    pending = getattr(connection, "_safeguard_queue_pending", None)
    if pending is None:
        pending = connection._safeguard_queue_pending = _Pending()
    return pending


def enqueue_on_commit(task_name: str, items: Sequence[str], *, per_message: int = 100) -> None:
    """After the current transaction commits, queue ``task_name`` for ``items``.

    ``task_name`` takes a list of ids. However many calls a transaction makes,
    its items go in one publish (``per_message`` ids a message), so a dead
    broker is found out once per transaction, not once per recipient. Ids of
    a rolled-back transaction may ride along with the next one's: the tasks
    claim rows by id, so an id with no row is a no-op."""
    if not items:
        return
    pending = _pending()
    pending.items.setdefault(task_name, []).extend(items)
    pending.per_message[task_name] = per_message

    def flush() -> None:
        gathered, pending.items = pending.items, {}
        messages: list[Message] = []
        for name, ids in gathered.items():
            size = pending.per_message.get(name, per_message)
            unique = list(dict.fromkeys(ids))
            messages.extend(
                (name, [unique[start : start + size]], {}) for start in range(0, len(unique), size)
            )
        if messages and not publish(messages):
            log.warning("%d item(s) wait for the sweep", sum(len(i) for i in gathered.values()))

    # Registered on every call (a flush after the first finds nothing left):
    # a callback registered inside a savepoint that rolls back is dropped, and
    # the items after it must still go.
    transaction.on_commit(flush)
