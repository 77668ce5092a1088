"""Rows that belong to a row, read in that row's own statement (PostgreSQL).

A list whose rows each carry lists of their own (a case's involvements, each
with its reasons) reads them with ``prefetch_related`` in one statement per
list: four more for a page of cases. On PostgreSQL each can instead be a
column of the page's own statement, an array of JSON objects built from the
model's columns (``ARRAY(SELECT jsonb_build_object(...) ... ORDER BY ...)``),
and turned back into model instances here, each value through its field's
own ``to_python``, so that serializers see what a prefetch would have given.

Only what is named is read: a related object's columns are listed (a
professional's user is their id and username, never the password hash).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import Model, QuerySet
from django.db.models.functions import JSONObject


@dataclass(frozen=True)
class Nested:
    """What to read of each row of ``queryset`` (filtered by ``OuterRef``s to
    the outer row): its model's ``fields`` (names or attnames, the primary
    key among them), each related object's fields (``related``), and lists of
    its own (``lists``), each under its name."""

    queryset: QuerySet
    fields: Sequence[str]
    related: Mapping[str, Sequence[str]] = field(default_factory=dict)
    lists: Mapping[str, Nested] = field(default_factory=dict)

    def expression(self) -> ArraySubquery:
        members: dict = {name: name for name in self.fields}
        for name, columns in self.related.items():
            members[name] = JSONObject(**{c: f"{name}__{c}" for c in columns})
        for name, inner in self.lists.items():
            members[name] = inner.expression()
        # The queryset's own order (its model's by default) is the array's.
        return ArraySubquery(self.queryset.values(row=JSONObject(**members)))

    def instances(self, rows: Sequence[Mapping] | None) -> list[Model]:
        """The model instances the column's JSON objects describe."""
        model = self.queryset.model
        found = []
        for row in rows or ():
            obj = _instance(model, self.fields, row)
            for name, columns in self.related.items():
                obj._state.fields_cache[name] = _related(model, name, columns, row[name])
            for name, inner in self.lists.items():
                setattr(obj, name, inner.instances(row[name]))
            found.append(obj)
        return found


def _related(model: type[Model], name: str, columns: Sequence[str], row: Mapping) -> Model | None:
    target = model._meta.get_field(name).related_model
    pk = target._meta.pk
    if row[pk.name] is None:  # a nullable relation not set
        return None
    return _instance(target, columns, row)


def _instance(model: type[Model], names: Sequence[str], row: Mapping) -> Model:
    """``model.from_db`` of the named fields' values in ``row``. ``from_db``
    reads the values it is given in the model's own order of fields, whatever
    order their names come in: so they are put in that order."""
    given = {model._meta.get_field(name): row[name] for name in names}
    fields = [f for f in model._meta.concrete_fields if f in given]
    values = [field.to_python(given[field]) for field in fields]
    return model.from_db(connection.alias, [f.attname for f in fields], values)
