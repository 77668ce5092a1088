"""The keys the audit chain is sealed with: from the environment, never the database.

``AUDIT_KEYS`` is ``id:secret,id:secret,...``. The first key seals new rows and
signs new checkpoints; the others only verify what they sealed before. Each row
and each checkpoint stores the id of its key, so rotation is: put a new key
first, keep the old ones after it for as long as rows sealed with them exist
(forever, in practice: the log is kept for decades), and never reuse an id.
Nothing is re-sealed on rotation.

Without ``AUDIT_KEYS`` (a laptop, the tests) one key, id ``dev``, is derived
from ``SECRET_KEY``; ``manage.py check --deploy`` refuses it (``checks.py``),
because a key derived from another secret changes when that one is rotated.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings

DEV_KEY_ID = "dev"
MIN_SECRET_LENGTH = 32


@dataclass(frozen=True)
class AuditKey:
    id: str
    secret: bytes


class UnknownKey(KeyError):
    pass


def parse_keys(value: str) -> list[AuditKey]:
    """``"2:new-secret,1:old-secret"`` → keys, current first. A secret may
    contain ``:`` but not ``,`` (``secrets.token_urlsafe`` makes neither)."""
    keys = []
    for item in value.split(","):
        item = item.strip()
        if not item:
            continue
        key_id, sep, secret = item.partition(":")
        if not sep or not key_id.strip() or not secret:
            raise ValueError("AUDIT_KEYS must look like 'id:secret,id:secret'")
        keys.append(AuditKey(key_id.strip(), secret.encode()))
    return keys


def configured_keys() -> list[AuditKey]:
    value = getattr(settings, "AUDIT_KEYS", "") or ""
    if value.strip():
        return parse_keys(value)
    derived = hmac.new(
        str(settings.SECRET_KEY).encode(), b"safeguard audit chain key", hashlib.sha256
    ).hexdigest()
    return [AuditKey(DEV_KEY_ID, derived.encode())]


def current_key() -> AuditKey:
    return configured_keys()[0]


def key_by_id(key_id: str) -> AuditKey:
    for key in configured_keys():
        if key.id == key_id:
            return key
    raise UnknownKey(key_id)
