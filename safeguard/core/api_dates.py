"""The API's date fields, with the bounds every form's dates have
(``safeguard.core.dates``): an impossible date is a 400 naming the field."""

from __future__ import annotations

from rest_framework import serializers

from safeguard.core.dates import DateKind, date_problem


class _Bounded:
    def __init__(self, *, kind: DateKind = DateKind.EVENT, name: str = "", **kwargs) -> None:
        self.kind = kind
        self.name = name
        super().__init__(**kwargs)

    def to_internal_value(self, value):
        parsed = super().to_internal_value(value)
        problem = date_problem(parsed, self.kind, self.name or "The date")
        if problem:
            raise serializers.ValidationError(problem, code=f"impossible_{self.kind.value}_date")
        return parsed


class BoundedDateField(_Bounded, serializers.DateField):
    pass


class BoundedDateTimeField(_Bounded, serializers.DateTimeField):
    pass
