"""The child's identity fields, defined once for the page, the API and the service."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cases.models import Child

EDITABLE = (
    "first_name",
    "last_name",
    "other_names",
    "date_of_birth",
    "expected_date_of_birth",
    "sex",
    "gender",
    "ethnicity",
    "disabilities",
    "language",
    "nhs_number",
    "upn",
    "address",
    "postcode",
    "school",
)
# What the API shows of a child's identity: the same fields, less the expected
# date of birth, which the published API has never carried.
API_FIELDS = tuple(name for name in EDITABLE if name != "expected_date_of_birth")


@dataclass
class StaleEdit(Exception):
    """Someone else saved the child first; ``current`` is the record as they left it."""

    current: Child
    changed_fields: list[str]


def identity_snapshot(values: Mapping[str, Any]) -> dict[str, Any]:
    """The editable fields as plain, comparable JSON: what a form was opened
    on, what was typed, what the record holds now."""
    snapshot: dict[str, Any] = {}
    for name in EDITABLE:
        value = values.get(name)
        if isinstance(value, dt.date):
            value = value.isoformat()
        elif value is None:
            value = ""
        elif isinstance(value, list | tuple):
            value = sorted(str(v) for v in value)
        else:
            # Browsers send a textarea's new lines as CRLF.
            value = str(value).replace("\r\n", "\n").strip()
        snapshot[name] = value
    return snapshot


def fields_changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """Of the fields ``before`` knows, those ``after`` (both snapshots) differs in."""
    return [name for name in EDITABLE if name in before and after.get(name) != before[name]]
