"""Changes to a child's record: creating, editing identity, merging duplicates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from agencies.models import Agency
from agencies.roles import TRIAGE_ROLES, Role
from agencies.selectors import agencies_where
from cases.child_identity import EDITABLE, StaleEdit, census_item_problems
from cases.matching import format_postcode, name_key
from cases.models import Case, Child, ChildAddress, ChildMerge, Concern, HouseholdMember
from cases.models.children import Sex
from cases.selectors.policy import can_edit_child
from safeguard.audit.services import audit_record
from safeguard.core.dates import DateKind, date_problem
from safeguard.core.references import next_reference


@transaction.atomic
def child_create(
    *,
    acting_user: AbstractBaseUser,
    lead_agency: Agency,
    first_name: str,
    last_name: str,
    date_of_birth: dt.date | None = None,
    sex: str = "U",
    nhs_number: str = "",
    upn: str = "",
    address: str = "",
    postcode: str = "",
    school: str = "",
    other_names: str = "",
) -> Child:
    if not agencies_where(acting_user, roles=TRIAGE_ROLES).filter(pk=lead_agency.pk).exists():
        raise PermissionDenied("You cannot create children in this agency's records.")
    if problem := date_problem(date_of_birth, DateKind.BIRTH, "Date of birth"):
        raise ValidationError({"date_of_birth": problem})
    child = Child.objects.create(
        reference=next_reference("CHI"),
        lead_agency=lead_agency,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        other_names=other_names.strip(),
        date_of_birth=date_of_birth,
        sex=sex,
        nhs_number=nhs_number,
        upn=upn.upper(),
        address=address,
        postcode=format_postcode(postcode),
        school=school,
        first_name_key=name_key(first_name),
        last_name_key=name_key(last_name),
    )
    audit_record(user=acting_user, action="create", event="child_created", obj=child)
    return child


@transaction.atomic
def child_update(
    *, acting_user: AbstractBaseUser, child: Child, expected_version: int, fields: dict[str, Any]
) -> Child:
    if not can_edit_child(acting_user, child):
        raise PermissionDenied("Only the lead agency edits a child's record.")
    dob, expected = fields.get("date_of_birth"), fields.get("expected_date_of_birth")
    if problem := date_problem(dob, DateKind.BIRTH, "Date of birth"):
        raise ValidationError({"date_of_birth": problem})
    if expected and dob:
        raise ValidationError(
            {
                "expected_date_of_birth": "Give a date of birth or an expected one, not both "
                "(census rule 8525Q): once the child is born, clear the expected date"
            }
        )
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
    _require_birth_consistent(previous, changes)
    if "former_upn" in changes:
        changes["former_upn"] = (changes["former_upn"] or "").strip().upper()
    after = {name: changes.get(name, getattr(previous, name)) for name in EDITABLE}
    if problems := census_item_problems(after):
        raise ValidationError(problems)
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


def _require_lead_manager(user: AbstractBaseUser, child: Child) -> None:
    if not agencies_where(user, roles=[Role.MANAGER]).filter(pk=child.lead_agency_id).exists():
        raise PermissionDenied("A manager of the lead agency merges records.")


@transaction.atomic
def child_merge(
    *, acting_user: AbstractBaseUser, kept: Child, merged: Child, reason: str
) -> ChildMerge:
    _require_lead_manager(acting_user, kept)
    if merged.pk == kept.pk or merged.lead_agency_id != kept.lead_agency_id:
        raise ValidationError({"reference": "Choose another record held by the same authority"})
    if merged.merged_into_id or kept.merged_into_id:
        raise ValidationError({"reference": "That record has already been merged"})
    if (
        kept.cases.filter(status=Case.Status.OPEN).exists()
        and merged.cases.filter(status=Case.Status.OPEN).exists()
    ):
        raise ValidationError(
            {"reference": "Both records have an open case: close one before merging"}
        )
    if not reason.strip():
        raise ValidationError({"reason": "Explain why these are the same child"})
    moved = {
        "cases": [str(pk) for pk in merged.cases.values_list("pk", flat=True)],
        "concerns": [str(pk) for pk in merged.concerns.values_list("pk", flat=True)],
        "household": [str(pk) for pk in merged.household.values_list("pk", flat=True)],
    }
    Case.objects.filter(child=merged).update(child=kept)
    Concern.objects.filter(child=merged).update(child=kept)
    HouseholdMember.objects.filter(child=merged).update(child=kept)
    Child.objects.filter(pk=merged.pk).update(merged_into=kept)
    merge = ChildMerge.objects.create(
        kept=kept,
        merged=merged,
        moved=moved,
        reason=reason.strip(),
        merged_by=acting_user,
        merged_at=timezone.now(),
    )
    audit_record(
        user=acting_user,
        action="update",
        event="child_merged",
        obj=kept,
        reason=merge.reason,
        detail={"merged": merged.reference, "moved": moved},
    )
    return merge


@transaction.atomic
def child_merge_undo(*, acting_user: AbstractBaseUser, merge: ChildMerge) -> ChildMerge:
    _require_lead_manager(acting_user, merge.kept)
    merge = ChildMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at:
        raise ValidationError("This merge has already been undone.")
    Case.objects.filter(pk__in=merge.moved["cases"]).update(child=merge.merged)
    Concern.objects.filter(pk__in=merge.moved["concerns"]).update(child=merge.merged)
    HouseholdMember.objects.filter(pk__in=merge.moved["household"]).update(child=merge.merged)
    Child.objects.filter(pk=merge.merged_id).update(merged_into=None)
    merge.undone_by = acting_user
    merge.undone_at = timezone.now()
    merge.save(update_fields=["undone_by", "undone_at"])
    audit_record(
        user=acting_user,
        action="update",
        event="child_merge_undone",
        obj=merge.kept,
        detail={"merged": merge.merged.reference},
    )
    return merge


def _require_birth_consistent(previous: Child, changes: dict[str, Any]) -> None:
    """The record as it will be: born (a date of birth) or unborn (an expected
    date), never both (census rule 8525Q); an unborn child's sex is "not known"
    (rule 8750), whatever a scan suggested."""
    if changes.get("date_of_birth") and "expected_date_of_birth" not in changes:
        # The child has been born (the API does not carry the expected date).
        changes["expected_date_of_birth"] = None
    dob = changes.get("date_of_birth", previous.date_of_birth)
    expected = changes.get("expected_date_of_birth", previous.expected_date_of_birth)
    if dob and expected:
        raise ValidationError(
            {
                "expected_date_of_birth": "This child has a date of birth: an expected one is "
                "only for an unborn child (census rule 8525Q)"
            }
        )
    if expected and not dob and changes.get("sex", previous.sex) != Sex.UNKNOWN:
        raise ValidationError(
            {
                "sex": "An unborn child's sex is recorded as 'Not known' until the child is "
                "born (census rule 8750)"
            }
        )
