"""Who may see a meeting, and reads of meetings for an acting user.

The domain records decide (the chair, the lead agency of the cases, the
invitations); the guardian grants on the direct-FK meeting tables are derived
from them by ``sync_meeting_grants`` in the same transaction. A non-invited
agency sees nothing of a meeting, even if it is involved in the case: it sees
the outcome on the case, not the meeting.
"""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Permission
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from agencies.roles import CASE_WORKING_ROLES, LEAD_AGENCY_ROLES
from agencies.selectors import agencies_where
from agencies.services import role_group
from cases.access import _sync
from cases.models import CaseAction, NamedAccess
from meetings.models import (
    AgencyReport,
    AgendaItem,
    Meeting,
    MeetingCase,
    MeetingGroupObjectPermission,
    MeetingInvitation,
    MeetingUserObjectPermission,
)
from safeguard.audit.services import audit_record

VIEW = "view_meeting"
VIEW_LEAD = "view_meeting_lead"
CHAIR = "chair_meeting"
User = AbstractBaseUser | AnonymousUser


def _restricted(meeting: Meeting) -> bool:
    return meeting.subjects.filter(case__is_restricted=True).exists()


def desired_meeting_group_grants(meeting: Meeting) -> set[tuple[int, str]]:
    if _restricted(meeting):
        return set()  # a restricted child's meeting is for named people only
    wanted: set[tuple[int, str]] = set()
    for role in LEAD_AGENCY_ROLES:
        group = role_group(agency=meeting.lead_agency, role=role)
        wanted |= {(group.pk, VIEW), (group.pk, VIEW_LEAD)}
    invited = {i.agency for i in meeting.invitations.select_related("agency")}
    for agency in invited - {meeting.lead_agency}:
        for role in CASE_WORKING_ROLES:
            wanted.add((role_group(agency=agency, role=role).pk, VIEW))
    return wanted


def desired_meeting_user_grants(meeting: Meeting) -> set[tuple[int, str]]:
    wanted = {(meeting.chair_id, c) for c in (VIEW, VIEW_LEAD, CHAIR)}
    people = set(meeting.invitations.filter(person__isnull=False).values_list("person", flat=True))
    if _restricted(meeting):
        # Only the people named on the restricted case, whoever was invited.
        named = set(
            NamedAccess.objects.filter(case__meeting_links__meeting=meeting).values_list(
                "user_id", flat=True
            )
        )
        wanted |= {(pk, c) for pk in named for c in (VIEW, VIEW_LEAD)}
        people &= named
    wanted |= {(pk, VIEW) for pk in people}
    return wanted


def sync_meeting_grants(meeting: Meeting) -> None:
    """Make the guardian grants on a meeting match its chair and invitations exactly."""
    perms = {
        p.codename: p
        for p in Permission.objects.filter(
            content_type__app_label="meetings", codename__in=[VIEW, VIEW_LEAD, CHAIR]
        )
    }
    # The same reconciliation as a case's grants: delete what is no longer wanted,
    # add what is missing.
    _sync(
        MeetingGroupObjectPermission,
        "group_id",
        meeting,
        desired_meeting_group_grants(meeting),
        perms,
    )
    _sync(
        MeetingUserObjectPermission, "user_id", meeting, desired_meeting_user_grants(meeting), perms
    )


def _meeting_ids_with(user: AbstractBaseUser, codename: str) -> Q:
    groups = user.groups.filter(agency_role__agency__is_active=True).values("pk")
    by_group = MeetingGroupObjectPermission.objects.filter(
        group__in=groups, permission__codename=codename
    ).values("content_object_id")
    by_user = MeetingUserObjectPermission.objects.filter(
        user=user, permission__codename=codename
    ).values("content_object_id")
    return Q(id__in=by_group) | Q(id__in=by_user)


def meetings_for(user: User) -> QuerySet[Meeting]:
    if not user.is_authenticated or not user.is_active:
        return Meeting.objects.none()
    return Meeting.objects.filter(_meeting_ids_with(user, VIEW))


def meeting_list_for(user: User) -> QuerySet[Meeting]:
    return (
        meetings_for(user)
        .select_related("chair", "lead_agency")
        .prefetch_related(
            Prefetch("subjects", queryset=MeetingCase.objects.select_related("case__child"))
        )
        .order_by("-scheduled_at")
    )


def get_meeting_for(user: User, meeting_id: uuid.UUID | str, *, audit: bool = True) -> Meeting:
    meeting = meeting_list_for(user).filter(pk=meeting_id).first()
    if meeting is None:
        raise Http404("No such meeting")
    if audit:
        # One row per child, so the meeting shows in each case's "who has viewed
        # this record" (the page names the children and carries their reports).
        for subject in meeting.subjects.all():
            audit_record(
                user=user,
                action="view",
                event="meeting_viewed",
                obj=meeting,
                case_id=subject.case_id,
                detail={"reference": meeting.reference},
            )
    return meeting


def has_meeting_lead_access(user: User, meeting: Meeting) -> bool:
    if not user.is_authenticated:
        return False
    return Meeting.objects.filter(pk=meeting.pk).filter(_meeting_ids_with(user, VIEW_LEAD)).exists()


def is_chair(user: User, meeting: Meeting) -> bool:
    return user.is_authenticated and meeting.chair_id == user.pk


def own_agency_ids(user: User) -> set:
    return set(agencies_where(user, roles=CASE_WORKING_ROLES).values_list("pk", flat=True))


def meeting_detail_for(user: User, meeting_id: uuid.UUID | str) -> dict:
    """What the meeting page shows the user, in a fixed number of queries.

    At the invited level: shared reports and its own agency's, open agenda
    items, the decisions, and the actions assigned to its agency.
    """
    meeting = get_meeting_for(user, meeting_id)
    lead = has_meeting_lead_access(user, meeting)
    mine = own_agency_ids(user)
    reports = AgencyReport.objects.filter(meeting=meeting).select_related("agency", "author")
    items = AgendaItem.objects.filter(meeting=meeting)
    actions = CaseAction.objects.filter(meeting=meeting).select_related(
        "agency", "owner", "case__child"
    )
    if not lead:
        reports = reports.filter(Q(shared_with_invitees=True) | Q(agency_id__in=mine))
        items = items.filter(lead_only=False)
        actions = actions.filter(agency_id__in=mine)
    invitations = list(
        MeetingInvitation.objects.filter(meeting=meeting).select_related("agency", "person")
    )
    return {
        "meeting": meeting,
        "lead_access": lead,
        "is_chair": is_chair(user, meeting),
        "subjects": list(meeting.subjects.all()),
        "invitations": invitations,
        "my_invitations": [i for i in invitations if i.agency_id in mine],
        "reports": list(reports),
        "agenda_items": list(items),
        "actions": list(actions),
        "dissents": list(meeting.dissents.select_related("agency", "case__child")),
        "addenda": list(meeting.addenda.select_related("author")),
    }


def meetings_for_case(user: User, case) -> QuerySet[Meeting]:
    return meetings_for(user).filter(subjects__case=case).distinct().order_by("-scheduled_at")


def reports_owed_by(user: User) -> QuerySet[Meeting]:
    """Meetings still to come where the user's agency was asked for a report and has
    not sent it, soonest due first."""
    mine = own_agency_ids(user)
    asked = MeetingInvitation.objects.filter(agency_id__in=mine, report_requested=True)
    sent = AgencyReport.objects.filter(agency_id__in=mine)
    return (
        meetings_for(user)
        .filter(finalised_at__isnull=True, id__in=asked.values("meeting_id"))
        .exclude(id__in=sent.values("meeting_id"))
        .order_by("report_due_on", "scheduled_at")
    )
