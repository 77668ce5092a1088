"""Request fields that read exactly the type the schema documents.

DRF's ``CharField`` turns a JSON number into text (``93443`` becomes
``"93443"``), so a body the schema calls wrong is taken as right. Where a
value names someone or something (a username, a person's name) the API
refuses anything but a string, as its schema says.
"""

from __future__ import annotations

from rest_framework import serializers


class StrictCharField(serializers.CharField):
    default_error_messages = {"invalid": "Not a valid string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)
