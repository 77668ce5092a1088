"""Restricted cases and break-glass access (SPEC 2): services, one per action.

A restricted case (a child of a staff member, a high-profile family) is seen
only by the people named on it. A manager who would otherwise see it may break
glass with a written reason: access lasts a few hours, is audited on every
read, and the lead agency's managers are told at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from agencies.roles import Role
from agencies.selectors import members_with_roles
from cases.access import involvement_changed, sync_case_grants
from cases.models import BreakGlass, Case, NamedAccess
from cases.selectors.policy import can_break_glass, can_restrict
from safeguard.audit.services import audit_record
from safeguard.notifications.services import notify

MIN_REASON_LENGTH = 20


@transaction.atomic
def case_restrict(
    *,
    acting_user: AbstractBaseUser,
    case: Case,
    reason: str,
    named_users: Iterable[AbstractBaseUser],
) -> Case:
    if not can_restrict(acting_user, case):
        raise PermissionDenied("Only a manager of the lead agency can restrict a case.")
    if len(reason.strip()) < MIN_REASON_LENGTH:
        raise ValidationError({"reason": "Explain why the case must be restricted"})
    people = {u.pk: u for u in named_users}
    if not people:
        raise ValidationError({"named_users": "Name at least one person who may see the case"})
    case = Case.objects.select_for_update().get(pk=case.pk)
    now = timezone.now()
    case.is_restricted = True
    case.restricted_at = now
    case.restriction_reason = reason.strip()
    case.restriction_review_due = timezone.localdate() + dt.timedelta(
        days=settings.RESTRICTION_REVIEW_DAYS
    )
    case.version += 1
    case.save(
        update_fields=[
            "is_restricted",
            "restricted_at",
            "restriction_reason",
            "restriction_review_due",
            "version",
            "updated_at",
        ]
    )
    for user in people.values():
        NamedAccess.objects.get_or_create(
            case=case, user=user, defaults={"added_by": acting_user, "added_at": now}
        )
    sync_case_grants(case)
    # The child's meetings are restricted with the case (named people only,
    # ``meetings.grants``): their grants are derived again now, as when an
    # involvement changes, or the invitees would keep reading them.
    involvement_changed(case)
    audit_record(
        user=acting_user,
        action="update",
        event="case_restricted",
        obj=case,
        case_id=case.pk,
        reason=case.restriction_reason,
        detail={"named": sorted(u.get_username() for u in people.values())},
    )
    return case


@transaction.atomic
def case_lift_restriction(*, acting_user: AbstractBaseUser, case: Case, reason: str) -> Case:
    if not can_restrict(acting_user, case):
        raise PermissionDenied("Only a manager of the lead agency can lift a restriction.")
    if not reason.strip():
        raise ValidationError({"reason": "Explain why the restriction is no longer needed"})
    case = Case.objects.select_for_update().get(pk=case.pk)
    case.is_restricted = False
    case.restriction_review_due = None
    case.version += 1
    case.save(update_fields=["is_restricted", "restriction_review_due", "version", "updated_at"])
    case.named_access.all().delete()
    sync_case_grants(case)
    involvement_changed(case)  # and its meetings' grants, as on restricting
    audit_record(
        user=acting_user,
        action="update",
        event="case_restriction_lifted",
        obj=case,
        case_id=case.pk,
        reason=reason.strip(),
    )
    return case


@transaction.atomic
def case_break_glass(*, acting_user: AbstractBaseUser, case: Case, reason: str) -> BreakGlass:
    if not can_break_glass(acting_user, case):
        raise PermissionDenied("You cannot break glass on this case.")
    if len(reason.strip()) < MIN_REASON_LENGTH:
        raise ValidationError(
            {"reason": "Explain in a sentence or two why you need to see this case now"}
        )
    now = timezone.now()
    glass = BreakGlass.objects.create(
        case=case,
        user=acting_user,
        reason=reason.strip(),
        started_at=now,
        expires_at=now + dt.timedelta(hours=settings.BREAK_GLASS_HOURS),
    )
    audit_record(
        user=acting_user,
        action="grant",
        event="break_glass",
        obj=case,
        case_id=case.pk,
        reason=glass.reason,
        detail={"expires_at": glass.expires_at.isoformat()},
    )
    notify(
        recipients=members_with_roles(case.lead_agency, {Role.MANAGER}).exclude(pk=acting_user.pk),
        kind="break_glass",
        dedupe_key=f"break_glass:{glass.pk}",
        title=f"{acting_user.get_username()} broke glass on restricted case {case.reference}",
        reference=case.reference,
        link_path=reverse("case_access_log", args=[case.pk]),
        urgent=True,
    )
    return glass
