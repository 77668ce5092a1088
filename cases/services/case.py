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
from cases.models import Case, Child, ChronologyEntry, Involvement, InvolvementReason
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
def case_end_involvement(
    *, acting_user: AbstractBaseUser, involvement: Involvement, reason: str
) -> None:
    """A person of the lead agency ends another agency's involvement, every reason
    of it at once, saying why; its access ends now. If someone ended it a moment
    before, ``AlreadyDone`` says who and when."""
    if not can_manage_involvement(acting_user, involvement.case):
        raise PermissionDenied("The lead agency's social workers and managers end involvements.")
    if involvement.level == Involvement.Level.LEAD:
        raise ValidationError("The lead agency's own involvement cannot be ended.")
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the involvement ends"})
    if not involvement_end(acting_user=acting_user, involvement=involvement, reason=reason):
        raise AlreadyDone(
            current=involvement,
            message=f"{person(involvement.ended_by)} already ended {involvement.agency.name}'s "
            f"involvement{on(involvement.ended_at)}; their access has ended.",
        )


def _reason_text(reason: str, source_reference: str) -> str:
    text = Involvement.Reason(reason).label
    return f"{text} ({source_reference})" if source_reference else text


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
    """Involve an agency, or give its current involvement one more reason, and
    derive the grants. No permission check: for the system's own steps (opening
    a case, authorising a concern, accepting a referral, inviting to a meeting)
    whose callers have checked; a person's request goes through ``case_add_agency``.

    One current involvement per agency (a partial unique index backs it): an
    agency already involved gets the reason added, audited but not on the
    chronology again, so three invitations are one agency with three reasons.
    The lead level is never lowered by a later reason.

    Under the case's lock, so two starts (or a start and an end) on one case run
    one after the other: a second identical start finds the first and returns it,
    and the grants are derived from what is committed, never from a copy read
    before the lock."""
    case = lock_case(case)
    now = timezone.now()
    existing = case.involvements.filter(agency=agency, ended_at__isnull=True).first()
    if existing:
        already = existing.reasons.filter(
            reason=reason, source_reference=source_reference, ended_at__isnull=True
        ).exists()
        if already:
            return existing
        InvolvementReason.objects.create(
            involvement=existing,
            reason=reason,
            source_reference=source_reference,
            added_at=now,
            added_by=acting_user,
        )
        if level == Involvement.Level.LEAD and existing.level != level:
            existing.level = level
            existing.save(update_fields=["level"])
            sync_case_grants(case)
            involvement_changed(case)
        audit_record(
            user=acting_user,
            action="grant",
            event="involvement_reason_added",
            obj=case,
            case_id=case.pk,
            detail={"agency": agency.slug, "reason": reason, "source": source_reference},
        )
        return existing
    involvement = Involvement.objects.create(
        case=case,
        agency=agency,
        level=level,
        reason=reason,
        source_reference=source_reference,
        started_at=now,
        started_by=acting_user,
    )
    InvolvementReason.objects.create(
        involvement=involvement,
        reason=reason,
        source_reference=source_reference,
        added_at=now,
        added_by=acting_user,
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
def involvement_end(
    *, acting_user: AbstractBaseUser | None, involvement: Involvement, reason: str = ""
) -> bool:
    """End an involvement, every reason of it, and its grants; False if it had
    ended already. No permission check (see ``involvement_start``); a person's
    request goes through ``case_end_involvement``. ``reason`` is why, for the
    audit and the chronology.

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
    involvement.end_reason = reason.strip()
    involvement.save(update_fields=["ended_at", "ended_by", "end_reason"])
    involvement.reasons.filter(ended_at__isnull=True).update(ended_at=involvement.ended_at)
    involvement.case = case
    sync_case_grants(case)
    involvement_changed(case)
    audit_record(
        user=acting_user,
        action="revoke",
        event="involvement_ended",
        obj=involvement.case,
        case_id=involvement.case_id,
        reason=involvement.end_reason,
        detail={"agency": involvement.agency.slug, "reason": involvement.reason},
    )
    ChronologyEntry.objects.create(
        case=case,
        occurred_at=involvement.ended_at,
        agency=involvement.agency,
        kind=ChronologyEntry.Kind.INVOLVEMENT,
        title=f"{involvement.agency.name}'s involvement ended",
        body=involvement.end_reason or "Ended.",
        created_by=acting_user,
    )
    return True


@transaction.atomic
def involvement_reason_end(
    *,
    acting_user: AbstractBaseUser | None,
    case: Case,
    agency: Agency,
    reason: str,
    source_reference: str = "",
    why: str = "",
) -> None:
    """End one reason of an agency's involvement (an invitation withdrawn). The
    involvement, and the access it gives, ends only with its last reason: an
    agency also involved by a referral keeps its access."""
    case = lock_case(case)
    involvement = case.involvements.filter(agency=agency, ended_at__isnull=True).first()
    if involvement is None:
        return
    ended = involvement.reasons.filter(
        reason=reason, source_reference=source_reference, ended_at__isnull=True
    ).update(ended_at=timezone.now())
    if not ended:
        return
    if involvement.reasons.filter(ended_at__isnull=True).exists():
        audit_record(
            user=acting_user,
            action="revoke",
            event="involvement_reason_ended",
            obj=case,
            case_id=case.pk,
            detail={"agency": agency.slug, "reason": reason, "source": source_reference},
        )
        return
    involvement_end(
        acting_user=acting_user,
        involvement=involvement,
        reason=why or f"No reason left: {_reason_text(reason, source_reference)} ended.",
    )
