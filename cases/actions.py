"""Actions on a case: who must do what, by when (SPEC 3.3).

The lead agency sets actions for any agency on the case; an involved agency
sees the actions assigned to it (SPEC 2) and marks its own done.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency
from agencies.roles import CASE_WORKING_ROLES
from agencies.selectors import agencies_where
from cases import selectors
from cases.concurrency import StaleChange, person
from cases.models import Case, CaseAction, ChronologyEntry
from cases.services import members_with_roles
from safeguard.audit.services import audit_record
from safeguard.notifications.services import notify


def actions_for(user: AbstractBaseUser, case: Case, *, lead: bool) -> QuerySet[CaseAction]:
    qs = case.actions.select_related("agency", "owner")
    if lead:
        return qs
    return qs.filter(agency__in=agencies_where(user, roles=CASE_WORKING_ROLES))


def action_agencies(case: Case) -> QuerySet[Agency]:
    return Agency.objects.filter(
        involvements__case=case, involvements__ended_at__isnull=True
    ).distinct()


@transaction.atomic
def action_add(
    *,
    acting_user: AbstractBaseUser,
    case: Case,
    description: str,
    agency: Agency,
    owner: AbstractBaseUser | None,
    due_on: dt.date,
    meeting=None,
) -> CaseAction:
    """``meeting``: the meeting that agreed it (the chair adds actions as the lead agency)."""
    if not selectors.has_lead_access(acting_user, case):
        raise PermissionDenied("The lead agency sets actions.")
    if not action_agencies(case).filter(pk=agency.pk).exists():
        raise ValidationError({"agency": "Choose an agency involved in the case"})
    if (
        owner is not None
        and not members_with_roles(agency, CASE_WORKING_ROLES).filter(pk=owner.pk).exists()
    ):
        raise ValidationError({"owner": "The owner must work for that agency"})
    if due_on < timezone.localdate():
        raise ValidationError({"due_on": "The due date must be today or later"})
    action = CaseAction.objects.create(
        case=case,
        description=description.strip(),
        agency=agency,
        owner=owner,
        due_on=due_on,
        created_by=acting_user,
        meeting=meeting,
    )
    audit_record(
        user=acting_user,
        action="create",
        event="action_added",
        obj=action,
        case_id=case.pk,
        detail={"agency": agency.slug, "due_on": due_on.isoformat()},
    )
    recipients = [owner] if owner else members_with_roles(agency, CASE_WORKING_ROLES)
    notify(
        recipients=recipients,
        kind="action_assigned",
        dedupe_key=f"action:{action.pk}:assigned",
        title=f"New action on case {case.reference}, due {due_on:%d %B %Y}",
        reference=case.reference,
        link_path=reverse("case_detail", args=[case.pk]),
    )
    return action


@transaction.atomic
def action_complete(
    *, acting_user: AbstractBaseUser, action: CaseAction, expected_version: int | None = None
) -> CaseAction:
    """Mark an open action done. ``expected_version`` is the version the person
    saw: if the action changed since, ``StaleChange`` says how and who."""
    lead = selectors.has_lead_access(acting_user, action.case)
    own = agencies_where(acting_user, roles=CASE_WORKING_ROLES).filter(pk=action.agency_id)
    if not (lead or own.exists()):
        raise PermissionDenied("Only the agency it is assigned to, or the lead agency.")
    still = CaseAction.objects.filter(pk=action.pk, status=CaseAction.Status.OPEN)
    if expected_version is not None:
        still = still.filter(version=expected_version)
    updated = still.update(
        status=CaseAction.Status.DONE,
        completed_at=timezone.now(),
        completed_by=acting_user,
        version=F("version") + 1,
    )
    if not updated:
        current = CaseAction.objects.select_related("completed_by").get(pk=action.pk)
        if current.status == CaseAction.Status.OPEN:
            raise StaleChange(
                current=current,
                message="Someone else changed this action since you opened the page; "
                "it is still open. Check it, then mark it done again.",
            )
        when = (
            f" on {timezone.localtime(current.completed_at):%-d %B %Y at %H:%M}"
            if (current.completed_at)
            else ""
        )
        raise StaleChange(
            current=current,
            message=f"{person(current.completed_by)} already marked this action "
            f"{current.get_status_display().lower()}{when}. Nothing was changed.",
        )
    action.refresh_from_db()
    ChronologyEntry.objects.create(
        case=action.case,
        occurred_at=action.completed_at,
        agency=action.agency,
        kind=ChronologyEntry.Kind.NOTE,
        title=f"Action done: {action.description[:150]}",
        created_by=acting_user,
    )
    audit_record(
        user=acting_user,
        action="transition",
        event="action_completed",
        obj=action,
        case_id=action.case_id,
    )
    return action
