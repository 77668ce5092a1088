"""Every string the API reads is a string: a JSON number is refused, not recorded.

The schema fuzzer found ``POST /api/v1/concerns/{id}/return/`` taking
``{"comment": 1e16}`` as the comment "1e+16": DRF's text fields turn numbers
into text. This walks every serializer the API is built from, so a new field
declared with DRF's own ``CharField`` fails here rather than in a fuzzing run
that may or may not reach it.
"""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers

from safeguard.core.api_fields import StrictCharField, StrictModelSerializer, StringOnly

PROJECT_APPS = {
    "agencies",
    "cases",
    "census",
    "meetings",
    "oversight",
    "referrals",
    "retention",
    "safeguard",
    "subject_access",
    "summaries",
    "work",
}


def _project_serializers() -> list[type[serializers.Serializer]]:
    SchemaGenerator().get_schema(request=None, public=True)  # imports every API module

    def below(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from below(sub)

    return sorted(
        {
            cls
            for cls in below(serializers.Serializer)
            if cls.__module__.split(".")[0] in PROJECT_APPS and cls is not StrictModelSerializer
        },
        key=lambda cls: f"{cls.__module__}.{cls.__qualname__}",
    )


def _loose_text_fields(serializer, path: str = ""):
    for name, field in serializer.fields.items():
        where = f"{path}{name}"
        if isinstance(field, serializers.ListSerializer):
            field = field.child
        if isinstance(field, serializers.Serializer):
            yield from _loose_text_fields(field, where + ".")
            continue
        while isinstance(field, serializers.ListField | serializers.DictField):
            field = field.child
        if (
            isinstance(field, serializers.CharField)
            and not field.read_only
            and not isinstance(field, StringOnly)
        ):
            yield where, type(field).__name__


def test_every_text_field_the_api_reads_refuses_anything_but_a_string():
    found = _project_serializers()
    assert len(found) > 100, "the walk should reach every API serializer"
    loose = [
        f"{cls.__module__}.{cls.__qualname__}.{where} ({kind})"
        for cls in found
        for where, kind in _loose_text_fields(cls())
    ]
    assert loose == [], "\n".join(loose)


@pytest.mark.parametrize("value", [1e16, 93443, True, ["a reason"], {"a": "reason"}])
def test_a_strict_field_refuses_what_is_not_text(value):
    field = StrictCharField(max_length=50)
    with pytest.raises(serializers.ValidationError) as refused:
        field.run_validation(value)
    assert refused.value.detail == ["Not a valid string."]
    assert field.run_validation(" a reason ") == "a reason"
