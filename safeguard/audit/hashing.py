"""How an audit row is hashed and chained. Pure functions: the model, the
sealer, the verifier and the migrations share them.

A row's content is split in two:

- *kept* fields: who, when, from where, what was done to which object. These
  stay for as long as the log does.
- *payload* fields (``PAYLOAD_FIELDS``): the object's human reference, the free
  text reason and the detail. A future redaction (destroying a child's records
  at the end of retention, issue 13) may blank these, and only these.

``payload_hash`` = SHA-256 of the payload's canonical JSON, and ``content_hash``
= SHA-256 of the kept fields' canonical JSON with ``payload_hash`` inside it.
Both are written with the row, in the caller's transaction. The sealer then
chains rows with a key the database does not hold:

    row_hash = HMAC-SHA256(key, previous_row_hash | content_hash | position | id)

So a redacted row still proves its kept fields and its place in the chain
(verification uses the stored ``payload_hash``, and checks that the payload is
blank), while an edited payload without the redaction marker fails.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

GENESIS = "0" * 64
CONTENT_SCHEME = 1
PAYLOAD_FIELDS = ("object_reference", "reason", "detail")


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def payload_of(row: Any) -> dict[str, Any]:
    return {
        "object_reference": row.object_reference,
        "reason": row.reason,
        "detail": row.detail,
    }


def payload_is_blank(row: Any) -> bool:
    return row.object_reference == "" and row.reason == "" and not row.detail


def payload_hash(row: Any) -> str:
    return _sha256(_json(payload_of(row)))


def content_hash(row: Any, *, payload_digest: str | None = None) -> str:
    """SHA-256 of the kept fields and the payload's digest (computed from the
    row unless given: a redacted row gives its stored one)."""
    kept = {
        "v": CONTENT_SCHEME,
        "at": row.at.isoformat(),
        "user": row.user_id,
        "username": row.username,
        "agencies": row.agency_slugs,
        "action": row.action,
        "event": row.event,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "case_id": str(row.case_id) if row.case_id else None,
        "ip": row.ip_address,
        "path": row.path,
        "payload": payload_digest if payload_digest is not None else payload_hash(row),
    }
    return _sha256(_json(kept))


def chain_hash(key: bytes, *, previous: str, content: str, position: int, row_id: int) -> str:
    message = f"{previous}|{content}|{position}|{row_id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def checkpoint_mac(key: bytes, *, position: int, row_hash: str, at: str, key_id: str) -> str:
    message = f"checkpoint|{position}|{row_hash}|{at}|{key_id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def canonical(row: Any) -> str:
    """The row's whole content as canonical JSON: what the legacy chain hashed
    and what a reader may inspect (the content hash covers the same fields,
    with the payload as its digest)."""
    return json.dumps(
        {
            "at": row.at.isoformat(),
            "user": row.user_id,
            "username": row.username,
            "agencies": row.agency_slugs,
            "action": row.action,
            "event": row.event,
            "object_type": row.object_type,
            "object_id": row.object_id,
            "object_reference": row.object_reference,
            "case_id": str(row.case_id) if row.case_id else None,
            "ip": row.ip_address,
            "path": row.path,
            "reason": row.reason,
            "detail": row.detail,
        },
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )


def legacy_hash(row: Any, previous: str) -> str:
    """The unkeyed SHA-256 chain rows were written with before the sealer
    (migration 0003 keeps each such row's hash in ``legacy_hash``)."""
    return _sha256(previous + canonical(row))
