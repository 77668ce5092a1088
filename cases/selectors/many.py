"""Whom this process found to see many rows of a kind, and when.

A list's first page asks the grant tables whether the person's visible rows
are few (``granted_ids_if_few``): few are fetched by id, many are walked in
the list's order with the whole access rule asked of each row. Counting
``FEW + 1`` grants to learn "many" again costs each of their first pages 3 to
8 ms of PostgreSQL at a county's scale, and the answer only ever chooses how
a list is read, never what it holds: walking is right whatever the person
sees by then (only slower if their rows have since become few), as the
"many" hint in a case list page's cursors (``case_list.MANY``) already relies
on. So it is remembered for a while, per kind of row, and asked afresh once
older than ``MANY_REMEMBERED_SECONDS``.
"""

from __future__ import annotations

import time
import uuid

from cases.selectors import cases as case_rules
from cases.selectors.cases import User

MANY_REMEMBERED_SECONDS = 300.0
# (kind, person, FEW at the time) -> time.monotonic() when found many.
_found_many: dict[tuple[str, int, int], float] = {}


def remembered_many(user: User, kind: str = "cases") -> bool:
    """Whether this process found ``user`` to see more than ``FEW`` rows of
    ``kind`` less than ``MANY_REMEMBERED_SECONDS`` ago."""
    found = _found_many.get((kind, user.pk, case_rules.FEW))
    return found is not None and time.monotonic() - found < MANY_REMEMBERED_SECONDS


def remember_many(
    user: User, ids: list[uuid.UUID] | None, kind: str = "cases"
) -> list[uuid.UUID] | None:
    """Note what a grant probe for ``user`` found (``None``: many); return it."""
    if ids is None:
        _found_many[(kind, user.pk, case_rules.FEW)] = time.monotonic()
    else:
        _found_many.pop((kind, user.pk, case_rules.FEW), None)
    return ids


def forget_many() -> None:
    """Forget every person found to see many (tests start from nothing)."""
    _found_many.clear()
