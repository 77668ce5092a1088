"""The chronology API's page: numbered as ``PageNumberPagination`` numbers it,
its entries written as ``ChronologyEntrySerializer`` writes them.

A page of 25 entries through the ``ModelSerializer`` was about 80 model
instances (each entry with its agency and author) and the serializer's
fields built again on every request, for nine plain values a row. Here the
rows of ``chronology_page_for`` become the same JSON directly;
tests/cases/test_chronology_api.py holds the two side by side. The
serializer stays the schema's (and the answer to a POST).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.pagination import InvalidPage, PageNumberPagination
from rest_framework.request import Request

from cases.models import ChronologyEntry

# fetch(offset, limit): the list's count and that slice of it, read together.
Fetch = Callable[[int, int], tuple[int, list]]


class _Fetched:
    """What Django's paginator pages over: the list's count and one slice of
    it, both read by one ``fetch`` the first time either is asked for. The
    paginator checks the page number (against the count, when it must) before
    it asks for the slice, so a number it refuses costs no statement."""

    def __init__(self, fetch: Fetch, offset: int, limit: int) -> None:
        self._fetch, self._offset, self._limit = fetch, offset, limit
        self._read: tuple[int, list] | None = None

    def _answer(self) -> tuple[int, list]:
        if self._read is None:
            self._read = self._fetch(self._offset, self._limit)
        return self._read

    def count(self) -> int:
        return self._answer()[0]

    def __getitem__(self, _slice: slice) -> list:
        # Only ever asked for the slice it was made for.
        return self._answer()[1]


class CountedPagination(PageNumberPagination):
    """``PageNumberPagination`` (its numbers, links, errors and schema) for a
    list whose count and page are read together (``paginate_fetched``)
    rather than as a count and then a slice of a queryset."""

    def paginate_fetched(self, request: Request, fetch: Fetch) -> list:
        """The page the request asks for, as ``paginate_queryset`` gives it,
        raising its ``NotFound`` for a page there is not."""
        self.request = request
        size = self.get_page_size(request)
        number: Any = request.query_params.get(self.page_query_param) or 1
        if number in self.last_page_strings:
            first = _Fetched(fetch, 0, size)
            number = self.django_paginator_class(first, size).num_pages
            found = first if number == 1 else _Fetched(fetch, (number - 1) * size, size)
        else:
            found = _Fetched(fetch, (_as_number(number) - 1) * size, size)
        paginator = self.django_paginator_class(found, size)
        try:
            self.page = paginator.page(number)
        except InvalidPage as exc:
            msg = self.invalid_page_message.format(page_number=number, message=str(exc))
            raise NotFound(msg) from exc
        if paginator.num_pages > 1 and self.template is not None:
            self.display_page_controls = True
        return list(self.page)


def _as_number(number: str | int) -> int:
    """The page number the paginator will read, for the slice to fetch; 1 for
    one it will refuse before it reads anything (not a number, below 1)."""
    try:
        return max(int(number), 1)
    except (TypeError, ValueError):
        return 1


_WHEN = serializers.DateTimeField()  # the serializer's: ISO 8601 in the current time zone
_KIND_LABELS = {value: str(label) for value, label in ChronologyEntry.Kind.choices}


def entries_json(rows: Sequence[tuple]) -> list[dict[str, Any]]:
    """``ChronologyEntrySerializer(entries, many=True).data`` for the rows of
    ``chronology_page_for`` (``ENTRY_COLUMNS``), key for key."""
    when = _WHEN.to_representation
    return [
        {
            "id": str(pk),
            "occurred_at": when(occurred_at),
            "agency": None
            if agency_id is None
            else {"slug": str(slug), "name": str(name), "kind": agency_kind},
            "kind": kind,
            "kind_display": str(_KIND_LABELS.get(kind, kind)),
            "title": str(title),
            "body": str(body),
            "visibility": visibility,
            "source_reference": str(source_reference),
        }
        for (
            pk,
            occurred_at,
            agency_id,
            slug,
            name,
            agency_kind,
            kind,
            title,
            body,
            visibility,
            source_reference,
        ) in rows
    ]
