"""Arranging a meeting: scheduling it on its statutory clock, inviting agencies
and named professionals, their replies and their reports (SPEC 3.5)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from agencies.models import Agency, Membership
from agencies.roles import CASE_WORKING_ROLES, Role
from agencies.selectors import members_with_roles
from cases.access import lock_cases, sync_case_grants
from cases.models import Case, Involvement
from cases.services.case import involvement_reason_end, involvement_start
from cases.services.wishes import clean_wishes
from meetings.clocks import date_errors, meeting_clock
from meetings.grants import sync_meeting_grants
from meetings.models import (
    AgencyReport,
    AgendaItem,
    InvitationRequest,
    Meeting,
    MeetingCase,
    MeetingInvitation,
)
from meetings.selectors import invite_rules, own_agency_ids
from meetings.services.common import (
    ManagerAuthorisationNeeded,
    can_manage,
    can_schedule,
    chairs_for,
    lock_meeting,
    meeting_cases,
    meeting_chronology,
    meeting_link,
    require_invitable,
    require_open,
)
from safeguard import workdays
from safeguard.audit.services import audit_record
from safeguard.core.references import next_reference
from safeguard.notifications.services import notify

DEFAULT_AGENDA = {
    Meeting.Kind.STRATEGY: ["Information shared", "Risk analysis", "Decision and next steps"],
    Meeting.Kind.ICPC: [
        "Introductions and purpose",
        "Agency reports",
        "Family's views",
        "Analysis of risk",
        "Decision",
        "Outline plan",
    ],
    Meeting.Kind.RCPC: ["Progress on the plan", "Agency updates", "Analysis of risk", "Decision"],
    Meeting.Kind.CORE_GROUP: ["Progress on actions", "Updates", "Next steps"],
    Meeting.Kind.TRANSFER_IN: [
        "Introductions and purpose",
        "The plan as the other authority left it",
        "Agency reports",
        "Family's views",
        "Analysis of risk",
        "Decision",
    ],
    Meeting.Kind.MDT: ["Information shared", "Discussion", "Actions"],
}


@transaction.atomic
def meeting_schedule(
    *,
    acting_user: AbstractBaseUser,
    kind: str,
    cases: list[Case],
    chair: AbstractBaseUser,
    scheduled_at: dt.datetime,
    location: str = "",
    video_link: str = "",
    format: str = "",
    follows: Meeting | None = None,
    late_reason: str = "",
    report_due_on: dt.date | None = None,
    purpose: str = "",
    invite: Iterable[Agency] = (),
    invite_reason: str = "",
    request_authorisation: bool = False,
) -> Meeting:
    """``invite``: agencies to invite. Any not involved in the cases needs
    ``invite_reason``; one of another local authority needs the acting user to
    be a manager of the lead agency, or, with ``request_authorisation``, waits
    for one (``invitation_request``)."""
    invite = list(invite)
    if not cases:
        raise ValidationError({"cases": "Choose at least one child"})
    lock_cases(cases)  # before the meeting's rows, in one order (cases.access.lock_case)
    lead_agency = cases[0].lead_agency
    if any(c.lead_agency_id != lead_agency.pk for c in cases):
        raise ValidationError({"cases": "A meeting covers children with the same lead agency"})
    if not all(can_schedule(acting_user, c) for c in cases):
        raise PermissionDenied("You cannot schedule meetings for these children.")
    if not chairs_for(lead_agency).filter(pk=chair.pk).exists():
        raise ValidationError({"chair": "Choose a chair from the lead agency"})
    errors: dict[str, list[str]] = {}
    day = workdays.local_date(scheduled_at)
    if problems := date_errors(kind, day):
        errors["scheduled_on"] = problems
    clock = meeting_clock(kind, cases, follows)
    late = bool(clock.due_on and day > clock.due_on)
    if late and not late_reason.strip():
        errors["late_reason"] = [
            f"This is after the date it is due ({clock.due_on:%-d %B %Y}). "
            "Give the reason it will be late"
        ]
    if report_due_on and (report_due_on > day or report_due_on < timezone.localdate()):
        errors["report_due_on"] = ["Reports must be due between today and the meeting date"]
    # How it is held, said or (from older callers) read from what they gave.
    format = format or (
        Meeting.Format.IN_PERSON
        if location.strip()
        else Meeting.Format.VIDEO
        if video_link.strip()
        else ""
    )
    if format not in Meeting.Format.values:
        errors["format"] = ["Say how the meeting will be held: in person, by video or by telephone"]
    elif format == Meeting.Format.IN_PERSON and not location.strip():
        errors["location"] = ["Enter where the meeting will be held"]
    rules = [invite_rules(acting_user, cases, lead_agency, agency) for agency in invite]
    if not invite_reason.strip() and (beyond := [r.agency.name for r in rules if r.needs_reason]):
        errors["invite_reason"] = [
            f"{', '.join(beyond)} not involved in the case: inviting them shares the "
            "child's record with them. Give the reason they are needed"
        ]
    if errors:
        raise ValidationError(errors)
    for rule in rules:
        if rule.needs_manager and not request_authorisation:
            raise ManagerAuthorisationNeeded(rule)
    meeting = Meeting.objects.create(
        reference=next_reference("MTG"),
        kind=kind,
        lead_agency=lead_agency,
        chair=chair,
        scheduled_at=scheduled_at,
        format=format,
        location=location.strip(),
        video_link=video_link.strip(),
        follows=clock.runs_from or follows,
        due_on=clock.due_on,
        late_reason=late_reason.strip() if late else "",
        report_due_on=report_due_on,
        purpose=purpose.strip(),
        created_by=acting_user,
    )
    MeetingCase.objects.bulk_create(MeetingCase(meeting=meeting, case=c) for c in cases)
    AgendaItem.objects.bulk_create(
        AgendaItem(meeting=meeting, position=i, title=title)
        for i, title in enumerate(DEFAULT_AGENDA.get(kind, []), start=1)
    )
    sync_meeting_grants(meeting)
    for case in cases:
        sync_case_grants(case)  # the chair now sees the case
    when = timezone.localtime(scheduled_at)
    meeting_chronology(
        meeting,
        acting_user,
        f"{meeting.get_kind_display()} arranged for {when:%-d %B %Y at %H:%M}",
        f"Late: {meeting.late_reason}" if late else "",
        cases=cases,
    )
    audit_record(
        user=acting_user,
        action="create",
        event="meeting_scheduled",
        obj=meeting,
        detail={
            "kind": kind,
            "cases": [c.reference for c in cases],
            "due_on": clock.due_on.isoformat() if clock.due_on else None,
            "late": late,
        },
    )
    if chair.pk != acting_user.pk:
        notify(
            recipients=[chair],
            kind="meeting_chair",
            dedupe_key=f"meeting:{meeting.pk}:chair",
            title=f"You are chairing {meeting.reference} on {when:%-d %B %Y}",
            reference=meeting.reference,
            link_path=meeting_link(meeting),
        )
    invited = False
    for rule in rules:
        if rule.needs_manager:
            invitation_request(
                acting_user=acting_user, meeting=meeting, agency=rule.agency, reason=invite_reason
            )
        else:
            # The grants are made once for all of them, below: each
            # reconciliation reads every grant on the meeting.
            meeting_invite(
                acting_user=acting_user,
                meeting=meeting,
                agency=rule.agency,
                reason=invite_reason,
                sync_grants=False,
            )
            invited = True
    if invited:
        sync_meeting_grants(meeting)
    return meeting


@transaction.atomic
def meeting_invite(
    *,
    acting_user: AbstractBaseUser,
    meeting: Meeting,
    agency: Agency,
    person: AbstractBaseUser | None = None,
    report_requested: bool = True,
    reason: str = "",
    sync_grants: bool = True,
) -> MeetingInvitation:
    """Invite an agency (or a named professional in it); it becomes involved in the cases.

    ``sync_grants=False``: the caller makes the meeting's grants itself, in
    the same transaction, once it has invited everyone (``meeting_schedule``).

    An agency not yet invited passes ``require_invitable``: ``reason`` if it has
    no part in the case, a manager of the lead agency if it is of another local
    authority. A professional of an agency already invited needs neither.
    """
    lock_meeting(meeting)
    require_open(meeting)
    if not can_manage(acting_user, meeting):
        raise PermissionDenied("Only the chair or the lead agency invites.")
    if person is not None and not members_with_roles(agency, CASE_WORKING_ROLES).filter(
        pk=person.pk
    ):
        raise ValidationError({"person": "That person does not work for the agency"})
    rules = None
    if not meeting.invitations.filter(agency=agency).exists():
        rules = require_invitable(acting_user, meeting, meeting.lead_agency, agency, reason)
    beyond = rules is not None and rules.needs_reason
    other_authority = rules is not None and not rules.same_authority
    invitation, created = MeetingInvitation.objects.get_or_create(
        meeting=meeting,
        agency=agency,
        person=person,
        defaults={
            "report_requested": report_requested,
            "beyond_case_reason": reason.strip() if beyond else "",
            "authorised_by": acting_user if other_authority else None,
        },
    )
    if not created:
        return invitation
    if other_authority:
        # A manager inviting directly answers any request still waiting for one.
        meeting.invitation_requests.filter(
            agency=agency, status=InvitationRequest.Status.PENDING
        ).update(
            status=InvitationRequest.Status.AUTHORISED,
            decided_by=acting_user,
            decided_at=timezone.now(),
        )
    if agency.pk != meeting.lead_agency_id:
        for case in meeting_cases(meeting):
            involvement_start(
                acting_user=acting_user,
                case=case,
                agency=agency,
                level=Involvement.Level.INVOLVED,
                reason=Involvement.Reason.MEETING,
                source_reference=meeting.reference,
            )
    if sync_grants:
        sync_meeting_grants(meeting)
    audit_record(
        user=acting_user,
        action="grant",
        event="meeting_invitation",
        obj=meeting,
        reason=invitation.beyond_case_reason,
        detail={
            "agency": agency.slug,
            "person": getattr(person, "username", None),
            "beyond_case": beyond,
            "other_authority": other_authority,
        },
    )
    when = timezone.localtime(meeting.scheduled_at)
    title = f"Invitation: {meeting.get_kind_display().lower()} on {when:%-d %B %Y at %H:%M}"
    if report_requested and meeting.report_due_on:
        title += f"; report due {meeting.report_due_on:%-d %B %Y}"
    notify(
        recipients=[person] if person else members_with_roles(agency, CASE_WORKING_ROLES),
        kind="meeting_invitation",
        dedupe_key=f"meeting:{meeting.pk}:invitation:{invitation.pk}",
        title=title,
        reference=meeting.reference,
        link_path=meeting_link(meeting),
    )
    return invitation


@transaction.atomic
def invitation_request(
    *,
    acting_user: AbstractBaseUser,
    meeting: Meeting,
    agency: Agency,
    reason: str = "",
    report_requested: bool = True,
) -> InvitationRequest:
    """Ask a manager of the lead agency to authorise inviting an agency of another
    local authority. Until one does, nothing is shared: the agency is not
    invited, not involved and not told. The managers are told (no case details)."""
    require_open(meeting)
    if not can_manage(acting_user, meeting):
        raise PermissionDenied("Only the chair or the lead agency invites.")
    if meeting.invitations.filter(agency=agency, person__isnull=True).exists():
        raise ValidationError({"agency": f"{agency.name} is already invited"})
    rules = invite_rules(acting_user, meeting, meeting.lead_agency, agency)
    if rules.needs_reason and not reason.strip():
        require_invitable(acting_user, meeting, meeting.lead_agency, agency, reason)
    if not rules.needs_manager:
        raise ValidationError(
            {"agency": f"{agency.name} needs no manager's authorisation: invite them directly"}
        )
    request, created = InvitationRequest.objects.get_or_create(
        meeting=meeting,
        agency=agency,
        status=InvitationRequest.Status.PENDING,
        defaults={
            "reason": reason.strip(),
            "report_requested": report_requested,
            "requested_by": acting_user,
        },
    )
    if not created:
        return request
    audit_record(
        user=acting_user,
        action="create",
        event="meeting_invitation_requested",
        obj=meeting,
        reason=request.reason,
        detail={
            "agency": agency.slug,
            "beyond_case": rules.needs_reason,
            "request": str(request.pk),
        },
    )
    managers = members_with_roles(meeting.lead_agency, [Role.MANAGER]).exclude(pk=acting_user.pk)
    notify(
        recipients=managers,
        kind="meeting_invitation_request",
        dedupe_key=f"meeting:{meeting.pk}:invitation-request:{request.pk}",
        title=f"Authorise or decline inviting {agency.name}, another local authority's agency, "
        f"to {meeting.reference}",
        reference=meeting.reference,
        link_path=meeting_link(meeting) + "#waiting",
    )
    return request


@transaction.atomic
def invitation_withdraw(
    *, acting_user: AbstractBaseUser, invitation: MeetingInvitation, reason: str
) -> None:
    """The chair or the lead agency (whoever may invite) withdraws an invitation.

    The invitation is deleted: no reply, attendance or report is owed under it any
    more (a report already sent stays on the record). If the agency has no other
    invitation to the meeting, the involvement the invitation started (reason
    "meeting", this meeting's reference) ends, so its access to the meeting, and to
    the case unless it is involved another way, ends now. The agency's people are
    told, without the case's details; the audit keeps who, when and why.
    """
    meeting = lock_meeting(invitation.meeting)
    if not MeetingInvitation.objects.filter(pk=invitation.pk).exists():
        return  # withdrawn already, by someone else at the same moment
    if meeting.is_finalised:
        raise ValidationError(
            "This meeting's record is final: its invitations can no longer be withdrawn."
        )
    if not can_manage(acting_user, meeting):
        raise PermissionDenied("Only the chair or the lead agency withdraws invitations.")
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the invitation is withdrawn"})
    agency, person = invitation.agency, invitation.person
    invitation_pk = invitation.pk
    invitation.delete()
    if not meeting.invitations.filter(agency=agency).exists():
        for case in meeting_cases(meeting):
            involvement_reason_end(
                acting_user=acting_user,
                case=case,
                agency=agency,
                reason=Involvement.Reason.MEETING,
                source_reference=meeting.reference,
                why=f"Invitation to {meeting.reference} withdrawn: {reason.strip()}",
            )
    sync_meeting_grants(meeting)
    audit_record(
        user=acting_user,
        action="revoke",
        event="meeting_invitation_withdrawn",
        obj=meeting,
        detail={
            "agency": agency.slug,
            "person": getattr(person, "username", None),
            "reason": reason.strip(),
        },
    )
    when = timezone.localtime(meeting.scheduled_at)
    notify(
        recipients=[person] if person else members_with_roles(agency, CASE_WORKING_ROLES),
        kind="meeting_invitation_withdrawn",
        dedupe_key=f"meeting:{meeting.pk}:invitation:{invitation_pk}:withdrawn",
        title=f"Invitation withdrawn: {meeting.get_kind_display().lower()} "
        f"on {when:%-d %B %Y at %H:%M}",
        reference=meeting.reference,
        # No link: the meeting is usually no longer theirs to open.
    )


def _user_invitations(user: AbstractBaseUser, meeting: Meeting) -> QuerySet[MeetingInvitation]:
    return meeting.invitations.filter(agency_id__in=own_agency_ids(user))


@transaction.atomic
def invitation_respond(
    *, acting_user: AbstractBaseUser, invitation: MeetingInvitation, response: str
) -> MeetingInvitation:
    lock_meeting(invitation.meeting)
    require_open(invitation.meeting)
    if not _user_invitations(acting_user, invitation.meeting).filter(pk=invitation.pk).exists():
        raise PermissionDenied("This invitation is to another agency.")
    if response not in (MeetingInvitation.Response.ATTENDING, MeetingInvitation.Response.APOLOGIES):
        raise ValidationError({"response": "Say whether you will attend"})
    invitation.response = response
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["response", "responded_at"])
    audit_record(
        user=acting_user,
        action="update",
        event="meeting_invitation_answered",
        obj=invitation.meeting,
        detail={"agency": invitation.agency.slug, "response": response},
    )
    return invitation


def report_agencies(user: AbstractBaseUser, meeting: Meeting) -> QuerySet[Agency]:
    """The invited agencies this user may write the meeting report for."""
    return Agency.objects.filter(
        pk__in=_user_invitations(user, meeting).values("agency_id")
    ).distinct()


@transaction.atomic
def report_submit(
    *,
    acting_user: AbstractBaseUser,
    meeting: Meeting,
    agency: Agency,
    text: str,
    shared_with_invitees: bool = False,
    child_wishes: str = "",
    wishes_not_obtained: str = "",
    wishes_not_obtained_detail: str = "",
) -> AgencyReport:
    """The child's wishes and feelings as the agency heard them, or why it has
    none: optional on a report, where it is shown as "not recorded"."""
    require_open(meeting)
    if not report_agencies(acting_user, meeting).filter(pk=agency.pk).exists():
        raise PermissionDenied("Your agency is not invited to this meeting.")
    if not text.strip():
        raise ValidationError({"text": "Enter your agency's report"})
    wishes = clean_wishes(
        child_wishes=child_wishes,
        wishes_not_obtained=wishes_not_obtained,
        wishes_not_obtained_detail=wishes_not_obtained_detail,
        required=False,
    )
    fields = {
        "author": acting_user,
        "text": text.strip(),
        "shared_with_invitees": shared_with_invitees,
        **wishes,
    }
    report, created = AgencyReport.objects.update_or_create(
        meeting=meeting,
        agency=agency,
        defaults=fields,
        create_defaults={**fields, "submitted_at": timezone.now()},
    )
    audit_record(
        user=acting_user,
        action="create" if created else "update",
        event="meeting_report_submitted",
        obj=meeting,
        detail={"agency": agency.slug, "shared": shared_with_invitees},
    )
    if created:
        notify(
            recipients=[meeting.chair],
            kind="meeting_report",
            dedupe_key=f"meeting:{meeting.pk}:report:{agency.pk}",
            title=f"{agency.name} sent its report for {meeting.reference}",
            reference=meeting.reference,
            link_path=meeting_link(meeting),
        )
    return report


def report_status(meeting: Meeting, invitations, reports, today: dt.date | None = None):
    """For the chair: each invited agency asked for a report, and whether it is in or late."""
    today = today or timezone.localdate()
    by_agency = {r.agency_id: r for r in reports}
    rows, seen = [], set()
    for invitation in invitations:
        if not invitation.report_requested or invitation.agency_id in seen:
            continue
        seen.add(invitation.agency_id)
        report = by_agency.get(invitation.agency_id)
        due = meeting.report_due_on
        if report:
            submitted = workdays.local_date(report.submitted_at)
            state = "late" if due and submitted > due else "received"
        else:
            state = "overdue" if due and today > due else "awaiting"
        rows.append({"agency": invitation.agency, "report": report, "state": state, "due": due})
    return rows


def invitees_to_choose(meeting: Meeting) -> QuerySet[Membership]:
    """Professionals in the invited agencies, for inviting one of them by name."""
    agencies = meeting.invitations.values("agency_id")
    return (
        Membership.objects.filter(
            agency_id__in=agencies,
            is_active=True,
            user__is_active=True,
            role__in=CASE_WORKING_ROLES,
        )
        .select_related("user", "agency")
        .order_by("agency__name", "user__first_name")
    )
