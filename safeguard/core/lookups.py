"""``field__any_of=ids``: ``field = ANY(%s::uuid[])`` (``bigint[]`` for an
integer field) with the ids as one parameter, the text of a PostgreSQL array
(PostgreSQL only).

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

from django.db import connection
from django.db.models import IntegerField, Lookup, Q, UUIDField


def array_text(ids: Iterable[uuid.UUID | int]) -> str:
    """``ids`` as the text of a PostgreSQL array: neither a UUID's text nor an
    integer's needs quoting."""
    if isinstance(ids, Ids):
        return ids.array_text()
    return _text_of(ids)


def _text_of(ids: Iterable[uuid.UUID | int]) -> str:
    return "{" + ",".join(str(i) for i in ids) + "}"


def _unchanging(self, *args: Any, **kwargs: Any) -> Any:
    raise TypeError("Ids do not change once read: make a new list")


class Ids(list):
    """Ids read once and then bound to several statements of one request (a
    list page's few visible meetings, bound to the meetings to come, those
    held and the children's names): their array text is made once, not once
    per statement. For a health trust's 1,150 meetings that text was made four
    times a page, a tenth of its Python. It never changes, so the text made
    first is the list's for good."""

    __slots__ = ("_text",)

    def __init__(self, ids: Iterable[uuid.UUID | int] = ()) -> None:
        super().__init__(ids)
        self._text: str | None = None

    def array_text(self) -> str:
        if self._text is None:
            self._text = _text_of(self)
        return self._text

    append = extend = insert = remove = pop = clear = sort = reverse = _unchanging
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _unchanging


uuid_array = array_text


class AnyOf(Lookup):
    lookup_name = "any_of"
    array_type = "uuid[]"
    # The ids are passed as they are (a frozenset: the ORM walks a list or a
    # tuple value by value, a thousand times for a thousand ids).
    prepare_rhs = False

    def get_db_prep_lookup(self, value: Any, connection) -> tuple[str, list]:
        return f"%s::{self.array_type}", [array_text(value)]

    def as_sql(self, compiler, connection) -> tuple[str, tuple]:
        if connection.vendor != "postgresql":
            raise NotImplementedError("any_of is PostgreSQL's; elsewhere filter with __in")
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


@UUIDField.register_lookup
class UUIDAnyOf(AnyOf):
    pass


@IntegerField.register_lookup
class IntegerAnyOf(AnyOf):
    # Role groups and permissions: ``AutoField`` is an ``IntegerField``.
    array_type = "bigint[]"


def one_of(ids: Iterable[uuid.UUID | int], field: str = "pk") -> Q:
    """``field`` is one of ``ids``: one array parameter on PostgreSQL, so the
    statement's text does not change with the number of ids (it can be
    compiled once) and the ORM does not turn each of a thousand ids into a
    parameter of its own; ``IN`` elsewhere (the SQLite demo)."""
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__any_of": frozenset(ids)})
    return Q(**{f"{field}__in": list(ids)})
