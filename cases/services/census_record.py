"""What the Children in Need census needs of the record, recorded by people:
the date of death a closure for reason RC2 ("died") requires, and the latest
category of abuse a review conference may change (SPEC 3.11, issue 12).

The child's other census items (UPN-unknown reason, former UPN, disabilities,
plans before this record) are identity fields, changed through ``child_update``.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone

from cases.dfe_codes import ClosureReason
from cases.models import Case, Child, ChronologyEntry, Plan
from safeguard.audit.services import audit_record
from safeguard.core.dates import DateKind, date_problem


def death_for_closure(
    *, acting_user: AbstractBaseUser, case: Case, reason: str, date_of_death: dt.date | None
) -> None:
    """A case closed because the child died (RC2) needs the date of death (DfE
    rule 8585Q queries a return without it): refused without one, not in the
    future and not before the child's birth. The date goes on the child's record
    (audited); a date given with another reason is refused rather than kept."""
    child = Child.objects.select_for_update().get(pk=case.child_id)
    if reason != ClosureReason.DIED:
        if date_of_death:
            raise ValidationError(
                {"date_of_death": "Give a date of death only when the child has died (RC2)"}
            )
        return
    day = date_of_death or child.date_of_death
    if day is None:
        raise ValidationError(
            {"date_of_death": "Enter the date the child died: the closure reason is 'Died'"}
        )
    if problem := date_problem(day, DateKind.BIRTH, "Date of death"):
        raise ValidationError({"date_of_death": problem})
    if child.date_of_birth and day < child.date_of_birth:
        raise ValidationError(
            {"date_of_death": "Date of death must be on or after the date of birth"}
        )
    if child.date_of_death == day:
        return
    Child.objects.filter(pk=child.pk).update(
        date_of_death=day, version=F("version") + 1, updated_at=timezone.now()
    )
    audit_record(
        user=acting_user,
        action="update",
        event="child_updated",
        obj=child,
        case_id=case.pk,
        detail={"fields": ["date_of_death"], "version": child.version + 1},
    )


def plan_latest_category_change(
    *, acting_user: AbstractBaseUser, plan: Plan, category: str, source: str = ""
) -> Plan:
    """A review conference decides the plan's category of abuse has changed: the
    latest category moves, the initial one stays as the plan started (census
    InitialCategoryOfAbuse and LatestCategoryOfAbuse). Callers have checked who
    may (the conference's chair, finalising its decision) and hold the lock."""
    if plan.kind != Plan.Kind.CHILD_PROTECTION:
        raise ValidationError({"latest_category": "Only a child protection plan has a category"})
    if category not in Plan.Category.values:
        raise ValidationError({"latest_category": "Choose the category of abuse"})
    if plan.end_date:
        raise ValidationError({"latest_category": "This plan has ended"})
    if category == plan.current_category:
        return plan
    plan.latest_category = category
    plan.version += 1
    plan.save(update_fields=["latest_category", "version"])
    ChronologyEntry.objects.create(
        source_reference=source,
        case=plan.case,
        occurred_at=timezone.now(),
        agency=plan.case.lead_agency,
        kind=ChronologyEntry.Kind.NOTE,
        title=f"Child protection plan category now {plan.get_latest_category_display()} "
        f"(initially {plan.get_category_display()})",
        created_by=acting_user,
    )
    audit_record(
        user=acting_user,
        action="update",
        event="plan_category_changed",
        obj=plan.case,
        case_id=plan.case_id,
        detail={"initial": plan.category, "latest": category},
    )
    return plan
