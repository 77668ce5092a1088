"""Real concurrent transactions on PostgreSQL: N threads, each with its own
database connection, released together by a barrier, making the same change."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import connection, transaction

from safeguard.audit.models import AuditEvent
from safeguard.audit.services import audit_seal
from safeguard.audit.verification import verify_chain

N = 8


@dataclass
class Outcome:
    value: Any = None
    error: BaseException | None = None


@dataclass
class Race:
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def wins(self) -> list[Any]:
        return [o.value for o in self.outcomes if o.error is None]

    @property
    def errors(self) -> list[BaseException]:
        return [o.error for o in self.outcomes if o.error is not None]

    def refused(self, kind: type[BaseException]) -> list[BaseException]:
        return [e for e in self.errors if isinstance(e, kind)]

    def assert_only(self, *kinds: type[BaseException]) -> None:
        """Every failure is one of the clear answers expected: nothing unexpected
        (an IntegrityError, a deadlock, a server error) escaped."""
        unexpected = [e for e in self.errors if not isinstance(e, kinds)]
        assert not unexpected, [f"{type(e).__name__}: {e}" for e in unexpected]


def at_once(calls: Sequence[Callable[[], Any]], *, atomic: bool = True) -> Race:
    """Run each call in its own thread and connection, all released at once by a
    barrier; each in one transaction, as a request is (ATOMIC_REQUESTS)."""
    barrier = threading.Barrier(len(calls))
    outcomes = [Outcome() for _ in calls]

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            connection.ensure_connection()  # connect before the start, not in the race
            barrier.wait(timeout=30)
            if atomic:
                with transaction.atomic():
                    outcomes[i].value = call()
            else:
                outcomes[i].value = call()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            outcomes[i].error = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
        assert not thread.is_alive(), "a racer never finished (a lock never released?)"
    return Race(outcomes)


def wait_for_lock_waiters(count: int, timeout: float = 10.0) -> int:
    """Block until ``count`` other sessions of this database wait on a row lock
    (so a test knows they reached the lock); return how many did."""
    deadline = time.monotonic() + timeout
    waiting = 0
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            # Within a transaction the activity view is a snapshot: refresh it.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            waiting = cursor.fetchone()[0]
            if waiting >= count:
                break
            time.sleep(0.02)
    return waiting


def audit_count(event: str, **filters: Any) -> int:
    return AuditEvent.objects.filter(event=event, **filters).count()


@pytest.fixture(autouse=True)
def _audit_chain_checked_after(settings, tmp_path):
    """After every race the audit log still seals into one chain that verifies."""
    settings.AUDIT_CHECKPOINT_DIR = str(tmp_path / "audit-checkpoints")
    settings.AUDIT_CHECKPOINT_SECONDS = 0
    yield
    audit_seal()
    report = verify_chain()
    assert report.ok, report.problems
    assert report.rows_checked > 0  # the races' own rows were sealed and checked
