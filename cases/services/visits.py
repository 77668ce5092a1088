"""Work with the child: statutory visits, and the frequencies and review date
a plan keeps (SPEC 3.3).

A visit is recorded by the lead agency: when (the time only if known), whether
the child was seen, seen alone, or not seen and why, who visited and a note.
It goes into the chronology (lead agency only: what the child said is the
lead agency's record) and the audit log, and moves the plan's visit clock.

A plan's visit interval, core group frequency and (for a child in need plan)
review date start from the local standards in ``safeguard.workdays``; changing
one takes a reason, kept in the chronology and the audit log.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.roles import LEAD_AGENCY_ROLES
from agencies.selectors import members_with_roles
from cases.access import lock_case
from cases.models import Case, ChronologyEntry, Plan, StatutoryVisit
from cases.selectors.policy import is_lead_worker
from cases.selectors.visits import visit_due_for
from safeguard import workdays
from safeguard.audit.services import audit_record
from safeguard.core.dates import DateKind, date_problem

# A frequency outside these is a typing mistake, not a local standard.
VISIT_INTERVAL_RANGE = (1, 30)
CORE_GROUP_WEEKS_RANGE = (1, 26)


def visitors_for(case: Case):
    """Who may be named as the visitor: the lead agency's social workers and managers."""
    return members_with_roles(case.lead_agency, LEAD_AGENCY_ROLES)


@transaction.atomic
def visit_record(
    *,
    acting_user: AbstractBaseUser,
    case: Case,
    visited_on: dt.date,
    seen: str,
    visited_by: AbstractBaseUser,
    visited_at_time: dt.time | None = None,
    not_seen_reason: str = "",
    note: str = "",
) -> StatutoryVisit:
    if not is_lead_worker(acting_user, case):
        raise PermissionDenied("The lead agency records statutory visits.")
    case = lock_case(case)
    errors: dict[str, str] = {}
    if problem := date_problem(visited_on, DateKind.EVENT, "The date of the visit"):
        errors["visited_on"] = problem
    elif visited_on > timezone.localdate():
        errors["visited_on"] = "The date of the visit must be today or in the past"
    elif visited_on < workdays.local_date(case.opened_at):
        errors["visited_on"] = (
            f"The date of the visit must be on or after the case opened "
            f"({workdays.local_date(case.opened_at):%-d %B %Y})"
        )
    elif case.closed_at and visited_on > workdays.local_date(case.closed_at):
        errors["visited_on"] = "The case was closed before this date"
    elif (
        visited_on == timezone.localdate()
        and visited_at_time
        and visited_at_time > timezone.localtime().time()
    ):
        errors["visited_at_time"] = "The time of the visit must be now or earlier"
    if seen not in StatutoryVisit.Seen.values:
        errors["seen"] = "Say whether the child was seen, seen alone or not seen"
    elif seen == StatutoryVisit.Seen.NOT_SEEN:
        if not_seen_reason not in StatutoryVisit.NotSeenReason.values:
            errors["not_seen_reason"] = "Say why the child was not seen"
        elif not_seen_reason == StatutoryVisit.NotSeenReason.OTHER and not note.strip():
            errors["note"] = "Explain in the note why the child was not seen"
    else:
        not_seen_reason = ""
    if not visitors_for(case).filter(pk=visited_by.pk).exists():
        errors["visited_by"] = "Choose a social worker or manager of the lead agency"
    if errors:
        raise ValidationError(errors)
    visit = StatutoryVisit.objects.create(
        case=case,
        visited_on=visited_on,
        visited_at_time=visited_at_time,
        seen=seen,
        not_seen_reason=not_seen_reason,
        visited_by=visited_by,
        note=note.strip(),
        recorded_by=acting_user,
        due_on=visit_due_for(case, visited_on),
    )
    tz = timezone.get_current_timezone()
    # The chronology needs a moment: the time when known, else the start of the
    # day; the title keeps the time out when nobody knows it.
    occurred_at = dt.datetime.combine(visited_on, visited_at_time or dt.time(), tzinfo=tz)
    when = f"{visited_on:%-d %B %Y}" + (
        f" at {visited_at_time:%H:%M}" if visited_at_time else ", time not recorded"
    )
    outcome = visit.get_seen_display()
    if visit.not_seen_reason:
        outcome += f": {visit.get_not_seen_reason_display().lower()}"
    ChronologyEntry.objects.create(
        case=case,
        occurred_at=occurred_at,
        agency=case.lead_agency,
        kind=ChronologyEntry.Kind.VISIT,
        title=f"Statutory visit: {outcome}"[:200],
        body=f"Visited {when} by {visited_by.get_full_name() or visited_by.get_username()}."
        + (f"\n{visit.note}" if visit.note else ""),
        visibility=ChronologyEntry.Visibility.LEAD_ONLY,
        created_by=acting_user,
    )
    audit_record(
        user=acting_user,
        action="create",
        event="visit_recorded",
        obj=case,
        case_id=case.pk,
        detail={
            "visit": str(visit.pk),
            "visited_on": visited_on.isoformat(),
            "time_known": visited_at_time is not None,
            "seen": seen,
            "not_seen_reason": not_seen_reason,
            "visited_by": visited_by.get_username(),
        },
    )
    return visit


def _in_range(value: int | None, bounds: tuple[int, int], field: str, label: str) -> dict:
    if value is None:
        return {}
    low, high = bounds
    if not low <= value <= high:
        return {field: f"{label} must be between {low} and {high}"}
    return {}


@transaction.atomic
def plan_schedule_change(
    *,
    acting_user: AbstractBaseUser,
    plan: Plan,
    reason: str,
    next_review_on: dt.date | None = None,
    visit_interval_working_days: int | None = None,
    core_group_interval_weeks: int | None = None,
) -> Plan:
    """Change a current plan's review date (a child in need plan's: a child
    protection plan's is set by its conference), visit interval or core group
    frequency (a child protection plan's). ``None`` leaves a value as it is."""
    if not is_lead_worker(acting_user, plan.case):
        raise PermissionDenied("The lead agency changes plans.")
    lock_case(plan.case)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.end_date:
        raise ValidationError(f"This plan ended on {plan.end_date:%-d %B %Y}: nothing to change.")
    protection = plan.kind == Plan.Kind.CHILD_PROTECTION
    errors: dict[str, str] = {}
    if next_review_on is not None:
        if protection:
            errors["next_review_on"] = (
                "A child protection plan's review date is set by its conference"
            )
        elif problem := date_problem(next_review_on, DateKind.DUE, "The review date"):
            errors["next_review_on"] = problem
        elif next_review_on <= plan.start_date:
            errors["next_review_on"] = "The review date must be after the plan started"
    if not protection:
        if visit_interval_working_days is not None:
            errors["visit_interval_working_days"] = "Only a child protection plan has this"
        if core_group_interval_weeks is not None:
            errors["core_group_interval_weeks"] = "Only a child protection plan has this"
    errors.update(
        _in_range(
            visit_interval_working_days,
            VISIT_INTERVAL_RANGE,
            "visit_interval_working_days",
            "The visit interval in working days",
        )
    )
    errors.update(
        _in_range(
            core_group_interval_weeks,
            CORE_GROUP_WEEKS_RANGE,
            "core_group_interval_weeks",
            "The core group frequency in weeks",
        )
    )
    wanted = {
        "next_review_on": next_review_on,
        "visit_interval_working_days": visit_interval_working_days,
        "core_group_interval_weeks": core_group_interval_weeks,
    }
    changes = {
        field: (getattr(plan, field), value)
        for field, value in wanted.items()
        if value is not None and getattr(plan, field) != value
    }
    if not errors and not changes:
        errors["reason"] = "Nothing was changed: change a date or a frequency"
    if not reason.strip():
        errors["reason"] = "Give the reason for the change"
    if errors:
        raise ValidationError(errors)
    for field, (_, new) in changes.items():
        setattr(plan, field, new)
    plan.version += 1
    plan.save(update_fields=[*changes, "version"])
    described = {
        "next_review_on": lambda v: f"review by {v:%-d %B %Y}" if v else "no review date",
        "visit_interval_working_days": lambda v: f"visits every {v} working days",
        "core_group_interval_weeks": lambda v: f"core groups every {v} weeks",
    }
    ChronologyEntry.objects.create(
        case=plan.case,
        occurred_at=timezone.now(),
        agency=plan.case.lead_agency,
        kind=ChronologyEntry.Kind.NOTE,
        title=f"{plan.get_kind_display()} changed: "
        + "; ".join(described[f](new) for f, (_, new) in changes.items()),
        body=f"Reason: {reason.strip()}",
        visibility=ChronologyEntry.Visibility.LEAD_ONLY,
        created_by=acting_user,
    )
    audit_record(
        user=acting_user,
        action="update",
        event="plan_schedule_changed",
        obj=plan.case,
        case_id=plan.case_id,
        detail={
            "plan": str(plan.pk),
            "changes": {f: [str(old), str(new)] for f, (old, new) in changes.items()},
            "reason": reason.strip(),
        },
    )
    return plan
