"""ORM statements compiled once per process, then bound to each call's values.

The ORM takes milliseconds to build and compile the access rule's statements
(a UNION of guardian's grant tables with a subquery per condition): for a
school's case list at a county's scale, 8 ms of Python for 3 microseconds of
PostgreSQL. A statement whose shape depends only on the code is compiled once
with a stand-in for each value that varies (the person, the time), and each
call puts its own values where the stand-ins were.

On PostgreSQL the driver is handed the Python values themselves, so the
stand-ins are found among the parameters by equality. Another database (the
SQLite demo) may receive values already turned into text, so there the
statement is compiled on every call, exactly as before.

A builder must give the same SQL whatever values it is given: no branching
on the person's attributes (callers decide such things before asking). A
record given as a value (the person, a case, a child) is stood in for by one
of its class holding only a key: a builder may filter on it and follow its
related managers (``case.plans``), and must read nothing else of it. A list
of ids is one value only when the builder passes it as one parameter, the
text of an array (``pk__any_of``, safeguard.core.lookups), not as ``IN``
with one per id.

``compiled_objects`` does the same for a statement whose rows become model
instances (with their ``select_related`` objects), reading them as the ORM's
own iterator does with what it learnt from compiling the statement once.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Model, QuerySet, UUIDField
from django.db.models.query import get_related_populators
from django.db.models.sql.compiler import SQLCompiler

from safeguard.core.lookups import array_text

_compiled: dict[Hashable, tuple[str, list, list[str | None]]] = {}
_readers: dict[Hashable, _Reader] = {}
# Stand-ins no record or clock holds: ids below any sequence (or the first few
# UUIDs), times before the service existed.
_next = itertools.count(1)


def _stand_in(value: Any) -> tuple[Any, Any]:
    """A stand-in for ``value`` and what it puts into the parameters."""
    n = next(_next)
    if isinstance(value, Model):
        # request.user is a lazy proxy: its class is the user's. A record with
        # a UUID for its key (a case, a child) is stood in for by one of the
        # first few UUIDs, as a UUID value is.
        uuid_key = isinstance(value._meta.pk, UUIDField)
        stand_in = value.__class__(pk=uuid.UUID(int=n) if uuid_key else -(2**31) + n)
        stand_in._state.adding = False
        return stand_in, stand_in.pk
    if isinstance(value, int) and not isinstance(value, bool):
        return -(2**31) + n, -(2**31) + n
    if isinstance(value, uuid.UUID):
        return uuid.UUID(int=n), uuid.UUID(int=n)
    if isinstance(value, dt.datetime):
        moment = dt.datetime(1901, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=n)
        return moment, moment
    if isinstance(value, dt.date):
        day = dt.date(1801, 1, 1) + dt.timedelta(days=n)
        return day, day
    if isinstance(value, str):
        text = f"\u2063stand-in {n}\u2063"  # invisible separators: nothing anyone typed
        return text, text
    if isinstance(value, list) and value and all(isinstance(v, uuid.UUID) for v in value):
        # One parameter whatever the list's length: the text of an array.
        ids: list = [uuid.UUID(int=n)]
        return ids, array_text(ids)
    if isinstance(value, list) and all(isinstance(v, int) for v in value):
        # Integer ids (role groups, permissions), or no ids at all: the text
        # of an array too, whichever type the statement casts it to.
        ids = [-(2**31) + n]
        return ids, array_text(ids)
    raise TypeError(f"no stand-in for a {type(value).__name__}")


def _bound(value: Any) -> Any:
    if isinstance(value, list):
        return array_text(value)
    return value.pk if isinstance(value, Model) else value


Built = QuerySet | tuple[str, Sequence[Any]]


def _sql(built: Built) -> tuple[str, Sequence[Any]]:
    """A builder gives a queryset, or a statement of its own around querysets'
    compiled SQL (``sql``, ``params``), such as several counts in one."""
    if isinstance(built, QuerySet):
        return built.query.sql_with_params()
    return built


def compiled(key: Hashable, build: Callable[..., Built], **values: Any) -> tuple[str, list]:
    """``build(**values)``'s SQL and parameters, compiled once per ``key``."""
    if connection.vendor != "postgresql":
        return _sql(build(**values))
    if key not in _compiled:
        _compile(key, build, values)
    sql, params, slots = _compiled[key]
    bound = zip(params, slots, strict=True)
    return sql, [p if slot is None else _bound(values[slot]) for p, slot in bound]


def _compile(
    key: Hashable, build: Callable[..., Built], values: dict[str, Any], *, objects: bool = False
) -> None:
    stand_ins = {name: _stand_in(value) for name, value in values.items()}
    with _no_reads(key):
        built = build(**{name: s[0] for name, s in stand_ins.items()})
        compiler = None
        if isinstance(built, QuerySet):
            compiler = built.query.get_compiler(connection=connection)
            sql, params = compiler.as_sql()
        else:
            sql, params = built
    slots = []
    for param in params:
        names = [name for name, (_, p) in stand_ins.items() if param == p]
        slots.append(names[0] if names else None)
    _refuse_derived_values(key, build, values, sql, params, slots)
    _compiled[key] = (sql, list(params), slots)
    if objects:
        if compiler is None:
            raise TypeError("compiled_objects reads the rows of a queryset")
        _readers[key] = _Reader.of(compiler)


@contextmanager
def _no_reads(key: Hashable) -> Iterator[None]:
    """Refuse a builder that reads the database while it builds: what it read
    (the person's groups as a list of ids, say) would shape the statement, and
    the stand-ins, who hold nothing, would have it compiled for nobody's."""

    def refuse(execute, sql, params, many, context):
        raise ValueError(f"{key!r}: building the statement read the database: {sql[:120]}")

    with connection.execute_wrapper(refuse):
        yield


def _refuse_derived_values(
    key: Hashable,
    build: Callable[..., Built],
    values: dict[str, Any],
    sql: str,
    params: Sequence[Any],
    slots: list[str | None],
) -> None:
    """Compile again with other stand-ins: the statement must be the same, and
    every parameter that changed must be a value's own. A builder that put
    ``now - a day`` (or a branch on the person) into its statement would
    otherwise have the first call's answer compiled in for every call after."""
    others = {name: _stand_in(value) for name, value in values.items()}
    with _no_reads(key):
        again_sql, again = _sql(build(**{n: s[0] for n, s in others.items()}))
    same_shape = again_sql == sql and len(again) == len(params)
    if not same_shape or any(
        first != second and slot is None
        for first, second, slot in zip(params, again, slots, strict=True)
    ):
        raise ValueError(f"{key!r}: the statement depends on its values beyond binding them")


@dataclass(frozen=True)
class _Reader:
    """How the ORM's model iterator turns a statement's rows into instances,
    learnt once from the compiler of the statement (``ModelIterable``)."""

    model: type[Model]
    init_list: list[str]
    start: int
    end: int
    converters: list[tuple[int, list, Any]]
    populators: list
    annotations: dict[str, int]

    @classmethod
    def of(cls, compiler: SQLCompiler) -> _Reader:
        select, klass_info = compiler.select, compiler.klass_info
        if klass_info is None:  # values(): not rows of a model
            raise TypeError("compiled_objects reads rows of a model")
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        converters = compiler.get_converters([s[0] for s in select])
        return cls(
            model=klass_info["model"],
            init_list=[f[0].target.attname for f in select[start:end]],
            start=start,
            end=end,
            converters=[(pos, fns, expr) for pos, (fns, expr) in converters.items()],
            populators=get_related_populators(klass_info, select, connection.alias),
            annotations=dict(compiler.annotation_col_map or {}),
        )

    def objects(self, rows: list[tuple]) -> list[Model]:
        found = []
        for raw in rows:
            row = list(raw)
            for pos, fns, expression in self.converters:
                for convert in fns:
                    row[pos] = convert(row[pos], expression, connection)
            obj = self.model.from_db(connection.alias, self.init_list, row[self.start : self.end])
            for populator in self.populators:
                populator.populate(row, obj)
            for name, pos in self.annotations.items():
                setattr(obj, name, row[pos])
            found.append(obj)
        return found


def compiled_rows(key: Hashable, build: Callable[..., Built], **values: Any) -> list[tuple]:
    """The rows of ``build(**values)``, a ``values_list`` of plain columns
    (the driver's own types: no field converters are applied) or a statement
    of its own, compiled once per ``key``."""
    if connection.vendor != "postgresql":
        built = build(**values)
        if isinstance(built, QuerySet):
            return list(built)
        sql, params = built
    else:
        sql, params = compiled(key, build, **values)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def compiled_objects(key: Hashable, build: Callable[..., QuerySet], **values: Any) -> list:
    """The model instances ``build(**values)`` yields (with their
    ``select_related`` objects and annotations), its statement compiled once
    per ``key``. The builder's queryset must yield instances of its model
    (no ``values()``); a ``prefetch_related`` of it is not run."""
    if connection.vendor != "postgresql":
        return list(build(**values))
    if key not in _readers:
        _compile(key, build, values, objects=True)
    sql, params = compiled(key, build, **values)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return _readers[key].objects(rows)
