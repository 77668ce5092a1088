"""``field__any_of=ids``: ``field = ANY(%s::uuid[])`` with the ids as one
parameter, the text of a PostgreSQL array (PostgreSQL only; UUID fields).

``IN`` gives each value a parameter of its own, so a statement's text changes
with the list's length and cannot be compiled once per process
(safeguard.core.compiled), and the ORM and the driver handle each of a
thousand ids on their own: 13 ms of a meetings page that lists a health
trust's 1,161 meetings. PostgreSQL plans ``IN (a, b, c)`` as ``= ANY(array)``
in any case, so the plan is the one ``IN`` gets.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.db.models import Lookup, UUIDField


def uuid_array(ids: Iterable[uuid.UUID]) -> str:
    """``ids`` as the text of a PostgreSQL ``uuid[]``: a UUID's text needs no quoting."""
    return "{" + ",".join(str(i) for i in ids) + "}"


@UUIDField.register_lookup
class AnyOf(Lookup):
    lookup_name = "any_of"
    # The ids are passed as they are (a frozenset: the ORM walks a list or a
    # tuple value by value, a thousand times for a thousand ids).
    prepare_rhs = False

    def get_db_prep_lookup(self, value: Any, connection) -> tuple[str, list]:
        return "%s::uuid[]", [uuid_array(value)]

    def as_sql(self, compiler, connection) -> tuple[str, tuple]:
        if connection.vendor != "postgresql":
            raise NotImplementedError("any_of is PostgreSQL's; elsewhere filter with __in")
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)
