import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from safeguard.audit.models import AuditEvent
from safeguard.audit.services import audit_record, audit_seal
from safeguard.audit.verification import verify_chain

pytestmark = pytest.mark.django_db


def _write_rows(n: int = 4) -> list[AuditEvent]:
    """Rows as the application writes them, then sealed as the beat task would."""
    written = [
        audit_record(user=None, action="view", event="test_event", detail={"n": i})
        for i in range(n)
    ]
    audit_seal()
    return list(AuditEvent.objects.filter(pk__in=[r.pk for r in written]).order_by("id"))


def _raw(sql: str, params: list) -> None:
    """Change audit rows behind the application's back, as an attacker with SQL would."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Superuser only: switches off the append-only trigger for this session.
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


def test_rows_are_chained_and_verify():
    rows = _write_rows()
    assert rows[1].previous_hash == rows[0].row_hash
    report = verify_chain()
    assert report.ok and report.rows_checked == 4
    call_command("verify_audit")


def test_the_application_cannot_change_or_delete_rows():
    row = _write_rows(1)[0]
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        row.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=row.pk).update(event="changed")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_the_database_refuses_updates_on_postgresql():
    from django.db import DatabaseError, transaction

    row = _write_rows(1)[0]
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET event = 'x' WHERE id = %s", [row.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [row.pk])


def test_verify_detects_an_edited_row():
    rows = _write_rows()
    _raw("UPDATE audit_auditevent SET reason = 'nothing to see' WHERE id = %s", [rows[2].pk])
    report = verify_chain()
    assert report.first_broken_id == rows[2].pk
    with pytest.raises(CommandError, match=f"row {rows[2].pk}"):
        call_command("verify_audit")


def test_verify_detects_a_deleted_row():
    rows = _write_rows()
    _raw("DELETE FROM audit_auditevent WHERE id = %s", [rows[1].pk])
    assert verify_chain().first_broken_id == rows[2].pk


def test_verify_detects_reordered_rows():
    rows = _write_rows()
    a, b = rows[1], rows[2]
    # Swap the content of two rows, keeping each row's own hash consistent.
    _raw("UPDATE audit_auditevent SET id = -1 WHERE id = %s", [a.pk])
    _raw("UPDATE audit_auditevent SET id = %s WHERE id = %s", [a.pk, b.pk])
    _raw("UPDATE audit_auditevent SET id = %s WHERE id = -1", [b.pk])
    assert verify_chain().first_broken_id == a.pk
