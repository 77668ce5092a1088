"""The rules a submitted concern must meet, shared by the page and the API so
the two can never disagree about what is valid."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from cases.models import Concern
from safeguard.core.dates import DateKind, date_problem


def concern_errors(data: dict[str, Any]) -> dict[str, str]:
    """Cross-field problems, keyed by the field the message belongs next to."""
    errors: dict[str, str] = {}
    dob = data.get("child_date_of_birth")
    if problem := date_problem(dob, DateKind.BIRTH, "Date of birth"):
        errors["child_date_of_birth"] = problem
    if not dob and data.get("child_age_years") is None:
        errors["child_age_years"] = "Enter the child's date of birth or their age"
    if not (data.get("account") or "").strip():
        errors["account"] = "Enter what you saw or heard"
    observed = data.get("observed_at")
    if isinstance(observed, dt.datetime) and observed > timezone.now():
        errors["observed_at"] = "The date it happened must be today or in the past"
    if data.get("immediate_risk") and not (data.get("actions_taken") or "").strip():
        errors["actions_taken"] = "Say what you have already done to keep the child safe"
    basis = data.get("sharing_basis")
    if basis and basis != Concern.SharingBasis.CONSENT and not data.get("sharing_reason"):
        errors["sharing_reason"] = "Explain why you are sharing without consent"
    return errors
