"""Reads of meetings for an acting user, scoped by the grants on them.

Every read takes the user and returns only what they may see; a meeting they
may not see is a 404, like a missing one. The grants themselves are kept in
step with the chair and the invitations by ``meetings.grants``.
"""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from agencies.roles import CASE_WORKING_ROLES
from agencies.selectors import agencies_where
from cases.models import CaseAction
from cases.selectors.cases import still_a_member
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


def _meeting_ids_with(user: AbstractBaseUser, codename: str) -> Q:
    groups = user.groups.filter(agency_role__agency__is_active=True).values("pk")
    by_group = MeetingGroupObjectPermission.objects.filter(
        group__in=groups, permission__codename=codename
    ).values("content_object_id")
    by_user = (
        MeetingUserObjectPermission.objects.filter(user=user, permission__codename=codename)
        .filter(still_a_member(user))
        .values("content_object_id")
    )
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
