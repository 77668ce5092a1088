"""Checking the audit log: ``verify_chain`` is what ``manage.py verify_audit`` runs.

In position order, every sealed row must: follow the previous position with no
gap; carry the previous row's hash; have a content hash that matches its
content (a redacted row: its kept fields, with the payload blank); and have an
HMAC that verifies with the key it names. Rows sealed from the legacy unkeyed
chain (migration 0003) must also match their legacy SHA-256 chain.

Then the chain's end is compared with every signed checkpoint outside the
database (``checkpoints.py``): a checkpoint naming a position the table no
longer has, or a different hash there, means rows were removed or rewritten.
Finally, rows still unsealed after ``AUDIT_SEAL_MAX_AGE_SECONDS`` are a failure:
the sealer is not running, or someone is holding rows out of the chain.
"""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from safeguard.audit import hashing
from safeguard.audit.checkpoints import Checkpoint, checkpoint_dir, read_checkpoints
from safeguard.audit.keys import UnknownKey, key_by_id
from safeguard.audit.models import AuditChainHead, AuditEvent

GENESIS = hashing.GENESIS
MAX_LISTED = 20


@dataclass(frozen=True)
class Problem:
    message: str
    row_id: int | None = None
    position: int | None = None

    def __str__(self) -> str:
        where = f"row {self.row_id} (position {self.position}): " if self.row_id else ""
        return where + self.message


@dataclass(frozen=True)
class ChainReport:
    rows_checked: int
    first_broken_id: int | None
    problem: str = ""
    problems: tuple[Problem, ...] = ()
    unsealed: int = 0
    last_position: int = 0
    checkpoints: int = 0
    extra: int = field(default=0, compare=False)  # problems past MAX_LISTED
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(
    *, checkpoint_folder: str | Path | None = None, restored: bool = False
) -> ChainReport:
    """``restored``: this database is a restored backup, so its chain may end
    before the newest checkpoint (rows written since the backup are not in it)
    and may hold rows that were waiting for the sealer when it was taken;
    every checkpoint the chain reaches must still match."""
    problems: list[Problem] = []
    notes: list[str] = []
    extra = 0

    def fail(message: str, row: AuditEvent | None = None) -> None:
        nonlocal extra
        if len(problems) >= MAX_LISTED:
            extra += 1
            return
        problems.append(Problem(message, row.id if row else None, row.position if row else None))

    checkpoints, unreadable = read_checkpoints(checkpoint_dir(checkpoint_folder))
    for message in unreadable:
        fail(message)
    by_position: dict[int, list[Checkpoint]] = {}
    for point in checkpoints:
        by_position.setdefault(point.position, []).append(point)

    expected_position = 1
    previous = GENESIS
    legacy_previous = GENESIS
    in_legacy_prefix = True
    checked = 0
    last_position = 0
    last_sealed_at = None
    rows = AuditEvent.objects.filter(position__isnull=False).order_by("position")
    for row in rows.iterator(chunk_size=2000):
        checked += 1
        if row.position != expected_position:
            fail(
                f"follows position {expected_position - 1}: positions "
                f"{expected_position}–{row.position - 1} are missing (rows deleted)",
                row,
            )
        elif row.previous_hash != previous:
            fail("does not carry the previous row's hash (a row was replaced)", row)
        _check_content(row, fail)
        _check_seal(row, fail)
        if row.legacy_hash:
            if not in_legacy_prefix:
                fail("carries a legacy hash after keyed rows (inserted)", row)
            elif not row.redacted_at and hashing.legacy_hash(row, legacy_previous) != (
                row.legacy_hash
            ):
                fail("does not match its legacy SHA-256 chain (edited before the upgrade)", row)
            legacy_previous = row.legacy_hash
        else:
            in_legacy_prefix = False
        for point in by_position.pop(row.position, []):
            if point.row_hash != row.row_hash:
                fail(
                    f"does not match checkpoint {point.source} of {point.at} "
                    "(the chain was rewritten)",
                    row,
                )
        previous = row.row_hash or ""
        expected_position = row.position + 1
        last_position = row.position
        last_sealed_at = row.sealed_at

    # Checkpoints beyond the end of the chain: rows gone from the end.
    beyond = sorted(p for p in by_position if p > last_position)
    if beyond and restored:
        newest = by_position[beyond[-1]][0]
        notes.append(
            f"the chain ends at position {last_position}; checkpoint {newest.source} of "
            f"{newest.at} names position {newest.position}: the rows after the backup are "
            "not in it"
        )
    elif beyond:
        newest = by_position[beyond[-1]][0]
        fail(
            f"the chain ends at position {last_position}, but checkpoint {newest.source} of "
            f"{newest.at} names position {newest.position}: rows are missing from the end "
            "(deleted, or the table truncated and the head reset)"
        )
    elif last_position and not checkpoints:
        fail(
            f"no checkpoint in {checkpoint_dir(checkpoint_folder)} anchors the chain's "
            f"{last_position} rows (has the sealer run? `verify_audit --seal-first` writes one)"
        )
    elif last_position and last_sealed_at is not None:
        newest_position = max(p.position for p in checkpoints)
        allowed = dt.timedelta(
            seconds=settings.AUDIT_CHECKPOINT_SECONDS + settings.AUDIT_SEAL_MAX_AGE_SECONDS
        )
        if newest_position < last_position and timezone.now() - last_sealed_at > allowed:
            fail(
                f"positions {newest_position + 1}–{last_position} are not anchored by a "
                f"checkpoint within {int(allowed.total_seconds())} s of sealing "
                "(is AUDIT_CHECKPOINT_DIR writable?)"
            )

    head = AuditChainHead.objects.filter(id=1).first()
    if head is not None and head.last_position > last_position and not restored:
        fail(
            f"the chain head says position {head.last_position} but the chain ends at "
            f"{last_position}: rows are missing from the end"
        )

    unsealed = AuditEvent.objects.filter(position__isnull=True)
    limit = timezone.now() - dt.timedelta(seconds=settings.AUDIT_SEAL_MAX_AGE_SECONDS)
    stale = unsealed.filter(at__lt=limit)
    stale_count = stale.count()
    if stale_count and restored:
        notes.append(f"{stale_count} rows were waiting for the sealer when the backup was taken")
    elif stale_count:
        oldest = stale.order_by("id").first()
        fail(
            f"{stale_count} rows not sealed within {settings.AUDIT_SEAL_MAX_AGE_SECONDS} s "
            f"(oldest: row {oldest.id} of {oldest.at:%Y-%m-%d %H:%M:%S}): is the sealer "
            "(Celery beat and a worker) running?"
        )

    row_ids = [p.row_id for p in problems if p.row_id is not None]
    return ChainReport(
        rows_checked=checked,
        # The earliest row written (by id) among those that fail.
        first_broken_id=min(row_ids) if row_ids else None,
        problem=str(problems[0]) if problems else "",
        problems=tuple(problems),
        unsealed=unsealed.count(),
        last_position=last_position,
        checkpoints=len(checkpoints),
        extra=extra,
        notes=tuple(notes),
    )


def _check_content(row: AuditEvent, fail) -> None:
    if row.redacted_at is not None:
        if not hashing.payload_is_blank(row):
            fail("is marked redacted but its payload is not blank", row)
        digest = row.payload_hash
    else:
        digest = hashing.payload_hash(row)
        if digest != row.payload_hash:
            fail("its payload does not match its hash (edited)", row)
            return
    if hashing.content_hash(row, payload_digest=digest) != row.content_hash:
        fail("its content does not match its hash (edited)", row)


def _check_seal(row: AuditEvent, fail) -> None:
    try:
        key = key_by_id(row.key_id)
    except UnknownKey:
        fail(f"is sealed with key '{row.key_id}', which AUDIT_KEYS does not hold", row)
        return
    expected = hashing.chain_hash(
        key.secret,
        previous=row.previous_hash,
        content=row.content_hash,
        position=row.position,
        row_id=row.id,
    )
    if not hmac.compare_digest(expected.encode(), (row.row_hash or "").encode()):
        fail("its seal does not verify (chain fields edited, or sealed without the key)", row)
