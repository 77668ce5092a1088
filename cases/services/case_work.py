"""Day-to-day work on a case: allocation and significant events added by hand."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, Team
from cases.access import sync_case_grants
from cases.concurrency import StaleChange, person
from cases.models import Case, ChronologyEntry
from cases.selectors.policy import can_allocate
from cases.selectors.record import allocatable_workers, allocation_text, note_agencies_for
from safeguard.audit.services import audit_record
from safeguard.notifications.services import notify


@transaction.atomic
def case_allocate(
    *,
    acting_user: AbstractBaseUser,
    case: Case,
    worker: AbstractBaseUser,
    team: Team | None = None,
    expected_version: int | None = None,
) -> Case:
    """Allocate to a worker, and to a team they belong to. ``expected_version``
    is the case's version when the manager chose: if the allocation changed
    since, nothing is changed and ``StaleChange`` says who allocated whom."""
    if not can_allocate(acting_user, case):
        raise PermissionDenied("Only a manager of the lead agency allocates cases.")
    if not allocatable_workers(case).filter(pk=worker.pk).exists():
        raise ValidationError({"worker": "Choose a social worker or manager of the lead agency"})
    if team is not None:
        if team.agency_id != case.lead_agency_id:
            raise ValidationError({"team": "Choose one of the lead agency's teams"})
        if not team.members.filter(pk=worker.pk).exists():
            raise ValidationError(
                {"worker": f"{person(worker)} is not in the {team.name}: choose someone in it"}
            )
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("allocated_worker", "team")
        .get(pk=case.pk)
    )
    if expected_version is not None and case.version != expected_version:
        last = (
            ChronologyEntry.objects.filter(case=case, kind=ChronologyEntry.Kind.ALLOCATION)
            .select_related("created_by")
            .order_by("-created_at")
            .first()
        )
        by = person(last.created_by) if last else "Someone"
        raise StaleChange(
            current=case,
            message=f"{by} changed this case while you were choosing: it is now allocated "
            f"to {allocation_text(case)}. Nothing you chose has been saved; "
            "choose again if it should still change.",
        )
    if case.allocated_worker_id == worker.pk and case.team_id == (team.pk if team else None):
        return case
    new_worker = case.allocated_worker_id != worker.pk
    case.allocated_worker = worker
    case.team = team
    case.version += 1
    case.save(update_fields=["allocated_worker", "team", "version", "updated_at"])
    sync_case_grants(case)
    name = allocation_text(case)
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
        detail={"worker": worker.get_username(), "team": team.name if team else None},
    )
    if not new_worker:
        return case  # only the team changed: the worker already has the case
    notify(
        recipients=[worker],
        kind="allocation",
        dedupe_key=f"allocation:{case.pk}:{case.version}",
        title=f"Case {case.reference} has been allocated to you",
        reference=case.reference,
        link_path=reverse("case_detail", args=[case.pk]),
    )
    return case


def occurred_at_for_day(day: dt.date) -> dt.datetime:
    """When an event known only by its day is placed in the chronology: midday,
    or now if that is still to come (the page and the API both ask here)."""
    midday = dt.datetime.combine(day, dt.time(12, 0), tzinfo=timezone.get_current_timezone())
    return min(midday, timezone.now())


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
