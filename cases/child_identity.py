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
    "upn_unknown_reason",
    "former_upn",
    "address",
    "postcode",
    "school",
    "date_of_death",
    "cp_plans_before_record",
)
# What the API shows of a child's identity: the same fields, less the expected
# date of birth, which the published API has never carried.
API_FIELDS = tuple(name for name in EDITABLE if name != "expected_date_of_birth")


def census_item_problems(values: Mapping[str, Any]) -> dict[str, str]:
    """What the CIN census items of a child's record (the whole record, as it
    would be after the change) contradict, by field; empty when all is well.
    The page and the API both reach this through the service."""
    from cases.dfe_codes import Disability
    from safeguard.core.dates import DateKind, date_problem

    problems: dict[str, str] = {}
    codes = list(values.get("disabilities") or [])
    unknown = [code for code in codes if code not in Disability.values]
    if unknown:
        problems["disabilities"] = f"Not a DfE disability code: {', '.join(map(str, unknown))}"
    elif Disability.NONE in codes and len(set(codes)) > 1:
        # DfE rule 8790: "no disability" cannot stand beside a disability.
        problems["disabilities"] = "Choose 'No disability' or the disabilities, not both"
    if values.get("upn") and values.get("upn_unknown_reason"):
        problems["upn_unknown_reason"] = (
            "Give a reason for no UPN only when the child has no UPN: remove one of them"
        )
    former = values.get("former_upn") or ""
    if former:
        from django.core.exceptions import ValidationError

        from cases.identifiers import validate_upn

        try:
            validate_upn(former)
        except ValidationError:
            problems["former_upn"] = (
                "Enter a valid former UPN: a check letter then 12 characters, like Q801200110001"
            )
        else:
            if former.upper() == (values.get("upn") or "").upper():
                problems["former_upn"] = "The former UPN is the same as the current one"
    death, birth = values.get("date_of_death"), values.get("date_of_birth")
    if problem := date_problem(death, DateKind.BIRTH, "Date of death"):
        problems["date_of_death"] = problem
    elif death and birth and death < birth:
        problems["date_of_death"] = "Date of death must be on or after the date of birth"
    elif death and values.get("expected_date_of_birth") and not birth:
        problems["date_of_death"] = (
            "Record the date of birth before a date of death (an unborn child has neither)"
        )
    return problems


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
