"""Editing a child's identity, safely when two people edit at once.

Every edit names the version it started from. If someone else saved in the
meantime the edit is refused, nothing is overwritten, and the person is shown
what the other change was next to what they typed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from cases import selectors
from cases.matching import format_postcode, name_key
from cases.models import Child, ChildAddress
from safeguard.audit.services import audit_record

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


def can_edit_child(user: AbstractBaseUser, child: Child) -> bool:
    lead_case = any(
        selectors.has_lead_access(user, case)
        for case in selectors.cases_for(user).filter(child=child)
    )
    return lead_case


@transaction.atomic
def child_update(
    *, acting_user: AbstractBaseUser, child: Child, expected_version: int, fields: dict[str, Any]
) -> Child:
    if not can_edit_child(acting_user, child):
        raise PermissionDenied("Only the lead agency edits a child's record.")
    dob, expected = fields.get("date_of_birth"), fields.get("expected_date_of_birth")
    if dob and dob > timezone.localdate():
        raise ValidationError({"date_of_birth": "Date of birth must be today or in the past"})
    if expected and dob:
        raise ValidationError({"expected_date_of_birth": "Give a date of birth or an expected one"})
    changes = {name: fields[name] for name in EDITABLE if name in fields}
    if "postcode" in changes:
        changes["postcode"] = format_postcode(changes["postcode"])
    # The row as this edit found it, locked: what it replaces (the address to
    # keep) is then exactly the version the person was editing.
    previous = Child.objects.select_for_update().filter(pk=child.pk).first()
    if previous is None or previous.version != expected_version:
        current = previous or Child.objects.get(pk=child.pk)
        differing = [n for n in EDITABLE if n in fields and getattr(current, n) != fields[n]]
        raise StaleEdit(current=current, changed_fields=differing)
    changes["first_name_key"] = name_key(changes.get("first_name", previous.first_name))
    changes["last_name_key"] = name_key(changes.get("last_name", previous.last_name))
    moved = _keep_previous_address(acting_user=acting_user, previous=previous, changes=changes)
    Child.objects.filter(pk=child.pk, version=expected_version).update(
        **changes, version=F("version") + 1, updated_at=timezone.now()
    )
    before = {n: str(getattr(previous, n)) for n in EDITABLE if n in fields}
    child.refresh_from_db()
    audit_record(
        user=acting_user,
        action="update",
        event="child_updated",
        obj=child,
        detail={
            "fields": sorted(n for n in before if before[n] != str(getattr(child, n))),
            "version": child.version,
            "previous_address_kept": moved,
        },
    )
    return child


def _keep_previous_address(
    *, acting_user: AbstractBaseUser, previous: Child, changes: dict[str, Any]
) -> bool:
    """A changed address becomes a dated history row, never lost."""
    address = changes.get("address", previous.address)
    postcode = changes.get("postcode", previous.postcode)
    unchanged = address.strip() == previous.address.strip() and postcode == previous.postcode
    if unchanged or not (previous.address.strip() or previous.postcode):
        return False
    last = previous.address_history.order_by("-to_date", "-recorded_at").first()
    today = timezone.localdate()
    ChildAddress.objects.create(
        child=previous,
        address=previous.address,
        postcode=previous.postcode,
        # Held since the last move on record, or since the record was made.
        from_date=min(last.to_date if last else timezone.localdate(previous.created_at), today),
        to_date=today,
        recorded_by=acting_user,
    )
    return True
