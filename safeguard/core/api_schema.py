"""The OpenAPI schema documents the errors the API gives, with their body.

Every operation can answer 400 (a bad body or query, or a parser limit), 401
(no or a bad token), 403 (signed in, not allowed; a token without two-factor)
and 404 (no such object, or one you may not see): those are added to each
operation unless it documents them itself. Codes an operation documents
without a body (409, 410, 412, 428...) get the shared ``Error`` component, so
one schema object describes every refusal.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse

from safeguard.core.api_errors import ErrorSerializer

EVERY_OPERATION = {
    "400": "Something sent is wrong: field errors by name, or a body the parser refused "
    "(larger than the limit, nested too deep, not JSON).",
    "401": "Not signed in: no credentials, or a token that is wrong, expired, revoked or idle.",
    "403": "Signed in, but not allowed to do this.",
    "404": "No such object, or one you may not see: the two are indistinguishable.",
}


class AutoSchema(SpectacularAutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, response in list(responses.items()):
            if str(code).startswith("4") and "content" not in response:
                responses[code] = self._error(code, response.get("description", ""))
        for code, description in EVERY_OPERATION.items():
            if code not in responses:
                responses[code] = self._error(code, description)
        return dict(sorted(responses.items()))

    def _error(self, code: str, description: str) -> dict:
        return self._get_response_for_code(
            OpenApiResponse(ErrorSerializer, description=description or EVERY_OPERATION.get(code)),
            code,
        )
