"""A manager of the lead agency answers a request to invite an agency of another
local authority (``scheduling.invitation_request``): authorised, it becomes the
invitation, in the manager's name; declined, the requester is told why.

Each answer locks the request first, so two managers answering at once give one
answer: the second is told who answered, and nothing is done twice.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency
from cases.concurrency import person as person_name
from meetings.models import InvitationRequest, Meeting, MeetingInvitation
from meetings.selectors import invite_rules, is_manager_of
from meetings.services.common import meeting_link, require_open
from meetings.services.scheduling import invitation_request, meeting_invite
from safeguard.audit.services import audit_record
from safeguard.notifications.services import notify


def invite_or_request(
    *,
    acting_user: AbstractBaseUser,
    meeting: Meeting,
    agency: Agency,
    reason: str = "",
    report_requested: bool = True,
    request_authorisation: bool = False,
) -> MeetingInvitation | InvitationRequest:
    """Invite the agency; or, for one that needs a manager the user is not, with
    ``request_authorisation``, ask a manager (without it, the invitation is
    refused with ``ManagerAuthorisationNeeded``, saying so)."""
    rules = invite_rules(acting_user, meeting, meeting.lead_agency, agency)
    if rules.needs_manager and request_authorisation:
        return invitation_request(
            acting_user=acting_user,
            meeting=meeting,
            agency=agency,
            reason=reason,
            report_requested=report_requested,
        )
    return meeting_invite(
        acting_user=acting_user,
        meeting=meeting,
        agency=agency,
        reason=reason,
        report_requested=report_requested,
    )


def _pending(acting_user: AbstractBaseUser, request: InvitationRequest) -> InvitationRequest:
    locked = (
        InvitationRequest.objects.select_for_update(of=("self",))
        .select_related("meeting", "meeting__lead_agency", "agency", "decided_by", "requested_by")
        .get(pk=request.pk)
    )
    require_open(locked.meeting)
    if not is_manager_of(acting_user, locked.meeting.lead_agency):
        raise PermissionDenied(
            f"Only a manager of {locked.meeting.lead_agency.name} authorises this invitation."
        )
    if locked.status != InvitationRequest.Status.PENDING:
        who = person_name(locked.decided_by) if locked.decided_by else "someone"
        raise ValidationError(
            f"This invitation was already {locked.get_status_display().lower()} by {who}."
        )
    return locked


@transaction.atomic
def invitation_request_authorise(
    *, acting_user: AbstractBaseUser, request: InvitationRequest
) -> MeetingInvitation:
    request = _pending(acting_user, request)
    meeting = request.meeting
    invitation = meeting_invite(
        acting_user=acting_user,
        meeting=meeting,
        agency=request.agency,
        report_requested=request.report_requested,
        reason=request.reason,
    )
    # meeting_invite marks the waiting request answered; say so here too, in case
    # the agency had been invited by name meanwhile.
    InvitationRequest.objects.filter(pk=request.pk, status=InvitationRequest.Status.PENDING).update(
        status=InvitationRequest.Status.AUTHORISED,
        decided_by=acting_user,
        decided_at=timezone.now(),
    )
    audit_record(
        user=acting_user,
        action="grant",
        event="meeting_invitation_authorised",
        obj=meeting,
        reason=request.reason,
        detail={
            "agency": request.agency.slug,
            "request": str(request.pk),
            "requested_by": request.requested_by.get_username(),
        },
    )
    if request.requested_by_id != acting_user.pk:
        notify(
            recipients=[request.requested_by],
            kind="meeting_invitation_authorised",
            dedupe_key=f"meeting:{meeting.pk}:invitation-request:{request.pk}:authorised",
            title=f"Invitation to {request.agency.name} authorised for {meeting.reference}",
            reference=meeting.reference,
            link_path=meeting_link(meeting),
        )
    return invitation


@transaction.atomic
def invitation_request_decline(
    *, acting_user: AbstractBaseUser, request: InvitationRequest, reason: str
) -> InvitationRequest:
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the invitation is declined"})
    request = _pending(acting_user, request)
    request.status = InvitationRequest.Status.DECLINED
    request.decided_by = acting_user
    request.decided_at = timezone.now()
    request.decision_reason = reason.strip()
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    meeting = request.meeting
    audit_record(
        user=acting_user,
        action="update",
        event="meeting_invitation_declined",
        obj=meeting,
        reason=request.decision_reason,
        detail={"agency": request.agency.slug, "request": str(request.pk)},
    )
    if request.requested_by_id != acting_user.pk:
        notify(
            recipients=[request.requested_by],
            kind="meeting_invitation_declined",
            dedupe_key=f"meeting:{meeting.pk}:invitation-request:{request.pk}:declined",
            # The reason is on the meeting page, behind sign-in; never in an e-mail.
            title=f"Invitation to {request.agency.name} declined for {meeting.reference}",
            reference=meeting.reference,
            link_path=meeting_link(meeting) + "#waiting",
        )
    return request
