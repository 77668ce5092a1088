"""An invitation is not access on its own (SPEC 2, 3.5): an invited agency sees a
meeting only while it is involved in the case, and an invitation can be withdrawn.
Both end access on the next request, on the pages and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from cases.models import Involvement
from cases.selectors import cases as case_rules
from cases.selectors import cases_for, many
from cases.services.case import case_add_agency, case_end_involvement
from meetings import services as meetings
from meetings.grants import desired_meeting_group_grants, desired_meeting_user_grants
from meetings.models import (
    Meeting,
    MeetingGroupObjectPermission,
    MeetingInvitation,
    MeetingUserObjectPermission,
)
from safeguard.audit.models import AuditEvent
from safeguard.notifications.models import Notification
from tests.factories import World, open_case_from_concern, submit_concern
from tests.meetings.meeting_helpers import LONDON, STRATEGY_DAY, held_strategy_discussion, travel

pytestmark = pytest.mark.django_db

BEFORE = STRATEGY_DAY - dt.timedelta(hours=2)


@pytest.fixture
def world():
    with travel(dt.datetime(2026, 12, 1, 9, 0, tzinfo=LONDON)):
        w = World()
        w.case = open_case_from_concern(w, submit_concern(w), decision="strategy")
        w.meeting = meetings.meeting_schedule(
            acting_user=w.social_worker,
            kind=Meeting.Kind.STRATEGY,
            cases=[w.case],
            chair=w.chair,
            scheduled_at=STRATEGY_DAY,
            location="Police station, interview room 2",
            purpose="Share what is known",
            invite=[w.police],
            invite_reason="Police are a statutory partner in this meeting (Working Together 2023)",
        )
    return w


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def on_its_case_pages(client, meeting: Meeting) -> bool:
    """Whether the meeting is listed on the page of a case it is about (the
    case pages the person can open; the section's statement is compiled once
    per process and bound to each person)."""
    link = reverse("meeting_detail", args=[meeting.pk])
    for subject in meeting.subjects.all():
        page = client.get(reverse("case_detail", args=[subject.case_id]))
        if page.status_code == 200 and link in page.content.decode():
            return True
    return False


def sees(client, user, meeting: Meeting) -> dict:
    client.force_login(user)
    listed = client.get(reverse("meeting_list")).content.decode()
    return {
        "on_case_page": on_its_case_pages(client, meeting),
        "page": client.get(reverse("meeting_detail", args=[meeting.pk])).status_code,
        "listed": meeting.reference in listed,
        "api": api(user).get(f"/api/v1/meetings/{meeting.pk}/").status_code,
        "api_listed": meeting.reference
        in [m["reference"] for m in api(user).get("/api/v1/meetings/").json()["results"]],
    }


SEES = {"on_case_page": True, "page": 200, "listed": True, "api": 200, "api_listed": True}
SEES_NOTHING = {
    "on_case_page": False,
    "page": 404,
    "listed": False,
    "api": 404,
    "api_listed": False,
}


def assert_meeting_grants_match_records():
    for meeting in Meeting.objects.all():
        groups = set(
            MeetingGroupObjectPermission.objects.filter(content_object=meeting).values_list(
                "group_id", "permission__codename"
            )
        )
        users = set(
            MeetingUserObjectPermission.objects.filter(content_object=meeting).values_list(
                "user_id", "permission__codename"
            )
        )
        assert groups == desired_meeting_group_grants(meeting), meeting.reference
        assert users == desired_meeting_user_grants(meeting), meeting.reference


def police_involvements(world):
    return world.case.involvements.filter(agency=world.police, ended_at__isnull=True)


def test_ending_the_involvement_ends_the_meeting_on_the_next_request(client, world):
    with travel(BEFORE):
        assert sees(client, world.officer, world.meeting) == SEES
        for involvement in police_involvements(world):
            case_end_involvement(
                acting_user=world.social_worker, involvement=involvement, reason="No longer needed"
            )
        assert sees(client, world.officer, world.meeting) == SEES_NOTHING
        assert sees(client, world.chair, world.meeting) == SEES
        assert sees(client, world.social_worker, world.meeting) == SEES
    assert_meeting_grants_match_records()


def test_someone_remembered_as_seeing_many_meetings_loses_it_on_the_next_request(
    client, world, monkeypatch
):
    """With "few" set to none, the officer's first list finds them to see many
    meetings, and the process remembers it (``cases.selectors.many``): the
    lists after walk every meeting with the access rule without counting the
    grants again, and still drop this one once the involvement ends."""
    monkeypatch.setattr(case_rules, "FEW", 0)
    with travel(BEFORE):
        assert sees(client, world.officer, world.meeting) == SEES
        assert many.remembered_many(world.officer, "meetings")
        for involvement in police_involvements(world):
            case_end_involvement(
                acting_user=world.social_worker, involvement=involvement, reason="No longer needed"
            )
        assert sees(client, world.officer, world.meeting) == SEES_NOTHING
        assert many.remembered_many(world.officer, "meetings")
        assert sees(client, world.chair, world.meeting) == SEES


def test_an_agency_involved_another_way_keeps_the_case_when_its_invitation_goes(client, world):
    with travel(BEFORE):
        case_add_agency(acting_user=world.social_worker, case=world.case, agency=world.police)
        # One involvement, two reasons.
        police = police_involvements(world).get()
        assert {r.reason for r in police.reasons.filter(ended_at__isnull=True)} == {
            Involvement.Reason.MEETING,
            Involvement.Reason.ADDED,
        }
        invitation = world.meeting.invitations.get(agency=world.police, person=None)
        meetings.invitation_withdraw(
            acting_user=world.chair, invitation=invitation, reason="Not needed at the meeting"
        )
        police = police_involvements(world).get()
        assert [r.reason for r in police.reasons.filter(ended_at__isnull=True)] == ["added"]
        assert world.case in cases_for(world.officer)
        assert sees(client, world.officer, world.meeting) == SEES_NOTHING
        # Ending the involvement ends every reason.
        case_end_involvement(
            acting_user=world.social_worker, involvement=police, reason="No longer needed"
        )
        assert not police_involvements(world).exists()
        assert world.case not in cases_for(world.officer)
    assert_meeting_grants_match_records()


def test_a_named_invitee_loses_the_meeting_with_their_agency(client, world):
    with travel(BEFORE):
        meetings.meeting_invite(
            acting_user=world.chair,
            meeting=world.meeting,
            agency=world.police,
            person=world.officer,
        )
        for involvement in police_involvements(world):
            case_end_involvement(
                acting_user=world.social_worker, involvement=involvement, reason="No longer needed"
            )
        assert sees(client, world.officer, world.meeting) == SEES_NOTHING
    assert_meeting_grants_match_records()


def test_the_chair_withdraws_an_invitation_on_the_page(client, world):
    invitation = world.meeting.invitations.get(agency=world.police)
    url = reverse("meeting_invitation_withdraw", args=[world.meeting.pk, invitation.pk])
    with travel(BEFORE):
        client.force_login(world.chair)
        page = client.get(reverse("meeting_detail", args=[world.meeting.pk])).content.decode()
        assert url in page and "Withdraw invitation" in page
        refused = client.post(url, {"reason": "  "})
        assert refused.status_code == 400
        assert "Enter why the invitation is withdrawn" in refused.content.decode()
        assert MeetingInvitation.objects.filter(pk=invitation.pk).exists()
        response = client.post(url, {"reason": "Police enquiries are complete"})
        assert response.status_code == 302
        assert not MeetingInvitation.objects.filter(pk=invitation.pk).exists()
        assert not police_involvements(world).exists()
        assert sees(client, world.officer, world.meeting) == SEES_NOTHING
        assert sees(client, world.chair, world.meeting) == SEES
        assert sees(client, world.social_worker, world.meeting) == SEES
        # No report is owed by the police any more.
        assert meetings.report_status(world.meeting, world.meeting.invitations.all(), []) == []
    note = Notification.objects.get(recipient=world.officer, kind="meeting_invitation_withdrawn")
    assert world.case.reference not in note.title
    assert world.case.child.first_name not in note.title
    event = AuditEvent.objects.get(event="meeting_invitation_withdrawn")
    assert event.detail["reason"] == "Police enquiries are complete"
    assert_meeting_grants_match_records()


def test_the_lead_agency_withdraws_through_the_api(client, world):
    invitation = world.meeting.invitations.get(agency=world.police)
    url = f"/api/v1/meetings/{world.meeting.pk}/invitations/{invitation.pk}/withdraw/"
    with travel(BEFORE):
        assert api(world.social_worker).post(url, {}, format="json").status_code == 400
        response = api(world.social_worker).post(url, {"reason": "Not needed"}, format="json")
        assert response.status_code == 204
        assert sees(client, world.officer, world.meeting) == SEES_NOTHING
        assert sees(client, world.chair, world.meeting) == SEES
    assert_meeting_grants_match_records()


def test_withdrawing_one_named_invitation_keeps_the_agencys(client, world):
    with travel(BEFORE):
        named = meetings.meeting_invite(
            acting_user=world.chair,
            meeting=world.meeting,
            agency=world.police,
            person=world.officer,
        )
        meetings.invitation_withdraw(acting_user=world.chair, invitation=named, reason="Duplicate")
        assert police_involvements(world).exists()
        assert sees(client, world.officer, world.meeting) == SEES
    assert_meeting_grants_match_records()


def test_people_who_cannot_invite_cannot_withdraw(client, world):
    invitation = world.meeting.invitations.get(agency=world.police)
    page_url = reverse("meeting_invitation_withdraw", args=[world.meeting.pk, invitation.pk])
    api_url = f"/api/v1/meetings/{world.meeting.pk}/invitations/{invitation.pk}/withdraw/"
    with travel(BEFORE):
        # The invitee sees the meeting but does not manage it.
        client.force_login(world.officer)
        assert client.post(page_url, {"reason": "x"}).status_code == 404
        assert api(world.officer).post(api_url, {"reason": "x"}).status_code == 403
        # An outsider does not even see it.
        client.force_login(world.other_social_worker)
        assert client.post(page_url, {"reason": "x"}).status_code == 404
        assert api(world.other_social_worker).post(api_url, {"reason": "x"}).status_code == 404
        with pytest.raises(PermissionDenied):
            meetings.invitation_withdraw(
                acting_user=world.officer, invitation=invitation, reason="x"
            )
    assert MeetingInvitation.objects.filter(pk=invitation.pk).exists()


def test_a_final_record_keeps_its_invitations(client, world):
    held = held_strategy_discussion(world, world.case, STRATEGY_DAY + dt.timedelta(days=1))
    invitation = held.invitations.get(agency=world.police)
    with travel(STRATEGY_DAY + dt.timedelta(days=2)):
        with pytest.raises(ValidationError, match="final"):
            meetings.invitation_withdraw(acting_user=world.chair, invitation=invitation, reason="x")
        client.force_login(world.chair)
        url = reverse("meeting_invitation_withdraw", args=[held.pk, invitation.pk])
        response = client.post(url, {"reason": "Too late"})
        assert response.status_code == 400 and "final" in response.content.decode()
        api_url = f"/api/v1/meetings/{held.pk}/invitations/{invitation.pk}/withdraw/"
        assert api(world.chair).post(api_url, {"reason": "x"}).status_code == 400
    assert MeetingInvitation.objects.filter(pk=invitation.pk).exists()
    assert sees(client, world.officer, held)["page"] == 200


def test_restricting_the_case_restricts_its_meetings_and_lifting_gives_them_back(client, world):
    """A restricted child's meetings are for the people named on the case
    (SPEC 2): restricting it ends the invited police officer's and the lead's
    unnamed social worker's reading of the meeting on the next request, and
    lifting the restriction gives it back. (Found by the stateful access
    test: restricting re-derived the case's grants but not its meetings'.)"""
    from cases.services.restrictions import case_lift_restriction, case_restrict

    with travel(BEFORE):
        assert sees(client, world.officer, world.meeting) == SEES
        assert sees(client, world.social_worker, world.meeting) == SEES
        case_restrict(
            acting_user=world.manager,
            case=world.case,
            reason="The child's father works in the police station's front office.",
            named_users=[world.manager],
        )
        assert sees(client, world.officer, world.meeting) == SEES_NOTHING
        assert sees(client, world.social_worker, world.meeting) == SEES_NOTHING
        assert sees(client, world.manager, world.meeting) == SEES
        assert_meeting_grants_match_records()

        case_lift_restriction(
            acting_user=world.manager, case=world.case, reason="The father has left the force."
        )
        assert sees(client, world.officer, world.meeting) == SEES
        assert sees(client, world.social_worker, world.meeting) == SEES
        assert_meeting_grants_match_records()
