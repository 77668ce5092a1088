"""Request fields that read exactly the type the schema documents.

DRF's ``CharField`` (and the fields built on it: slugs, e-mail addresses)
turns a JSON number into text (``93443`` becomes ``"93443"``), so a body the
schema calls wrong is taken as right: a reason of ``1e16`` would be recorded as
if somebody had written it. Every string the API reads is one of these, and
``StrictModelSerializer`` maps model text columns to them, so the API refuses
anything but a string, as its schema says. ``tests/api/test_strict_strings.py``
walks every serializer to keep it so.
"""

from __future__ import annotations

from django.db import models
from rest_framework import serializers


class StringOnly:
    default_error_messages = {"invalid": "Not a valid string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictCharField(StringOnly, serializers.CharField):
    pass


class ChoiceDisplayField(StrictCharField):
    """A choice's label (``source="get_FOO_display"``), read by calling the
    model's method. DRF asks ``inspect.signature`` of every callable it reads
    before calling it: 80 microseconds each, 170 times on a page of cases."""

    def get_attribute(self, instance):
        return getattr(instance, self.source)()


class StrictSlugField(StringOnly, serializers.SlugField):
    pass


class StrictEmailField(StringOnly, serializers.EmailField):
    default_error_messages = {"invalid": "Enter a valid email address."}


class StrictRegexField(StringOnly, serializers.RegexField):
    pass


class StrictURLField(StringOnly, serializers.URLField):
    pass


class StrictIPAddressField(StringOnly, serializers.IPAddressField):
    pass


class StrictModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.SlugField: StrictSlugField,
        models.EmailField: StrictEmailField,
        models.URLField: StrictURLField,
        models.GenericIPAddressField: StrictIPAddressField,
    }
