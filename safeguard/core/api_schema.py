"""The OpenAPI schema documents the errors the API gives, with their body.

Every operation can answer 400 (a bad body or query, or a parser limit), 401
(no or a bad token), 403 (signed in, not allowed; a token without two-factor)
and 404 (no such object, or one you may not see): those are added to each
operation unless it documents them itself. Codes an operation documents
without a body (409, 410, 412, 428...) get the shared ``Error`` component, so
one schema object describes every refusal. Operations that take a body also
document 415 (a body in a media type the operation does not read).

Text fields that may not be blank have a ``minLength`` of 1 in requests (DRF
also trims spaces first, and refuses a NUL character in any text).

Times of day are local wall-clock times without an offset ("15:30:00", RFC
3339's ``partial-time``); OpenAPI's ``time`` format means a full time with an
offset, which DRF's TimeField neither sends nor needs, so they are documented
by pattern instead.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from safeguard.core.api_errors import ErrorSerializer

EVERY_OPERATION = {
    "400": "Something sent is wrong: field errors by name, or a body the parser refused "
    "(larger than the limit, nested too deep, not JSON).",
    "401": "Not signed in: no credentials, or a token that is wrong, expired, revoked or idle.",
    "403": "Signed in, but not allowed to do this.",
    "404": "No such object, or one you may not see: the two are indistinguishable.",
}
WITH_BODY = {
    "415": "The body is in a media type this operation does not read (see its request body).",
}
PARTIAL_TIME = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]+)?)?$"


class AutoSchema(SpectacularAutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, response in list(responses.items()):
            if str(code).startswith("4") and "content" not in response:
                responses[code] = self._error(code, response.get("description", ""))
        expected = dict(EVERY_OPERATION)
        if self.method in ("POST", "PUT", "PATCH"):
            expected |= WITH_BODY
        for code, description in expected.items():
            if code not in responses:
                responses[code] = self._error(code, description)
        return dict(sorted(responses.items()))

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.TimeField) and schema.get("format") == "time":
            schema.update(format="partial-time", pattern=PARTIAL_TIME)
        elif direction != "request":
            pass
        elif isinstance(field, serializers.ListField | serializers.MultipleChoiceField):
            if not getattr(field, "allow_empty", True):
                schema.setdefault("minItems", 1)
        elif (
            isinstance(field, serializers.CharField)
            and schema.get("type") == "string"
            and not field.allow_blank
        ):
            # DRF refuses an empty string unless blank is allowed (and, after
            # trimming, one of only spaces: said in the API's description).
            schema.setdefault("minLength", 1)
        return schema

    def _error(self, code: str, description: str) -> dict:
        return self._get_response_for_code(
            OpenApiResponse(ErrorSerializer, description=description or EVERY_OPERATION.get(code)),
            code,
        )
