"""The audit rows of ``seed_scale``'s county: what ``audit_record`` writes for
each act, hashed as ``AuditEvent.save`` does and chained as ``audit_seal``
does, after the last sealed row, so ``verify_audit`` passes.

A million rows hashed one by one in Python take a quarter of an hour on a
busy machine, so the two content hashes (unkeyed SHA-256 over canonical JSON,
``safeguard.audit.hashing``) are computed by PostgreSQL, which writes the same
JSON text for these simple values (``verify_audit`` recomputes every one in
Python, and a test runs it). The chain's HMAC needs the key, which the
database must never see: Python computes it, row after row, and sends back
only the hashes.
"""

from __future__ import annotations

import io

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from safeguard.audit import hashing
from safeguard.audit.keys import current_key
from safeguard.audit.models import AuditChainHead
from safeguard.audit.services import _agency_slugs

DETAIL = '{"source":"seed_scale"}'  # honest: these acts were invented, not done

# The acts in the order they happened (``scale_*`` are demo.scale_county's tables).
EVENTS = """
    SELECT p.opened_at AS at, p.opened_by_id AS user_id, 'create' AS action,
           'case_opened' AS event, 'case' AS object_type, p.case_id::text AS object_id,
           c.reference, p.case_id
    FROM scale_plan p JOIN cases_case c ON c.id = p.case_id
    UNION ALL
    SELECT opened_at - interval '1 day', reporter_id, 'create', 'concern_submitted',
           'concern', md5('concern:' || reference)::uuid::text, reference, NULL
    FROM scale_concern
    UNION ALL
    SELECT s.at - interval '2 days', m.created_by_id, 'create', 'meeting_scheduled',
           'meeting', m.id::text, m.reference, NULL
    FROM scale_meeting s JOIN cases_meeting m ON m.id = s.meeting_id
"""
# datetime.isoformat() of an aware UTC time: microseconds only when not zero.
ISO_AT = (
    "to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN "
    "mod(date_part('microseconds', e.at)::bigint, 1000000) <> 0 "
    "THEN to_char(e.at AT TIME ZONE 'UTC', '.US') ELSE '' END || '+00:00'"
)


def _sha256(text_sql: str) -> str:
    return f"encode(sha256(convert_to({text_sql}, 'UTF8')), 'hex')"


# hashing.payload_of / content_hash as json.dumps(sort_keys=True,
# separators=(",", ":")) writes them.
PAYLOAD = _sha256(
    f"""'{{"detail":{DETAIL},"object_reference":' || to_json(e.reference)::text
    || ',"reason":""}}'"""
)
CONTENT = _sha256(
    """'{"action":' || to_json(e.action)::text || ',"agencies":' || to_json(u.slugs)::text
    || ',"at":' || to_json(e.at_iso)::text
    || ',"case_id":' || coalesce(to_json(e.case_id::text)::text, 'null')
    || ',"event":' || to_json(e.event)::text || ',"ip":null'
    || ',"object_id":' || to_json(e.object_id)::text
    || ',"object_type":' || to_json(e.object_type)::text || ',"path":""'
    || ',"payload":"' || e.payload_hash || '","user":' || e.user_id::text
    || ',"username":' || to_json(u.username)::text || ',"v":"""
    + str(hashing.CONTENT_SCHEME)
    + "}'"
)


def audit_rows(cursor, user_ids: set[int]) -> int:
    """The rows ``audit_record`` writes for these acts, hashed as ``save`` does
    and chained as ``audit_seal`` does, after the last sealed row."""
    User = get_user_model()
    cursor.execute("CREATE TEMP TABLE scale_audit_user (id integer, username text, slugs text)")
    cursor.executemany(
        "INSERT INTO scale_audit_user VALUES (%s, %s, %s)",
        [(u.pk, u.get_username(), _agency_slugs(u)) for u in User.objects.filter(pk__in=user_ids)],
    )
    cursor.execute(
        f"""
        CREATE TEMP TABLE scale_audit ON COMMIT DROP AS
        SELECT e.*, u.username, u.slugs, {CONTENT} AS content_hash FROM (
            SELECT row_number() OVER (ORDER BY e.at, e.object_id) AS k, e.*,
                   {ISO_AT} AS at_iso, {PAYLOAD} AS payload_hash
            FROM ({EVENTS}) e
        ) e JOIN scale_audit_user u ON u.id = e.user_id
        """  # noqa: S608 - our own SQL, no input in it
    )
    cursor.execute("DROP TABLE scale_audit_user")
    # Sealers lock the head; the table lock keeps requests' rows from taking ids meanwhile.
    cursor.execute("LOCK TABLE audit_auditevent IN SHARE ROW EXCLUSIVE MODE")
    head = AuditChainHead.objects.select_for_update().get_or_create(id=1)[0]
    cursor.execute(
        "SELECT position, row_hash FROM audit_auditevent WHERE position IS NOT NULL "
        "ORDER BY position DESC LIMIT 1"
    )
    position, previous = cursor.fetchone() or (0, hashing.GENESIS)
    first_position = position + 1
    cursor.execute("SELECT coalesce(max(id), 0) FROM audit_auditevent")
    first_id = cursor.fetchone()[0] + 1
    key = current_key()
    cursor.execute(
        "CREATE TEMP TABLE scale_audit_chain (k bigint, previous_hash text, row_hash text) "
        "ON COMMIT DROP"
    )
    written = 0
    with connection.connection.cursor(name="scale_audit_hashes") as source:
        source.itersize = 50_000
        source.execute("SELECT k, content_hash FROM scale_audit ORDER BY k")
        while chunk := source.fetchmany(50_000):
            buffer = io.StringIO()
            for k, content in chunk:
                position += 1
                row_hash = hashing.chain_hash(
                    key.secret,
                    previous=previous,
                    content=content,
                    position=position,
                    row_id=first_id + k - 1,
                )
                buffer.write(f"{k}\t{previous}\t{row_hash}\n")
                previous = row_hash
                written += 1
            with cursor.cursor.copy("COPY scale_audit_chain FROM STDIN") as copy:
                copy.write(buffer.getvalue())
    now = timezone.now()
    cursor.execute(
        """
        INSERT INTO audit_auditevent (id, at, user_id, username, agency_slugs, action, event,
            object_type, object_id, object_reference, case_id, ip_address, path, reason, detail,
            payload_hash, content_hash, position, previous_hash, row_hash, key_id, sealed_at,
            legacy_hash, redacted_at)
        SELECT %s + a.k - 1, a.at, a.user_id, a.username, a.slugs, a.action, a.event,
            a.object_type, a.object_id, a.reference, a.case_id, NULL, '', '', %s::jsonb,
            a.payload_hash, a.content_hash, %s + a.k - 1, c.previous_hash, c.row_hash, %s, %s,
            '', NULL
        FROM scale_audit a JOIN scale_audit_chain c USING (k)
        """,
        [first_id, DETAIL, first_position, key.id, now],
    )
    if written:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('audit_auditevent', 'id'), %s)",
            [first_id + written - 1],
        )
    head.last_position, head.last_hash, head.sealed_at = position, previous, now
    head.save(update_fields=["last_position", "last_hash", "sealed_at"])
    return written
