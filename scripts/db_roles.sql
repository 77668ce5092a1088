-- The application's own PostgreSQL role: it reads and writes the data, but may
-- not rewrite history. Run as the database owner after every `migrate`, so
-- tables a migration adds are granted too (compose's one-shot `migrate`
-- service runs it through scripts/db_roles.py). Idempotent.
--
-- Parameters (custom settings, so the file stays plain SQL):
--   SET safeguard.app_role = 'safeguard_app';
--   SET safeguard.app_password = '...';   -- optional: leave unset to keep it
--   \i scripts/db_roles.sql
DO $$
DECLARE
    app text := current_setting('safeguard.app_role');
    password text := current_setting('safeguard.app_password', true);
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = app) THEN
        EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE', app);
    END IF;
    IF coalesce(password, '') <> '' THEN
        EXECUTE format('ALTER ROLE %I PASSWORD %L', app, password);
    END IF;
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), app);
    EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', app);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %I', app);
    EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO %I', app);
    -- Nothing the application does needs TRUNCATE, or to change which
    -- migrations have run.
    EXECUTE format('REVOKE TRUNCATE ON ALL TABLES IN SCHEMA public FROM %I', app);
    EXECUTE format('REVOKE INSERT, UPDATE, DELETE ON django_migrations FROM %I', app);
    -- The audit log: read and append. The sealer (a Celery task, as this role)
    -- writes the chain fields of unsealed rows, and the trigger of migration
    -- audit 0003 refuses every other change, even to these columns once sealed.
    -- (Revoking table-level UPDATE revokes column grants too: grant after.)
    EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON audit_auditevent FROM %I', app);
    EXECUTE format(
        'GRANT UPDATE (position, previous_hash, row_hash, key_id, sealed_at) '
        'ON audit_auditevent TO %I', app);
    -- Destroying a record at the end of its retention blanks the payload of the
    -- rows about it (safeguard.audit.services.audit_redact): these columns and
    -- the marker only, and the trigger allows it once per row, blank or nothing.
    EXECUTE format(
        'GRANT UPDATE (object_reference, reason, detail, redacted_at) '
        'ON audit_auditevent TO %I', app);
END
$$;
