"""The API's case list, written as ``CaseSerializer`` writes it, from the
columns the page's own statement carries (PostgreSQL).

A page of 25 cases through the serializer was about 300 model instances
built from those columns (``carried.read_carried``: each involvement, its
agency and reasons, each professional and assessment) and then 750 nested
serializer calls to turn them back into the dicts the columns already were:
about three quarters of the request's Python, and the reason the API list
took twice the page's time (bench/RESULTS.md, "The county after session 18").
Here each case's own fields and its carried JSON objects become the same JSON
directly; tests/cases/test_api_case_list_carried.py holds the two side by
side for every person and page. The serializer stays the schema's, the
single case's, and the SQLite demo's (where the lists are prefetched).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from rest_framework import serializers

from cases.models import Case, Involvement

_WHEN = serializers.DateTimeField()  # the serializer's: ISO 8601 in the current time zone
_REASONS = {value: str(label) for value, label in Involvement.Reason.choices}


def _when(value: dt.datetime | None) -> str | None:
    return None if value is None else _WHEN.to_representation(value)


def _when_carried(value: str | None) -> str | None:
    """A timestamp as PostgreSQL's JSON writes it (ISO 8601, the connection's
    UTC), as the serializer writes the datetime it stands for."""
    return None if value is None else _WHEN.to_representation(dt.datetime.fromisoformat(value))


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _reason_label(value: str) -> str:
    # ``get_reason_display``: the label, or the value itself when it has none.
    return _REASONS.get(value, value)


def _agency(row: Mapping | None) -> dict | None:
    if row is None or row["id"] is None:
        return None
    return {"slug": row["slug"], "name": row["name"], "kind": row["kind"]}


def _involvement(row: Mapping) -> dict:
    return {
        "id": row["id"],
        "agency": _agency(row["agency"]),
        "level": row["level"],
        "reason": row["reason"],
        "reason_display": _reason_label(row["reason"]),
        "since": _when_carried(row["started_at"]),
        "reasons": [
            {
                "reason": reason["reason"],
                "reason_display": _reason_label(reason["reason"]),
                "source_reference": reason["source_reference"],
                "since": _when_carried(reason["added_at"]),
            }
            for reason in row["current_reasons"] or ()
        ],
    }


def _professional(row: Mapping) -> dict:
    return {
        "id": row["id"],
        "name": row["name"],
        "role": row["role"],
        "agency": _agency(row["agency"]),
        "phone": row["phone"],
        "email": row["email"],
        "username": row["user"]["username"] if row["user"]["id"] is not None else None,
        "added_at": _when_carried(row["added_at"]),
        "ended_at": _when_carried(row["ended_at"]),
    }


def _assessment(row: Mapping) -> dict:
    # Dates: PostgreSQL's JSON writes them as the serializer does (YYYY-MM-DD).
    return {
        "id": row["id"],
        "started_on": row["started_on"],
        "due_on": row["due_on"],
        "completed_on": row["completed_on"],
        "authorised_on": row["authorised_on"],
        "internal_review_on": row["internal_review_on"],
        "factors": list(row["factors"] or ()),
    }


def case_json(case: Case) -> dict[str, Any]:
    """``CaseSerializer(case).data`` for a case of ``case_rows_fetch(...,
    lead_access=True, carried=True)``'s page, key for key."""
    child = case.child
    born = child.date_of_birth
    worker = case.allocated_worker
    team = case.team
    lead = bool(case.lead_access)
    return {
        "id": str(case.pk),
        "reference": _text(case.reference),
        "status": case.status,
        "is_restricted": bool(case.is_restricted),
        "child": {
            "id": str(child.pk),
            "reference": _text(child.reference),
            "first_name": _text(child.first_name),
            "last_name": _text(child.last_name),
            "date_of_birth": None if born is None else born.isoformat(),
        },
        "lead_agency": {
            "slug": case.lead_agency.slug,
            "name": case.lead_agency.name,
            "kind": case.lead_agency.kind,
        },
        "allocated_worker": None if worker is None else worker.username,
        "team": None if team is None else team.name,
        "opened_at": _when(case.opened_at),
        "closed_at": _when(case.closed_at),
        "lead_access": lead,
        "involvements": [_involvement(r) for r in case.carried_active_involvements or ()],
        "professionals": [_professional(r) for r in case.carried_active_professionals or ()],
        "assessments": (
            [_assessment(r) for r in case.carried_lead_assessments or ()] if lead else []
        ),
    }


def cases_json(cases: Sequence[Case]) -> list[dict[str, Any]]:
    return [case_json(case) for case in cases]
