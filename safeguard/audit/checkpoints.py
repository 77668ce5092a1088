"""Signed checkpoints of the chain's head, kept outside the database.

After sealing, the sealer appends one JSON line — position, row hash, time,
key id and an HMAC over them — to ``AUDIT_CHECKPOINT_DIR/checkpoints-YYYY-MM-DD.jsonl``
(one append-only file per UTC day). Someone who can write to the database but
not to this directory, nor to wherever operators ship its files (README,
"The audit log"), cannot remove rows from the end of the chain, truncate the
table or reset the head without ``verify_audit`` noticing: a checkpoint names a
position and hash the table no longer has.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from safeguard.audit import hashing
from safeguard.audit.keys import UnknownKey, current_key, key_by_id

PATTERN = "checkpoints-*.jsonl"


@dataclass(frozen=True)
class Checkpoint:
    position: int
    row_hash: str
    at: str
    key_id: str
    source: str  # file:line, for the report


class BadCheckpoint(ValueError):
    pass


def checkpoint_dir(override: str | os.PathLike | None = None) -> Path:
    return Path(override or settings.AUDIT_CHECKPOINT_DIR)


def write_checkpoint(*, position: int, row_hash: str, now: dt.datetime) -> Path:
    key = current_key()
    at = now.astimezone(dt.UTC).isoformat()
    line = {
        "position": position,
        "row_hash": row_hash,
        "at": at,
        "key_id": key.id,
        "mac": hashing.checkpoint_mac(
            key.secret, position=position, row_hash=row_hash, at=at, key_id=key.id
        ),
    }
    folder = checkpoint_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"checkpoints-{now.astimezone(dt.UTC):%Y-%m-%d}.jsonl"
    data = (json.dumps(line, sort_keys=True) + "\n").encode()
    # O_APPEND and one write per line; the lock keeps two sealers' lines whole.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    return path


def read_checkpoints(folder: Path) -> tuple[list[Checkpoint], list[str]]:
    """Every checkpoint in ``folder``, and the problems found reading them
    (a line that does not parse or whose signature does not verify)."""
    found: list[Checkpoint] = []
    problems: list[str] = []
    if not folder.is_dir():
        return found, problems
    for path in sorted(folder.glob(PATTERN)):
        for number, text in enumerate(path.read_text().splitlines(), start=1):
            if not text.strip():
                continue
            source = f"{path.name}:{number}"
            try:
                found.append(_parse(text, source))
            except BadCheckpoint as exc:
                problems.append(f"checkpoint {source} {exc}")
    return found, problems


def _parse(text: str, source: str) -> Checkpoint:
    try:
        data = json.loads(text)
        position, row_hash, at, key_id, mac = (
            int(data["position"]),
            str(data["row_hash"]),
            str(data["at"]),
            str(data["key_id"]),
            str(data["mac"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise BadCheckpoint("cannot be read") from exc
    try:
        key = key_by_id(key_id)
    except UnknownKey as exc:
        raise BadCheckpoint(
            f"is signed with key '{key_id}', which AUDIT_KEYS does not hold"
        ) from exc
    expected = hashing.checkpoint_mac(
        key.secret, position=position, row_hash=row_hash, at=at, key_id=key_id
    )
    if not _equal(expected, mac):
        raise BadCheckpoint("has a signature that does not verify (forged or edited)")
    return Checkpoint(position, row_hash, at, key_id, source)


def _equal(a: str, b: str) -> bool:
    import hmac

    return hmac.compare_digest(a.encode(), b.encode())
