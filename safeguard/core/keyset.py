"""Keyset ("cursor") pagination for pages over big tables.

``Paginator`` counts the whole set and skips ``OFFSET`` rows: at a county's
million cases that is seconds per page, and page 1,000 costs a thousand pages.
A keyset page instead asks for the rows after (or before) the last row shown,
in an order the database can read straight off an index on the same columns,
so page 1,000 costs what page 1 costs and nothing is ever counted
(ARCHITECTURE.md, "Big tables").

The cursor in the link is the sort key of the row to continue from, signed so
that a hand-made cursor is rejected (it would only ever select rows the
queryset already allows, but a bad value must be a first page, never a 500).
"""

from __future__ import annotations

import base64
import binascii
import json
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import reduce
from typing import Any
from urllib.parse import urlencode

from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet

# Row comparisons, ``(a, b) < (x, y)``: Django's own, written for composite keys.
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan

SALT = "safeguard.keyset"
PER_PAGE = 25


@dataclass
class KeysetPage:
    """One page of rows and the cursors to the pages either side."""

    object_list: list[Any]
    next_cursor: str | None = None
    previous_cursor: str | None = None
    query: dict[str, str] = field(default_factory=dict)

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def _link(self, cursor: str) -> str:
        return "?" + urlencode({**self.query, "cursor": cursor})

    @property
    def next_link(self) -> str:
        return self._link(self.next_cursor) if self.next_cursor else ""

    @property
    def previous_link(self) -> str:
        return self._link(self.previous_cursor) if self.previous_cursor else ""


def _split(ordering: Sequence[str]) -> list[tuple[str, bool]]:
    return [(f.lstrip("-"), f.startswith("-")) for f in ordering]


def _encode(direction: str, values: list[Any], hint: str | None = None) -> str:
    body: list[Any] = [direction, [str(v) for v in values]]
    if hint:
        body.append(hint)
    payload = json.dumps(body, separators=(",", ":"))
    signed = signing.dumps(payload, salt=SALT, compress=False)
    return base64.urlsafe_b64encode(signed.encode()).decode().rstrip("=")


def _signed_body(cursor: str) -> list[Any]:
    """A cursor's direction, raw key values and hint, if any; ValueError for
    anything not ours."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        signed = base64.urlsafe_b64decode(padded.encode()).decode()
        body = json.loads(signing.loads(signed, salt=SALT))
    except (binascii.Error, UnicodeDecodeError, signing.BadSignature, ValueError, TypeError):
        raise ValueError("not a cursor") from None
    if not isinstance(body, list) or len(body) not in (2, 3):
        raise ValueError("not a cursor")
    return body


def _unsigned(cursor: str) -> tuple[Any, Any]:
    """The direction and raw key values of a cursor, or ValueError for anything not ours."""
    direction, raw = _signed_body(cursor)[:2]
    return direction, raw


def hint_of(cursor: str | None) -> str | None:
    """What the page that made ``cursor`` learnt and passed on with it
    (``keyset_page(hint=...)``), or None. Signed with the cursor, so nobody
    else wrote it; still only ever a hint about how to read the next page,
    never which rows it may hold."""
    if not cursor:
        return None
    try:
        body = _signed_body(cursor)
    except ValueError:
        return None
    return body[2] if len(body) == 3 and isinstance(body[2], str) else None


def _decode(cursor: str, model: type[Model], fields: list[tuple[str, bool]]) -> tuple[str, list]:
    """The direction and typed key values, or ValueError for anything not ours."""
    direction, raw = _unsigned(cursor)
    if direction not in ("next", "prev") or not isinstance(raw, list) or len(raw) != len(fields):
        raise ValueError("not a cursor")
    try:
        values = [
            model._meta.get_field(name).to_python(v)
            for (name, _), v in zip(fields, raw, strict=True)
        ]
    except ValidationError:
        raise ValueError("not a cursor") from None
    return direction, values


def is_cursor_for(cursor: str, model: type[Model], ordering: Sequence[str]) -> bool:
    """Whether ``cursor`` is one of ours for rows of ``model`` in ``ordering``."""
    try:
        _decode(cursor, model, _split(ordering))
    except ValueError:
        return False
    return True


def goes_back(cursor: str | None) -> bool:
    """Whether ``cursor`` is one of ours that pages back (towards the first page)."""
    if not cursor:
        return False
    try:
        return _unsigned(cursor)[0] == "prev"
    except ValueError:
        return False


def _after(fields: list[tuple[str, bool]], values: list, *, forward: bool) -> Q:
    """Rows strictly after ``values`` in the ordering (before, when not forward).

    When every key runs the same way, a row comparison, ``(a, b) < (x, y)``:
    PostgreSQL starts its index scan exactly there. Otherwise a OR of "equal
    on the first i keys, beyond on key i+1", with the first key's non-strict
    bound ANDed on so that the scan starts near there instead of at the top.
    The OR alone was the health practitioner's deep page at a county's scale:
    100,000 cases share the seed's build time as ``updated_at``, and the scan
    started at the first of them and filtered its way down (150 ms, against 8
    for the row comparison)."""
    if len({desc for _, desc in fields}) == 1:
        names = [name for name, _ in fields]
        beyond = TupleLessThan if fields[0][1] == forward else TupleGreaterThan
        return Q(beyond(Tuple(*names), tuple(values)))
    alternatives = []
    for i, (name, desc) in enumerate(fields):
        beyond = "lt" if desc == forward else "gt"
        term = Q(**{f"{name}__{beyond}": values[i]})
        for prior, prior_value in zip(fields[:i], values[:i], strict=True):
            term &= Q(**{prior[0]: prior_value})
        alternatives.append(term)
    first, first_desc = fields[0]
    bound = "lte" if first_desc == forward else "gte"
    return Q(**{f"{first}__{bound}": values[0]}) & reduce(operator.or_, alternatives)


def after(ordering: Sequence[str], values: list, *, forward: bool) -> Q:
    """The rows beyond ``values`` (a row's key in ``ordering``) going forward,
    or before them going back: for a ``fetch`` of ``keyset_page``."""
    return _after(_split(ordering), values, forward=forward)


# fetch(order, boundary, forward, limit): the first ``limit`` rows in ``order``
# beyond ``boundary`` (``after``), or from the start for none.
Fetch = Callable[[list[str], list | None, bool, int], list[Any]]


def keyset_page(
    queryset: QuerySet,
    ordering: Sequence[str],
    cursor: str | None,
    *,
    per_page: int | None = None,
    query: dict[str, str] | None = None,
    fetch: Fetch | None = None,
    hint: str | None = None,
) -> KeysetPage:
    """The page of ``queryset`` in ``ordering`` that ``cursor`` points at (the first
    page for none, or for one that is not ours). The ordering's columns must be
    non-null and end in a unique one (the primary key), so that it is total.
    One query: one row more than the page tells whether there is a page beyond.
    ``fetch`` reads the rows instead of ``queryset`` (which then only names the
    model): for a statement compiled once (safeguard.core.compiled). ``hint``
    goes into the page's cursors, for the next page to read (``hint_of``)."""
    per_page = per_page or PER_PAGE
    fields = _split(ordering)
    model = queryset.model
    direction, values = "next", None
    if cursor:
        try:
            direction, values = _decode(cursor, model, fields)
        except ValueError:
            direction, values = "next", None
    forward = direction == "next"
    order = (
        list(ordering) if forward else [f[1:] if f.startswith("-") else "-" + f for f in ordering]
    )
    if fetch is not None:
        fetched = fetch(order, values, forward, per_page + 1)
    else:
        rows = queryset
        if values is not None:
            rows = rows.filter(_after(fields, values, forward=forward))
        fetched = list(rows.order_by(*order)[: per_page + 1])
    more = len(fetched) > per_page
    fetched = fetched[:per_page]
    if not forward:
        fetched.reverse()
    page = KeysetPage(fetched, query=dict(query or {}))
    if not fetched:
        return page

    def key(obj: Any) -> list:
        return [getattr(obj, name) for name, _ in fields]

    # Going forward, a page before exists when we came from one; going back,
    # the page we came from is after this one.
    if forward:
        page.next_cursor = _encode("next", key(fetched[-1]), hint) if more else None
        page.previous_cursor = (
            _encode("prev", key(fetched[0]), hint) if values is not None else None
        )
    else:
        page.next_cursor = _encode("next", key(fetched[-1]), hint)
        page.previous_cursor = _encode("prev", key(fetched[0]), hint) if more else None
    return page
