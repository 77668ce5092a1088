"""Cursor pagination for the API's big lists (SPEC 6: ``{"next", "previous",
"results"}``, cursor pagination for large lists, a count only where cheap).

DRF's ``CursorPagination`` pages on an ordering the database reads off an
index and never counts, so the last page costs what the first does. Each list
names its order (which must be backed by an index on the same columns, ending
in the primary key)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination


class KeysetCursorPagination(CursorPagination):
    page_size = 25
    cursor_query_param = "cursor"
    ordering = ("-pk",)

    def paginate_queryset(self, queryset, request, view=None):
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


def cursor_pagination(*ordering: str) -> type[KeysetCursorPagination]:
    """A pagination class for one list's ``ordering``."""
    name = "CursorPagination_" + "_".join(f.replace("-", "desc_") for f in ordering)
    return type(name, (KeysetCursorPagination,), {"ordering": ordering})
