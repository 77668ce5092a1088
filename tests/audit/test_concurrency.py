"""On PostgreSQL, with real concurrent transactions: audited writers do not
wait for each other, and sealers running at once make one chain."""

import threading
import time

import pytest
from django.db import connection, transaction

from safeguard.audit.models import AuditEvent
from safeguard.audit.services import audit_record, audit_seal
from safeguard.audit.verification import verify_chain

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _in_thread(target, *args):
    """Run ``target`` in a thread with its own database connection; collect errors."""
    errors: list[BaseException] = []

    def run():
        try:
            target(*args)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


def test_an_open_transaction_does_not_block_other_audited_writers():
    first_wrote = threading.Event()
    second_committed = threading.Event()
    first_committed_at: list[float] = []
    second_committed_at: list[float] = []

    def slow_request():
        # A long request: writes its audit row, then keeps its transaction open.
        with transaction.atomic():
            audit_record(user=None, action="view", event="slow_request")
            first_wrote.set()
            assert second_committed.wait(timeout=15), "the second writer was blocked"
            # While it is still open, the sealer seals what is committed and
            # leaves this row for later.
            time.sleep(0.05)
        first_committed_at.append(time.monotonic())

    def quick_request():
        assert first_wrote.wait(timeout=15)
        with transaction.atomic():
            audit_record(user=None, action="view", event="quick_request")
        second_committed_at.append(time.monotonic())
        second_committed.set()

    slow, slow_errors = _in_thread(slow_request)
    quick, quick_errors = _in_thread(quick_request)
    quick.join(timeout=20)
    assert not quick_errors, quick_errors
    # The quick writer committed while the slow transaction was still open.
    assert second_committed_at and not first_committed_at
    # The sealer, too, runs alongside the open transaction: it seals the
    # committed row and cannot see the other yet.
    assert audit_seal().sealed == 1
    slow.join(timeout=20)
    assert not slow_errors, slow_errors
    assert second_committed_at[0] < first_committed_at[0]

    # The slow row, written first (lower id), commits last: it is sealed later,
    # at a later position. The chain's order is the order of sealing.
    assert audit_seal().sealed == 1
    slow_row = AuditEvent.objects.get(event="slow_request")
    quick_row = AuditEvent.objects.get(event="quick_request")
    assert slow_row.id < quick_row.id
    assert (quick_row.position, slow_row.position) == (1, 2)
    report = verify_chain()
    assert report.ok, report.problems


def test_many_writers_at_once_then_seal_and_verify():
    writers, per_writer = 8, 15
    start = threading.Barrier(writers)

    def writer(n):
        start.wait(timeout=15)
        for i in range(per_writer):
            with transaction.atomic():
                audit_record(user=None, action="view", event="burst", detail={"w": n, "i": i})

    threads = [_in_thread(writer, n) for n in range(writers)]
    for thread, errors in threads:
        thread.join(timeout=60)
        assert not errors, errors
    assert audit_seal().sealed == writers * per_writer
    report = verify_chain()
    assert report.ok, report.problems
    assert report.rows_checked == writers * per_writer


def test_two_sealers_at_once_make_one_chain():
    for _ in range(3):
        for i in range(100):
            audit_record(user=None, action="view", event="to_seal", detail={"i": i})
    start = threading.Barrier(2)
    sealed: list[int] = []

    def sealer():
        start.wait(timeout=15)
        sealed.append(audit_seal(batch_size=25).sealed)

    threads = [_in_thread(sealer) for _ in range(2)]
    for thread, errors in threads:
        thread.join(timeout=60)
        assert not errors, errors
    assert sum(sealed) == 300
    positions = list(AuditEvent.objects.order_by("position").values_list("position", flat=True))
    assert positions == list(range(1, 301))
    report = verify_chain()
    assert report.ok, report.problems
