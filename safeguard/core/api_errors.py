"""One error body for the whole API: ``{"detail": "...", "errors": {field: [...]}}``.

A client handles every refusal the same way: ``detail`` is a sentence to show
or log, ``errors`` names the fields to fix (empty when no field is at fault).
DRF's exception handler is the one place exceptions become that body; the
few refusals a view answers as a response (so the audit row it wrote is
committed, or to send the current state with a 412) build it with
``error_response``. Nested field errors are flattened to dotted names
(``decisions.<id>.next_review_on``) so ``errors`` is always field → messages.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from safeguard.core.api_fields import StrictCharField

FIELDS_WRONG = "There is a problem with what was sent: see the fields named in errors."


class ErrorSerializer(serializers.Serializer):
    """The body of every API error (the schema's ``Error`` component)."""

    detail = StrictCharField(help_text="What went wrong, as a sentence.")
    errors = serializers.DictField(
        child=serializers.ListField(child=StrictCharField()),
        help_text="Messages by field name (dotted for nested fields; "
        "`non_field_errors` for the request as a whole). Empty when no field is at fault.",
    )


def flatten(errors: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error structure as ``{"a.b.c": [messages]}``."""
    flat: dict[str, list[str]] = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            flat.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(errors, list) and not any(isinstance(e, dict | list) for e in errors):
        if errors:
            flat.setdefault(prefix or api_settings.NON_FIELD_ERRORS_KEY, []).extend(
                str(e) for e in errors
            )
    elif isinstance(errors, list):  # a list serializer's errors, item by item
        for index, value in enumerate(errors):
            if value:
                flat.update(flatten(value, f"{prefix}.{index}" if prefix else str(index)))
    elif errors:
        flat.setdefault(prefix or api_settings.NON_FIELD_ERRORS_KEY, []).append(str(errors))
    return flat


def error_body(detail: str, errors: dict[str, list[str]] | None = None, **extra: Any) -> dict:
    return {"detail": str(detail), "errors": errors or {}, **extra}


def error_response(
    status_code: int,
    detail: str,
    *,
    errors: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    """A refusal answered as a response rather than raised (nothing is rolled back)."""
    return Response(error_body(detail, errors, **extra), status=status_code, headers=headers)


def _validation_body(data: Any) -> dict:
    errors = flatten(data)
    only_general = set(errors) == {api_settings.NON_FIELD_ERRORS_KEY}
    detail = " ".join(errors[api_settings.NON_FIELD_ERRORS_KEY]) if only_general else FIELDS_WRONG
    return error_body(detail, errors)


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        # A service's refusal that a view did not translate: still a 400, by field.
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a server error: Django's handler500 answers it
    if isinstance(exc, exceptions.ValidationError):
        response.data = _validation_body(response.data)
    else:
        data = response.data if isinstance(response.data, dict) else {}
        detail = str(data.get("detail") or response.status_text)
        response.data = error_body(detail, **{k: v for k, v in data.items() if k != "detail"})
    return response
