"""Lists people can narrow: filters and a sort, as a GET form that works
without JavaScript, with the filters applied shown and each removable.

Built on django-filter. Sorting is never a free ``order_by`` from the URL:
each list names its few orders (``SORTS``), every one a keyset order read
straight off an index, so a filtered, sorted page 1,000 still costs what page
1 does and nothing is counted (ARCHITECTURE.md, "Big tables").
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from urllib.parse import urlencode

import django_filters
from django import forms
from django.http import QueryDict
from django.utils.choices import BaseChoiceIterator

from safeguard.core.forms import GovukDateField

# Not filters: the page's own parameters, dropped from "remove this filter" links.
NOT_FILTERS = ("cursor", "page")


class SharedChoices(BaseChoiceIterator):
    """A filter's choices, fixed once made (value and label pairs).

    A form copies every field it is made with, and a choice field copied its
    choices pair by pair: the case list's "Allocated to" offers some 200
    workers at a county's scale, about 900 copies a page, which django-filter
    then turned into a new list on every pass over them. Choices that never
    change are shared by the copies instead, and handed over as they are."""

    def __init__(self, choices: Iterable[tuple[Any, Any]]) -> None:
        self._choices = tuple(choices)

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        return iter(self._choices)

    def __len__(self) -> int:
        return len(self._choices)

    def __deepcopy__(self, memo: dict) -> SharedChoices:
        return self


class GovukDateFilter(django_filters.DateFilter):
    """A date filter typed as day, month and year (the GOV.UK date pattern)."""

    field_class = GovukDateField


class ListFilterSet(django_filters.FilterSet):
    """A list's filters. ``SORTS`` maps each sort's value to its label and its
    keyset ordering; the first is the default."""

    SORTS: dict[str, tuple[str, tuple[str, ...]]] = {}

    sort = django_filters.ChoiceFilter(
        label="Sort by", method="_no_filter", empty_label=None, required=False
    )

    def __init__(self, data: QueryDict | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(data, *args, **kwargs)
        if self.SORTS:
            self.filters["sort"].extra["choices"] = SharedChoices(
                (k, v[0]) for k, v in self.SORTS.items()
            )
        else:
            del self.filters["sort"]

    def _no_filter(self, queryset, name, value):
        return queryset  # the sort orders the page; it filters nothing

    @property
    def form(self) -> forms.Form:
        form = super().form
        if "sort" in form.fields:
            form.fields["sort"].required = False
        return form

    @property
    def ordering(self) -> Sequence[str]:
        default = next(iter(self.SORTS.values()))[1] if self.SORTS else ()
        if not self.is_bound or not self.form.is_valid():
            return default
        chosen = self.form.cleaned_data.get("sort")
        return self.SORTS[chosen][1] if chosen in self.SORTS else default

    @property
    def qs(self):
        # A filter that does not validate narrows nothing: the form shows why.
        if self.is_bound and not self.form.is_valid():
            return self.queryset.all()
        return super().qs

    def narrow(self, queryset):
        """``queryset`` with the filters applied (none while they do not validate)."""
        if not self.is_bound or not self.form.is_valid():
            return queryset
        return self.filter_queryset(queryset)

    def query(self) -> dict[str, str]:
        """The filters as typed, for the Next and Previous links."""
        if not self.data:
            return {}
        return {k: v for k, v in self.data.items() if k not in NOT_FILTERS and v != ""}

    def applied(self) -> list[dict[str, str]]:
        """Each filter in force (the sort is not one): its label, the value
        as people read it, and the link that removes it."""
        if not self.is_bound or not self.form.is_valid():
            return []
        query = self.query()
        shown = []
        for name, field in self.form.fields.items():
            if name == "sort":
                continue
            value = self.form.cleaned_data.get(name)
            if value in (None, "", [], False):
                continue
            shown.append(
                {
                    "label": str(field.label),
                    "value": _value_label(field, value, query.get(name)),
                    "remove": "?" + urlencode(_without(query, name)),
                }
            )
        return shown

    def clear_link(self) -> str:
        sort = self.query().get("sort")
        return "?" + urlencode({"sort": sort}) if sort else "?"


def _without(query: dict[str, str], name: str) -> dict[str, str]:
    # A date is typed in three boxes: name_0, name_1, name_2.
    return {k: v for k, v in query.items() if k != name and not k.startswith(name + "_")}


def _value_label(field: forms.Field, value: Any, raw: str | None) -> str:
    if hasattr(value, "strftime"):
        return f"{value:%-d %B %Y}"
    if isinstance(field, forms.ModelChoiceField):
        if value is None or raw == getattr(field, "null_value", "null"):
            return str(getattr(field, "null_label", "") or "None")
        return str(value)
    if isinstance(field, forms.ChoiceField):
        return str(dict(field.choices).get(raw, value))
    return str(value)
