"""The audit chain leaves the request path: rows are sealed by a background task
into a keyed (HMAC) chain, and may later be redacted without breaking it.

- New columns: the content hashes written with each row, the chain fields the
  sealer writes once (position, previous_hash, row_hash, key_id, sealed_at),
  ``legacy_hash`` and ``redacted_at``.
- Existing rows, chained by the old unkeyed SHA-256 scheme, are sealed into
  the new chain here, in id order, each keeping its old hash in
  ``legacy_hash``: ``verify_audit`` still checks that legacy chain, so
  tampering from before the upgrade stays visible rather than being laundered
  into the new one. Sealed with the current ``AUDIT_KEYS`` key: set it before
  migrating. On a fresh database there is nothing to seal.
- The PostgreSQL trigger that refused every UPDATE now allows exactly two: the
  sealer's one-time write of the chain fields on an unsealed row, and a
  redaction that blanks the payload and sets ``redacted_at``. Content,
  content hashes and a sealed row's chain fields never change; DELETE never.
"""

import django.utils.timezone
from django.db import migrations, models

from safeguard.audit import hashing
from safeguard.audit.keys import current_key

OLD_TRIGGER = """
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_auditevent is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_auditevent_no_update_delete
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
"""
DROP_OLD_TRIGGER = """
DROP TRIGGER IF EXISTS audit_auditevent_no_update_delete ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_append_only();
"""

GUARD = """
CREATE OR REPLACE FUNCTION audit_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'audit_auditevent is append-only: rows cannot be deleted';
    END IF;
    IF (NEW.id, NEW.at, NEW.user_id, NEW.username, NEW.agency_slugs, NEW.action, NEW.event,
        NEW.object_type, NEW.object_id, NEW.case_id, NEW.ip_address, NEW.path,
        NEW.payload_hash, NEW.content_hash, NEW.legacy_hash)
       IS DISTINCT FROM
       (OLD.id, OLD.at, OLD.user_id, OLD.username, OLD.agency_slugs, OLD.action, OLD.event,
        OLD.object_type, OLD.object_id, OLD.case_id, OLD.ip_address, OLD.path,
        OLD.payload_hash, OLD.content_hash, OLD.legacy_hash) THEN
        RAISE EXCEPTION 'audit_auditevent is append-only: a row''s content cannot change';
    END IF;
    -- The sealer writes the chain fields once; after that they are fixed.
    IF OLD.position IS NOT NULL
       AND (NEW.position, NEW.previous_hash, NEW.row_hash, NEW.key_id, NEW.sealed_at)
           IS DISTINCT FROM
           (OLD.position, OLD.previous_hash, OLD.row_hash, OLD.key_id, OLD.sealed_at) THEN
        RAISE EXCEPTION 'audit_auditevent: a sealed row''s place in the chain cannot change';
    END IF;
    -- A redaction blanks the payload and marks the row, once; the content
    -- hash stays, so the chain still verifies.
    IF NEW.redacted_at IS DISTINCT FROM OLD.redacted_at THEN
        IF OLD.redacted_at IS NOT NULL OR NEW.redacted_at IS NULL THEN
            RAISE EXCEPTION 'audit_auditevent: a redaction cannot be changed or undone';
        END IF;
        IF NEW.object_reference <> '' OR NEW.reason <> '' OR NEW.detail <> '{}'::jsonb THEN
            RAISE EXCEPTION 'audit_auditevent: a redaction blanks the payload, nothing else';
        END IF;
    ELSIF (NEW.object_reference, NEW.reason, NEW.detail)
          IS DISTINCT FROM (OLD.object_reference, OLD.reason, OLD.detail) THEN
        RAISE EXCEPTION 'audit_auditevent is append-only: a row''s content cannot change';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_auditevent_guard
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_guard();
"""
DROP_GUARD = """
DROP TRIGGER IF EXISTS audit_auditevent_guard ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_guard();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


SEAL_LEGACY = (
    "UPDATE audit_auditevent SET payload_hash = %s, content_hash = %s, legacy_hash = %s,"
    " position = %s, previous_hash = %s, row_hash = %s, key_id = %s, sealed_at = %s"
    " WHERE id = %s"
)


def seal_legacy_rows(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    key = current_key()
    now = django.utils.timezone.now()
    position, previous = 0, hashing.GENESIS
    batch = []

    def flush():
        with schema_editor.connection.cursor() as cursor:
            cursor.executemany(SEAL_LEGACY, batch)
        batch.clear()

    for row in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        payload = hashing.payload_hash(row)
        content = hashing.content_hash(row, payload_digest=payload)
        position += 1
        row_hash = hashing.chain_hash(
            key.secret, previous=previous, content=content, position=position, row_id=row.id
        )
        # row.row_hash is the old unkeyed chain's hash: kept as legacy_hash.
        batch.append(
            (payload, content, row.row_hash, position, previous, row_hash, key.id, now, row.id)
        )
        previous = row_hash
        if len(batch) >= 2000:
            flush()
    if batch:
        flush()
    if position:
        AuditChainHead.objects.update_or_create(
            id=1,
            defaults={
                "last_position": position,
                "last_hash": previous,
                "sealed_at": now,
                "checkpoint_position": 0,
                "checkpoint_at": None,
            },
        )


UNSEAL = "UPDATE audit_auditevent SET previous_hash = %s, row_hash = %s WHERE id = %s"


def back_to_legacy_chain(apps, schema_editor):
    """Downgrade: every row back on the unkeyed SHA-256 chain, in id order."""
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    previous = hashing.GENESIS
    batch = []
    for row in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        row_hash = hashing.legacy_hash(row, previous)
        batch.append((previous, row_hash, row.id))
        previous = row_hash
    with schema_editor.connection.cursor() as cursor:
        # Clear first: the unique row_hash must not collide mid-way.
        cursor.execute("UPDATE audit_auditevent SET row_hash = NULL")
        cursor.executemany(UNSEAL, batch)
    AuditChainHead.objects.update_or_create(id=1, defaults={"last_hash": previous})


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_trigger")]

    operations = [
        migrations.RunPython(_on_postgresql(DROP_OLD_TRIGGER), _on_postgresql(OLD_TRIGGER)),
        migrations.AddField(
            model_name="auditchainhead",
            name="checkpoint_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="auditchainhead",
            name="checkpoint_position",
            field=models.BigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="auditchainhead",
            name="last_position",
            field=models.BigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="auditchainhead",
            name="sealed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="content_hash",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="key_id",
            field=models.CharField(blank=True, default="", max_length=32),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="legacy_hash",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="payload_hash",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="position",
            field=models.BigIntegerField(blank=True, null=True, unique=True),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="redacted_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="sealed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="previous_hash",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="row_hash",
            field=models.CharField(blank=True, max_length=64, null=True, unique=True),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                condition=models.Q(("position__isnull", True)),
                fields=["id"],
                name="audit_unsealed_idx",
            ),
        ),
        migrations.RunPython(seal_legacy_rows, back_to_legacy_chain),
        migrations.RunPython(_on_postgresql(GUARD), _on_postgresql(DROP_GUARD)),
    ]
