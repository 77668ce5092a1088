"""Validation of the identifiers people type, using python-stdnum's
implementations of the NHS modulus-11 check and the DfE UPN check letter."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from stdnum.gb import nhs, upn


def normalise_nhs_number(value: str) -> str:
    return nhs.compact(value)


def normalise_upn(value: str) -> str:
    return upn.compact(value)


def validate_nhs_number(value: str) -> None:
    if value and not nhs.is_valid(value):
        raise ValidationError(
            "Enter a valid NHS number: 10 digits, like 943 476 5919", code="invalid_nhs_number"
        )


def validate_upn(value: str) -> None:
    if value and not upn.is_valid(value):
        raise ValidationError(
            "Enter a valid unique pupil number (UPN): a check letter then 12 characters, "
            "like Q801200110001",
            code="invalid_upn",
        )
