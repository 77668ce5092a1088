"""What PostgreSQL itself allows on the audit table: the trigger of migration
audit 0003, and the application role of scripts/db_roles.sql."""

import importlib.util
import uuid

import psycopg
import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from safeguard.audit.services import SEAL_SQL, audit_record, audit_seal
from safeguard.audit.verification import verify_chain
from tests.audit.helpers import write_and_seal

pytestmark = [pytest.mark.integration]
ROOT = settings.BASE_DIR


def _refused(sql: str, params: list) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError:
        return True
    return False


@pytest.mark.django_db
def test_the_trigger_allows_only_sealing_and_redaction():
    sealed = write_and_seal(2)[0]
    waiting = audit_record(user=None, action="view", event="waiting", reason="why")
    # Content never changes, sealed or not; rows are never deleted.
    assert _refused("UPDATE audit_auditevent SET event = 'x' WHERE id = %s", [sealed.pk])
    assert _refused("UPDATE audit_auditevent SET reason = 'x' WHERE id = %s", [waiting.pk])
    assert _refused("UPDATE audit_auditevent SET content_hash = 'x' WHERE id = %s", [waiting.pk])
    assert _refused("DELETE FROM audit_auditevent WHERE id = %s", [waiting.pk])
    # A sealed row's place in the chain is fixed.
    assert _refused("UPDATE audit_auditevent SET position = 99 WHERE id = %s", [sealed.pk])
    assert _refused("UPDATE audit_auditevent SET row_hash = 'x' WHERE id = %s", [sealed.pk])
    # A redaction blanks the payload and nothing else, once.
    assert _refused(
        "UPDATE audit_auditevent SET reason = 'rewritten', redacted_at = now() WHERE id = %s",
        [waiting.pk],
    )
    assert not _refused(
        "UPDATE audit_auditevent SET object_reference = '', reason = '', detail = '{}',"
        " redacted_at = now() WHERE id = %s",
        [sealed.pk],
    )
    assert _refused("UPDATE audit_auditevent SET redacted_at = NULL WHERE id = %s", [sealed.pk])
    # The sealer's one write is allowed.
    result = audit_seal()
    assert result.sealed == 1
    assert verify_chain().ok


def _load_db_roles():
    spec = importlib.util.spec_from_file_location("db_roles", ROOT / "scripts" / "db_roles.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.django_db(transaction=True)
def test_the_application_role_can_append_but_not_rewrite():
    db_roles = _load_db_roles()
    role = f"safeguard_app_test_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        db_roles.apply(cursor, role=role, password="not-used-with-trust-auth")
        db_roles.apply(cursor, role=role)  # idempotent: run after every migrate
    sealed = write_and_seal(1)[0]
    params = connection.settings_dict
    conninfo = {
        "dbname": params["NAME"],
        "host": params["HOST"] or "127.0.0.1",
        "port": params["PORT"] or 5432,
        "user": role,
        "autocommit": True,
    }
    try:
        with psycopg.connect(**conninfo) as app:

            def refused(sql, args=()):
                try:
                    app.execute(sql, args)
                except psycopg.errors.InsufficientPrivilege:
                    return True
                return False

            now = timezone.now()
            inserted = app.execute(
                "INSERT INTO audit_auditevent (at, username, agency_slugs, action, event,"
                " object_type, object_id, object_reference, path, reason, detail,"
                " payload_hash, content_hash, previous_hash, key_id, legacy_hash)"
                " VALUES (%s, '', '', 'view', 'as_app', '', '', '', '', '', '{}', '', '',"
                " '', '', '') RETURNING id",
                [now],
            ).fetchone()[0]
            assert app.execute("SELECT count(*) FROM audit_auditevent").fetchone()[0] == 2
            assert refused("UPDATE audit_auditevent SET event = 'x' WHERE id = %s", [inserted])
            # The payload columns are granted for redaction only: the trigger
            # refuses any other change to them.
            with pytest.raises(psycopg.errors.RaiseException):
                app.execute("UPDATE audit_auditevent SET reason = 'x'")
            assert refused("DELETE FROM audit_auditevent WHERE id = %s", [inserted])
            assert refused("TRUNCATE audit_auditevent")
            assert refused("TRUNCATE audit_auditevent CASCADE")
            assert refused("DELETE FROM django_migrations")
            # The sealer's statement, as the sealer runs it (the worker is this
            # role): allowed on an unsealed row, refused by the trigger on a sealed one.
            app.execute(SEAL_SQL, [2, sealed.row_hash, "h" * 64, "dev", now, inserted])
            with pytest.raises(psycopg.errors.RaiseException):
                app.execute(
                    "UPDATE audit_auditevent SET row_hash = %s WHERE id = %s",
                    ["x" * 64, sealed.pk],
                )
            # A redaction, as audit_redact runs it: blank the payload and mark it, once.
            app.execute(
                "UPDATE audit_auditevent SET object_reference = '', reason = '',"
                " detail = '{}'::jsonb, redacted_at = now() WHERE id = %s",
                [sealed.pk],
            )
            with pytest.raises(psycopg.errors.RaiseException):
                app.execute(
                    "UPDATE audit_auditevent SET redacted_at = NULL WHERE id = %s", [sealed.pk]
                )
            # Other tables are the application's to change.
            app.execute("UPDATE audit_auditchainhead SET sealed_at = now()")
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP OWNED BY "{role}"')
            cursor.execute(f'DROP ROLE "{role}"')
