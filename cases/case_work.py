"""Day-to-day work on a case: allocation and significant events added by hand."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency
from agencies.roles import Role
from agencies.selectors import agencies_where
from safeguard.audit.services import audit_record
from safeguard.notifications.services import notify

from . import selectors
from .access import sync_case_grants
from .models import Case, ChronologyEntry
from .notes import note_agencies_for
from .services import members_with_roles


def can_allocate(user: AbstractBaseUser, case: Case) -> bool:
    return agencies_where(user, roles=[Role.MANAGER]).filter(
        pk=case.lead_agency_id
    ).exists() and selectors.has_lead_access(user, case)


def allocatable_workers(case: Case):
    return members_with_roles(case.lead_agency, {Role.SOCIAL_WORKER, Role.MANAGER}).order_by(
        "last_name", "username"
    )


@transaction.atomic
def case_allocate(*, acting_user: AbstractBaseUser, case: Case, worker: AbstractBaseUser) -> Case:
    if not can_allocate(acting_user, case):
        raise PermissionDenied("Only a manager of the lead agency allocates cases.")
    if not allocatable_workers(case).filter(pk=worker.pk).exists():
        raise ValidationError({"worker": "Choose a social worker or manager of the lead agency"})
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.allocated_worker_id == worker.pk:
        return case
    case.allocated_worker = worker
    case.version += 1
    case.save(update_fields=["allocated_worker", "version", "updated_at"])
    sync_case_grants(case)
    name = worker.get_full_name() or worker.get_username()
    ChronologyEntry.objects.create(
        case=case,
        occurred_at=timezone.now(),
        agency=case.lead_agency,
        kind=ChronologyEntry.Kind.ALLOCATION,
        title=f"Allocated to {name}",
        visibility=ChronologyEntry.Visibility.LEAD_ONLY,
        created_by=acting_user,
    )
    audit_record(
        user=acting_user,
        action="update",
        event="case_allocated",
        obj=case,
        case_id=case.pk,
        detail={"worker": worker.get_username()},
    )
    notify(
        recipients=[worker],
        kind="allocation",
        dedupe_key=f"allocation:{case.pk}:{case.version}",
        title=f"Case {case.reference} has been allocated to you",
        reference=case.reference,
        link_path=reverse("case_detail", args=[case.pk]),
    )
    return case


@transaction.atomic
def chronology_add(
    *,
    acting_user: AbstractBaseUser,
    case: Case,
    agency: Agency,
    occurred_at: dt.datetime,
    title: str,
    body: str,
    lead_only: bool,
) -> ChronologyEntry:
    """A significant event recorded by hand by any agency on the case."""
    if not note_agencies_for(acting_user, case).filter(pk=agency.pk).exists():
        raise PermissionDenied("You can record events only for an agency on this case.")
    if lead_only and agency.pk != case.lead_agency_id:
        raise ValidationError({"lead_only": "Only the lead agency keeps entries to itself"})
    if occurred_at > timezone.now():
        raise ValidationError({"occurred_on": "The date must be today or in the past"})
    entry = ChronologyEntry.objects.create(
        case=case,
        occurred_at=occurred_at,
        agency=agency,
        kind=ChronologyEntry.Kind.NOTE,
        title=title.strip(),
        body=body,
        visibility=ChronologyEntry.Visibility.LEAD_ONLY
        if lead_only
        else ChronologyEntry.Visibility.SHARED,
        created_by=acting_user,
    )
    audit_record(
        user=acting_user,
        action="create",
        event="chronology_entry_added",
        obj=entry,
        case_id=case.pk,
        detail={"agency": agency.slug, "lead_only": lead_only},
    )
    return entry
