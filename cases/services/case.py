"""Opening a case, and starting and ending agencies' involvement in it."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency
from agencies.roles import TRIAGE_ROLES
from agencies.selectors import agencies_where
from cases.access import involvement_changed, lock_case, sync_case_grants
from cases.concurrency import AlreadyDone, on, person
from cases.models import Case, Child, ChronologyEntry, Involvement
from cases.selectors.policy import can_manage_involvement
from safeguard.audit.services import audit_record
from safeguard.core.references import next_reference


def _name(user: AbstractBaseUser | None) -> str:
    if user is None:
        return "unknown"
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return full or user.get_username()


# Cases ---------------------------------------------------------------------------


@transaction.atomic
def case_open(*, acting_user: AbstractBaseUser, child: Child, lead_agency: Agency) -> Case:
    if not agencies_where(acting_user, roles=TRIAGE_ROLES).filter(pk=lead_agency.pk).exists():
        raise PermissionDenied("You cannot open cases for this agency.")
    # Locked so that two decisions opening a case for one child at once open one,
    # the second told why rather than stopped by the one-open-case constraint.
    list(Child.objects.select_for_update(of=("self",)).filter(pk=child.pk).values("pk"))
    if child.cases.filter(status=Case.Status.OPEN).exists():
        raise ValidationError("This child already has an open case.")
    now = timezone.now()
    case = Case.objects.create(
        reference=next_reference("CAS"),
        child=child,
        lead_agency=lead_agency,
        opened_at=now,
        opened_by=acting_user,
    )
    involvement_start(
        acting_user=acting_user,
        case=case,
        agency=lead_agency,
        level=Involvement.Level.LEAD,
        reason=Involvement.Reason.LEAD_AGENCY,
    )
    ChronologyEntry.objects.create(
        case=case,
        occurred_at=now,
        agency=lead_agency,
        kind=ChronologyEntry.Kind.CASE_OPENED,
        title="Case opened",
        body=f"Opened by {_name(acting_user)} at {lead_agency.name}.",
        created_by=acting_user,
    )
    audit_record(user=acting_user, action="create", event="case_opened", obj=case, case_id=case.pk)
    return case


@transaction.atomic
def case_add_agency(*, acting_user: AbstractBaseUser, case: Case, agency: Agency) -> Involvement:
    """A person of the lead agency involves another agency in the case. Asks the
    policy itself: a page or the API may not be the only caller."""
    if not can_manage_involvement(acting_user, case):
        raise PermissionDenied("The lead agency's social workers and managers involve agencies.")
    return involvement_start(
        acting_user=acting_user,
        case=case,
        agency=agency,
        level=Involvement.Level.INVOLVED,
        reason=Involvement.Reason.ADDED,
    )


@transaction.atomic
def case_end_involvement(*, acting_user: AbstractBaseUser, involvement: Involvement) -> None:
    """A person of the lead agency ends another agency's involvement; its access ends now.
    If someone ended it a moment before, ``AlreadyDone`` says who and when."""
    if not can_manage_involvement(acting_user, involvement.case):
        raise PermissionDenied("The lead agency's social workers and managers end involvements.")
    if involvement.level == Involvement.Level.LEAD:
        raise ValidationError("The lead agency's own involvement cannot be ended.")
    if not involvement_end(acting_user=acting_user, involvement=involvement):
        raise AlreadyDone(
            current=involvement,
            message=f"{person(involvement.ended_by)} already ended {involvement.agency.name}'s "
            f"involvement{on(involvement.ended_at)}; their access has ended.",
        )


@transaction.atomic
def involvement_start(
    *,
    acting_user: AbstractBaseUser | None,
    case: Case,
    agency: Agency,
    level: str,
    reason: str,
    source_reference: str = "",
) -> Involvement:
    """Start an agency's involvement and derive its grants. No permission check:
    for the system's own steps (opening a case, authorising a concern, accepting
    a referral, inviting to a meeting) whose callers have checked; a person's
    request goes through ``case_add_agency``.

    Under the case's lock, so two starts (or a start and an end) on one case run
    one after the other: a second identical start finds the first and returns it
    (a partial unique index on current involvements backs this), and the grants
    are derived from what is committed, never from a copy read before the lock."""
    case = lock_case(case)
    existing = case.involvements.filter(
        agency=agency, reason=reason, source_reference=source_reference, ended_at__isnull=True
    ).first()
    if existing:
        return existing
    involvement = Involvement.objects.create(
        case=case,
        agency=agency,
        level=level,
        reason=reason,
        source_reference=source_reference,
        started_at=timezone.now(),
        started_by=acting_user,
    )
    sync_case_grants(case)
    involvement_changed(case)
    audit_record(
        user=acting_user,
        action="grant",
        event="involvement_started",
        obj=case,
        case_id=case.pk,
        detail={
            "agency": agency.slug,
            "level": level,
            "reason": reason,
            "source": source_reference,
        },
    )
    if level == Involvement.Level.INVOLVED:
        ChronologyEntry.objects.create(
            case=case,
            occurred_at=involvement.started_at,
            agency=agency,
            kind=ChronologyEntry.Kind.INVOLVEMENT,
            title=f"{agency.name} involved",
            body=involvement.get_reason_display(),
            source_reference=source_reference,
            created_by=acting_user,
        )
    return involvement


@transaction.atomic
def involvement_end(*, acting_user: AbstractBaseUser | None, involvement: Involvement) -> bool:
    """End an involvement and its grants; False if it had ended already. No
    permission check (see ``involvement_start``);
    a person's request goes through ``case_end_involvement``.

    Under the case's lock, re-read: ending one twice at once ends it once (one
    audit row), and the grant sync after it cannot be undone by a start on the
    same case that read the involvements before this one committed."""
    case = lock_case(involvement.case_id)
    current = Involvement.objects.filter(pk=involvement.pk, ended_at__isnull=True).first()
    if current is None:
        involvement.refresh_from_db(fields=["ended_at", "ended_by"])
        return False
    involvement.ended_at = timezone.now()
    involvement.ended_by = acting_user
    involvement.save(update_fields=["ended_at", "ended_by"])
    involvement.case = case
    sync_case_grants(case)
    involvement_changed(case)
    audit_record(
        user=acting_user,
        action="revoke",
        event="involvement_ended",
        obj=involvement.case,
        case_id=involvement.case_id,
        detail={"agency": involvement.agency.slug, "reason": involvement.reason},
    )
    return True
