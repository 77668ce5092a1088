"""A database written by the old unkeyed chain upgrades without losing
verifiability: migration 0003 seals its rows into the keyed chain, keeping
each row's old hash, and verify_audit checks both."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from safeguard.audit import hashing
from safeguard.audit.models import AuditEvent
from safeguard.audit.services import audit_record, audit_seal
from safeguard.audit.verification import verify_chain

BEFORE = [("audit", "0002_append_only_trigger")]
AFTER = [("audit", "0003_sealed_keyed_chain")]


@pytest.fixture
def old_schema(transactional_db):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    yield executor.loader.project_state(BEFORE).apps
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def _upgrade() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)


def _write_legacy_rows(apps, n: int) -> list[int]:
    """Rows as the old audit_record wrote them: an unkeyed SHA-256 chain."""
    Event = apps.get_model("audit", "AuditEvent")
    Head = apps.get_model("audit", "AuditChainHead")
    previous = hashing.GENESIS
    ids = []
    start = timezone.now() - dt.timedelta(days=30)
    for i in range(n):
        row = Event(
            at=start + dt.timedelta(minutes=i),
            username=f"user{i}@la",
            action="view",
            event="case_viewed",
            object_type="case",
            object_id=str(i),
            object_reference=f"CASE-{i}",
            reason="",
            detail={"n": i, "words": ["a", "b"]},
            previous_hash=previous,
        )
        row.row_hash = hashing.legacy_hash(row, previous)
        row.save()
        previous = row.row_hash
        ids.append(row.id)
    Head.objects.update_or_create(id=1, defaults={"last_hash": previous})
    return ids


def test_legacy_rows_verify_after_the_upgrade_and_new_rows_chain_on(old_schema):
    ids = _write_legacy_rows(old_schema, 5)
    _upgrade()
    rows = list(AuditEvent.objects.order_by("position"))
    assert [r.id for r in rows] == ids
    assert [r.position for r in rows] == [1, 2, 3, 4, 5]
    assert all(r.legacy_hash and r.key_id == "dev" for r in rows)
    audit_seal()  # the sealer's first run anchors the upgraded chain
    assert verify_chain().ok
    audit_record(user=None, action="view", event="after_upgrade")
    audit_seal()
    newest = AuditEvent.objects.get(event="after_upgrade")
    assert newest.position == 6 and newest.previous_hash == rows[-1].row_hash
    report = verify_chain()
    assert report.ok, report.problems
    assert report.rows_checked == 6


def test_tampering_from_before_the_upgrade_stays_visible(old_schema):
    ids = _write_legacy_rows(old_schema, 4)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        cursor.execute("UPDATE audit_auditevent SET username = 'nobody' WHERE id = %s", [ids[2]])
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")
    _upgrade()
    audit_seal()
    report = verify_chain()
    assert report.first_broken_id == ids[2]
    assert "legacy" in report.problem


def test_the_upgrade_on_an_empty_log(old_schema):
    _upgrade()
    assert AuditEvent.objects.count() == 0
    assert verify_chain().ok
