"""The guardian grants on a meeting, derived from its domain records.

The chair, the lead agency of the cases and the invitations decide who sees a
meeting; ``sync_meeting_grants`` makes the grants on the direct-FK meeting
tables match them, in the caller's transaction. A non-invited agency sees
nothing of a meeting, even if it is involved in the case: it sees the outcome
on the case, not the meeting. The reads over these grants are in
``meetings.selectors``.

An invitation is not access on its own: an invited agency (and a professional
invited by name, through their invitation's agency) sees the meeting only while
that agency has a current, unended involvement in at least one of the meeting's
cases. For a sibling-group meeting one is enough: the meeting is one record
about the household, as the agency was invited to it as a whole. Ending the
involvement (the case page says "their access ends now") therefore ends the
meeting too: ``cases`` calls ``sync_case_meetings`` through its involvement
listener registry, in the same transaction. The chair and the lead agency keep
theirs.
"""

from __future__ import annotations

from django.contrib.auth.models import Permission

from agencies.roles import CASE_WORKING_ROLES, LEAD_AGENCY_ROLES
from agencies.services import role_group
from cases.access import _sync
from cases.models import Case, Involvement, NamedAccess
from meetings.models import (
    Meeting,
    MeetingCase,
    MeetingGroupObjectPermission,
    MeetingUserObjectPermission,
)
from meetings.selectors import CHAIR, VIEW, VIEW_LEAD


def _restricted(meeting: Meeting) -> bool:
    return meeting.subjects.filter(case__is_restricted=True).exists()


def _involved_agency_ids(meeting: Meeting) -> set:
    """Agencies with a current involvement in at least one of the meeting's cases."""
    return set(
        Involvement.objects.filter(
            case__meeting_links__meeting=meeting, ended_at__isnull=True
        ).values_list("agency_id", flat=True)
    )


def desired_meeting_group_grants(meeting: Meeting) -> set[tuple[int, str]]:
    if _restricted(meeting):
        return set()  # a restricted child's meeting is for named people only
    wanted: set[tuple[int, str]] = set()
    for role in LEAD_AGENCY_ROLES:
        group = role_group(agency=meeting.lead_agency, role=role)
        wanted |= {(group.pk, VIEW), (group.pk, VIEW_LEAD)}
    involved = _involved_agency_ids(meeting)
    invited = {
        i.agency for i in meeting.invitations.select_related("agency") if i.agency_id in involved
    }
    for agency in invited - {meeting.lead_agency}:
        for role in CASE_WORKING_ROLES:
            wanted.add((role_group(agency=agency, role=role).pk, VIEW))
    return wanted


def desired_meeting_user_grants(meeting: Meeting) -> set[tuple[int, str]]:
    wanted = {(meeting.chair_id, c) for c in (VIEW, VIEW_LEAD, CHAIR)}
    people = set(
        meeting.invitations.filter(
            person__isnull=False, agency_id__in=_involved_agency_ids(meeting)
        ).values_list("person", flat=True)
    )
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


def sync_case_meetings(case: Case) -> None:
    """Re-derive the grants of every meeting about ``case``: its involvements changed
    (registered with ``cases.access.register_involvement_listener``)."""
    # Locked in primary-key order, after the case (the caller holds its lock): a
    # meeting about two children whose involvements change at once is re-derived
    # by one change, then by the other from what the first committed.
    about = MeetingCase.objects.filter(case=case).values("meeting_id")
    for meeting in (
        Meeting.objects.filter(pk__in=about).order_by("pk").select_for_update(of=("self",))
    ):
        sync_meeting_grants(meeting)
