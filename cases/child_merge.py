"""Merging two records of the same child, and undoing it.

Duplicates hide what different agencies know. A lead agency manager merges
the duplicate into the record that stays; every case, concern and household
row that moves is listed on the merge, so a wrong merge can be undone exactly.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.roles import Role
from agencies.selectors import agencies_where
from cases.models import Case, Child, ChildMerge, Concern, HouseholdMember
from safeguard.audit.services import audit_record


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
