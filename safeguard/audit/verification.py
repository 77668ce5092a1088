from __future__ import annotations

from dataclasses import dataclass

from safeguard.audit.models import AuditEvent

GENESIS = "0" * 64


@dataclass(frozen=True)
class ChainReport:
    rows_checked: int
    first_broken_id: int | None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.first_broken_id is None


def verify_chain() -> ChainReport:
    previous = GENESIS
    checked = 0
    for row in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if row.previous_hash != previous:
            return ChainReport(
                checked,
                row.id,
                "does not follow the row before it (a row was deleted, inserted or reordered)",
            )
        if row.compute_hash() != row.row_hash:
            return ChainReport(checked, row.id, "its content does not match its hash (edited)")
        previous = row.row_hash
        checked += 1
    return ChainReport(checked, None)
