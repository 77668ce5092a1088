"""Cursor pagination for the API's big lists (SPEC 6: ``{"next", "previous",
"results"}``, cursor pagination for large lists, a count only where cheap).

DRF's ``CursorPagination`` pages on an ordering the database reads off an
index and never counts, so the last page costs what the first does. Each list
names its order (which must be backed by an index on the same columns, ending
in the primary key).

Where that order is of the model's own columns ending in its primary key (every
list but the oversight drill-downs), the page is ``safeguard.core.keyset``'s:
DRF's cursor holds the first column only and skips rows that share its value
by OFFSET, so rows sharing a time cost a walk through all of them (the health
trust's page 41 of cases at a county's scale: 544 ms, where a row comparison
takes 10), and more than 1,000 of them (DRF's cap on that offset) are paged
wrongly. Its cursors are signed: one not ours is a 404, as DRF's are."""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import QuerySet
from django.db.models.query import ModelIterable
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.utils.urls import replace_query_param

from safeguard.core import keyset
from safeguard.core.keyset import KeysetPage


class KeysetCursorPagination(CursorPagination):
    page_size = 25
    cursor_query_param = "cursor"
    ordering = ("-pk",)
    _keyset: KeysetPage | None = None

    def paginate_queryset(self, queryset, request, view=None):
        ordering = _keyed(queryset, self.get_ordering(request, queryset, view))
        if ordering is None:
            return self._drf_page(queryset, request, view)
        self.request = request
        self.base_url = request.build_absolute_uri()
        self.page_size = self.get_page_size(request)
        self.ordering = ordering
        cursor = request.query_params.get(self.cursor_query_param) or None
        if cursor and not keyset.is_cursor_for(cursor, queryset.model, ordering):
            raise NotFound(self.invalid_cursor_message)
        # A view may read its rows itself (a statement compiled once):
        # ``keyset_fetch``, as keyset_page's ``fetch``.
        fetch = getattr(view, "keyset_fetch", None)
        self._keyset = keyset.keyset_page(
            queryset, ordering, cursor, per_page=self.page_size, fetch=fetch
        )
        self.page = list(self._keyset.object_list)
        self.has_next, self.has_previous = self._keyset.has_next, self._keyset.has_previous
        return self.page

    def get_next_link(self):
        if self._keyset is None:
            return super().get_next_link()
        return self._link(self._keyset.next_cursor)

    def get_previous_link(self):
        if self._keyset is None:
            return super().get_previous_link()
        return self._link(self._keyset.previous_cursor)

    def _link(self, cursor: str | None) -> str | None:
        if not cursor:
            return None
        return replace_query_param(self.base_url, self.cursor_query_param, cursor)

    def _drf_page(self, queryset, request, view):
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValueError, ValidationError):
            if getattr(self, "cursor", None) is None:
                raise
            # DRF's cursors are not signed: one made by hand (or from another
            # list) can carry a position that is no value of this list's column
            # ("abc" for an id), which the database layer refuses with a
            # ValueError (a 500). Like any cursor not ours, it is a 404.
            raise NotFound(self.invalid_cursor_message) from None


def _keyed(queryset: QuerySet, ordering: tuple[str, ...]) -> tuple[str, ...] | None:
    """``ordering`` in the model's own field names when it is of the model's
    concrete columns and ends in its primary key, with rows read as model
    instances (what ``keyset_page`` pages); ``None`` otherwise."""
    if not isinstance(queryset, QuerySet) or queryset._iterable_class is not ModelIterable:
        return None
    meta = queryset.model._meta
    names = []
    for field in ordering:
        name = field.lstrip("-")
        name = meta.pk.name if name == "pk" else name
        try:
            concrete = meta.get_field(name).concrete
        except FieldDoesNotExist:
            return None
        if not concrete:
            return None
        names.append(("-" if field.startswith("-") else "") + name)
    return tuple(names) if names and names[-1].lstrip("-") == meta.pk.name else None


def cursor_pagination(*ordering: str) -> type[KeysetCursorPagination]:
    """A pagination class for one list's ``ordering``."""
    name = "CursorPagination_" + "_".join(f.replace("-", "desc_") for f in ordering)
    return type(name, (KeysetCursorPagination,), {"ordering": ordering})
