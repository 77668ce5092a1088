from django.db import connection

from safeguard.audit.models import AuditEvent
from safeguard.audit.services import audit_record, audit_seal


def write(n: int, event: str = "test_event") -> list[AuditEvent]:
    return [
        audit_record(user=None, action="view", event=event, reason=f"reason {i}", detail={"n": i})
        for i in range(n)
    ]


def write_and_seal(n: int = 4) -> list[AuditEvent]:
    rows = write(n)
    audit_seal()
    return list(AuditEvent.objects.filter(pk__in=[r.pk for r in rows]).order_by("position"))


def raw(sql: str, params: list | None = None) -> None:
    """Change audit rows behind the application's back, as someone with SQL
    access would (on PostgreSQL, a superuser switching the trigger off)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        try:
            cursor.execute(sql, params or [])
        finally:
            if connection.vendor == "postgresql":
                cursor.execute("SET session_replication_role = DEFAULT")
