"""Writing audit rows (always in the caller's transaction) and sealing them
into the chain (in the background, outside any request)."""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from safeguard.audit import hashing
from safeguard.audit.checkpoints import write_checkpoint
from safeguard.audit.context import current_request
from safeguard.audit.keys import current_key
from safeguard.audit.models import AuditChainHead, AuditEvent

log = logging.getLogger(__name__)


def audit_record(
    *,
    user: AbstractBaseUser | AnonymousUser | None,
    action: str,
    event: str,
    obj: Any = None,
    case_id: uuid.UUID | None = None,
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one row. Runs inside the caller's transaction, so the row exists
    if and only if the change it describes was committed.

    One INSERT and no lock: the row carries its content hash and waits for the
    sealer (``audit_seal``) to give it its place in the chain. It is visible to
    every reader at once; only its chain fields come later.
    """
    ctx = current_request.get()
    acting = user if user is not None and user.is_authenticated else None
    row = AuditEvent(
        at=timezone.now(),
        user=acting,
        username=acting.get_username() if acting else "",
        agency_slugs=_agency_slugs(acting),
        action=action,
        event=event,
        object_type=obj._meta.model_name if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_reference=getattr(obj, "reference", "") or "",
        case_id=case_id,
        ip_address=ctx.ip_address,
        path=ctx.path,
        reason=reason,
        detail=detail or {},
    )
    row.save()  # fills the content hashes
    return row


@dataclass(frozen=True)
class SealResult:
    sealed: int
    position: int
    row_hash: str
    checkpoint: Path | None


SEAL_SQL = (
    "UPDATE audit_auditevent SET position = %s, previous_hash = %s, row_hash = %s,"
    " key_id = %s, sealed_at = %s WHERE id = %s AND position IS NULL"
)


def audit_seal(
    *, batch_size: int = 2000, force_checkpoint: bool = False, max_seconds: float | None = None
) -> SealResult:
    """Give every committed unsealed row, oldest id first, the next position
    and its HMAC, in batches of ``batch_size`` (one transaction each); then
    write a signed checkpoint of the new head (at most every
    ``AUDIT_CHECKPOINT_SECONDS``, unless ``force_checkpoint``).

    Only sealers lock the head row, so requests never wait here. Two sealers at
    once take turns on that lock, and the second finds nothing left to do. A
    row whose transaction commits late is sealed by a later batch at a later
    position: the chain's order is the order of sealing, not of ids.

    With ``max_seconds`` it stops after the batch that passes it (a backlog is
    then finished by the next runs; each batch is committed on its own).
    """
    sealed = 0
    started = time.monotonic()
    while True:
        count = _seal_batch(batch_size)
        sealed += count
        if count < batch_size:
            break
        if max_seconds is not None and time.monotonic() - started >= max_seconds:
            break
    last = _last_sealed()
    path = None
    if last is not None:
        path = _checkpoint(last, force=force_checkpoint)
    position, row_hash = last if last is not None else (0, hashing.GENESIS)
    return SealResult(sealed, position, row_hash, path)


def _last_sealed() -> tuple[int, str] | None:
    last = (
        AuditEvent.objects.filter(position__isnull=False)
        .order_by("-position")
        .values_list("position", "row_hash")
        .first()
    )
    return (int(last[0]), str(last[1])) if last else None


def _seal_batch(batch_size: int) -> int:
    with transaction.atomic():
        AuditChainHead.objects.get_or_create(id=1)
        # The sealers' lock (on SQLite the IMMEDIATE transaction serialises them).
        head = AuditChainHead.objects.select_for_update().get(id=1)
        # The chain continues from the table, the only thing the checkpoints
        # vouch for; a head that disagrees has been tampered with.
        position, previous = _last_sealed() or (0, hashing.GENESIS)
        if (head.last_position, head.last_hash) != (position, previous):
            log.error(
                "Audit chain head says position %s but the table ends at %s: "
                "run manage.py verify_audit",
                head.last_position,
                position,
            )
        rows = list(
            AuditEvent.objects.filter(position__isnull=True)
            .order_by("id")
            .values_list("id", "content_hash")[:batch_size]
        )
        if not rows:
            return 0
        key = current_key()
        now = timezone.now()
        params = []
        for row_id, content in rows:
            position += 1
            row_hash = hashing.chain_hash(
                key.secret, previous=previous, content=content, position=position, row_id=row_id
            )
            params.append((position, previous, row_hash, key.id, now, row_id))
            previous = row_hash
        with connection.cursor() as cursor:
            cursor.executemany(SEAL_SQL, params)
        head.last_position, head.last_hash, head.sealed_at = position, previous, now
        head.save(update_fields=["last_position", "last_hash", "sealed_at"])
    return len(rows)


def _checkpoint(last: tuple[int, str], *, force: bool) -> Path | None:
    position, row_hash = last
    head = AuditChainHead.objects.filter(id=1).first()
    now = timezone.now()
    if head is not None and not force:
        if head.checkpoint_position == position:
            return None
        interval = dt.timedelta(seconds=settings.AUDIT_CHECKPOINT_SECONDS)
        if head.checkpoint_at is not None and now - head.checkpoint_at < interval:
            return None
    path = write_checkpoint(position=position, row_hash=row_hash, now=now)
    AuditChainHead.objects.filter(id=1).update(checkpoint_position=position, checkpoint_at=now)
    return path


# The audit app knows nothing of agencies: the agencies app registers how to
# name a user's agencies when it starts.
_agency_resolver: Callable[[Any], list[str]] | None = None


def register_agency_resolver(resolver: Callable[[Any], list[str]]) -> None:
    global _agency_resolver
    _agency_resolver = resolver


def _agency_slugs(user: Any) -> str:
    if user is None or _agency_resolver is None:
        return ""
    return ",".join(_agency_resolver(user))


REDACT_SQL = {
    "postgresql": (
        "UPDATE audit_auditevent SET object_reference = '', reason = '', detail = '{{}}'::jsonb,"
        " redacted_at = %s WHERE redacted_at IS NULL AND id IN ({ids})"
    ),
    "other": (
        "UPDATE audit_auditevent SET object_reference = '', reason = '', detail = '{{}}',"
        " redacted_at = %s WHERE redacted_at IS NULL AND id IN ({ids})"
    ),
}


def audit_redact(
    *, case_ids: list[uuid.UUID], objects: dict[str, list[str]], batch_size: int = 1000
) -> int:
    """Blank the payload (reference, reason, detail) of every row about the
    given cases or objects (``{object_type: [object_id, ...]}``), in the
    caller's transaction; return how many rows were redacted.

    Only the payload goes: who did what, when, to which object id, stays, and
    so does each row's content hash, which covers the payload by its stored
    digest (``hashing.py``), so the chain verifies as before. The database
    trigger (audit 0003) allows exactly this change, once per row, and the
    application's role may update only these columns (scripts/db_roles.sql).
    Used when records are destroyed at the end of their retention (issue 13).
    """
    condition = Q(case_id__in=case_ids) if case_ids else Q(pk__in=[])
    for object_type, ids in objects.items():
        for start in range(0, len(ids), batch_size):
            chunk = [str(i) for i in ids[start : start + batch_size]]
            condition |= Q(object_type=object_type, object_id__in=chunk)
    row_ids = list(
        AuditEvent.objects.filter(condition, redacted_at__isnull=True).values_list("id", flat=True)
    )
    sql = REDACT_SQL["postgresql" if connection.vendor == "postgresql" else "other"]
    now = timezone.now()
    with connection.cursor() as cursor:
        for start in range(0, len(row_ids), batch_size):
            chunk = row_ids[start : start + batch_size]
            placeholders = ", ".join(["%s"] * len(chunk))
            cursor.execute(sql.format(ids=placeholders), [now, *chunk])
    return len(row_ids)
