"""Who may be invited to a meeting (issue 11): the agencies already on the case
are offered, none chosen for the user; any other agency is a deliberate step
with a reason; another local authority's agency needs a manager of the lead
agency, and while it waits for one nothing is shared. The same through the API,
because the rules live in the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases.models import Involvement
from meetings import services as meetings
from meetings.models import InvitationRequest, Meeting, MeetingInvitation
from meetings.selectors import same_local_authority
from safeguard.audit.models import AuditEvent
from safeguard.notifications.models import Notification
from tests.factories import AgencyFactory, World, open_case_from_concern, submit_concern

pytestmark = pytest.mark.django_db

REASON = "River School taught Amelia until September and holds her attendance history."


@pytest.fixture
def world():
    w = World()
    # The school logged the concern, so it is on the case; police, the other
    # school and the other authority are not.
    w.case = open_case_from_concern(w, submit_concern(w))
    w.meeting = meetings.meeting_schedule(
        acting_user=w.social_worker,
        kind=Meeting.Kind.MDT,
        cases=[w.case],
        chair=w.chair,
        scheduled_at=timezone.now() + dt.timedelta(days=3),
        location="Civic Centre",
    )
    return w


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def involved(world, agency) -> bool:
    return world.case.involvements.filter(agency=agency, ended_at__isnull=True).exists()


def meeting_url(world) -> str:
    return reverse("meeting_detail", args=[world.meeting.pk])


def beyond_url(world) -> str:
    return reverse("meeting_invite_beyond", args=[world.meeting.pk])


# The forms offer the case's agencies, none chosen -----------------------------------


def test_arranging_a_meeting_offers_only_the_agencies_on_the_case_none_ticked(client, world):
    client.force_login(world.social_worker)
    response = client.get(reverse("meeting_schedule", args=[world.case.pk, "mdt"]))
    offered = list(response.context["form"].fields["invite"].queryset)
    assert offered == [world.school]
    page = response.content.decode()
    invite_boxes = page[page.index('name="invite"') - 200 :].split("</fieldset>")[0]
    assert "checked" not in invite_boxes
    for outsider in ("River School", "Other Children", "Police"):
        assert outsider not in invite_boxes


def test_the_meeting_page_offers_the_case_agencies_and_refuses_any_other(client, world):
    client.force_login(world.social_worker)
    response = client.get(meeting_url(world))
    assert list(response.context["invite_form"].fields["agency"].queryset) == [world.school]
    assert beyond_url(world) in response.content.decode()
    refused = client.post(
        reverse("meeting_invite", args=[world.meeting.pk]), {"agency": world.other_school.pk}
    )
    assert refused.status_code == 400
    assert "Choose an agency involved in the case" in refused.content.decode()
    assert not world.meeting.invitations.exists() and not involved(world, world.other_school)


# Another agency of the same authority: search, warning, reason ---------------------


def test_inviting_an_agency_beyond_the_case_is_a_search_a_warning_and_a_reason(client, world):
    client.force_login(world.social_worker)
    assert "agencies-found" not in client.get(beyond_url(world)).content.decode()  # no list
    found = client.get(beyond_url(world), {"name": "river"})
    assert [a for a, _ in found.context["found"]] == [world.other_school]
    # The school already on the case is not found here: it is offered on the meeting page.
    assert client.get(beyond_url(world), {"name": "hill"}).context["found"] == []
    other_la = client.get(beyond_url(world), {"name": "children"}).content.decode()
    assert "Other Children&#x27;s Services" in other_la and "Another local authority" in other_la

    confirm = client.get(beyond_url(world), {"agency": "other-school"}).content.decode()
    assert "shares Amelia Hart's record with them" in confirm
    assert "another local authority" not in confirm

    missing = client.post(beyond_url(world), {"agency": "other-school", "reason": "  "})
    assert missing.status_code == 400
    assert "Enter why this agency needs to be at the meeting" in missing.content.decode()
    assert not world.meeting.invitations.exists() and not involved(world, world.other_school)

    done = client.post(
        beyond_url(world), {"agency": "other-school", "reason": REASON, "report_requested": "on"}
    )
    assert done.status_code == 302
    invitation = world.meeting.invitations.get()
    assert (invitation.agency, invitation.beyond_case_reason) == (world.other_school, REASON)
    assert invitation.authorised_by is None
    assert involved(world, world.other_school)
    row = AuditEvent.objects.get(event="meeting_invitation")
    assert (row.username, row.action, row.reason) == (world.social_worker.username, "grant", REASON)
    assert row.detail["beyond_case"] is True and row.detail["other_authority"] is False


def test_the_rule_is_the_services_not_only_the_forms(world):
    with pytest.raises(ValidationError) as refused:
        meetings.meeting_invite(
            acting_user=world.social_worker, meeting=world.meeting, agency=world.other_school
        )
    assert "reason" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        meetings.meeting_schedule(
            acting_user=world.social_worker,
            kind=Meeting.Kind.MDT,
            cases=[world.case],
            chair=world.chair,
            scheduled_at=timezone.now() + dt.timedelta(days=4),
            location="Civic Centre",
            invite=[world.police],
        )
    assert "Police not involved in the case" in refused.value.message_dict["invite_reason"][0]
    assert Meeting.objects.count() == 1  # nothing arranged


# Another local authority: a manager authorises ------------------------------------


def test_another_authoritys_agency_waits_for_a_manager_and_sees_nothing_meanwhile(client, world):
    client.force_login(world.social_worker)
    confirm = client.get(beyond_url(world), {"agency": "other-la"}).content.decode()
    assert "is in another local authority" in confirm and "Ask a manager to authorise" in confirm
    client.post(beyond_url(world), {"agency": "other-la", "reason": "The family moved from there."})
    waiting = InvitationRequest.objects.get()
    assert (waiting.status, waiting.requested_by) == ("pending", world.social_worker)
    assert not world.meeting.invitations.exists() and not involved(world, world.other_la)
    client.force_login(world.other_social_worker)
    assert client.get(meeting_url(world)).status_code == 404
    assert Notification.objects.filter(
        recipient=world.manager, kind="meeting_invitation_request"
    ).exists()
    assert not Notification.objects.filter(recipient=world.other_social_worker).exists()

    # The social worker sees it waiting, without the manager's buttons.
    client.force_login(world.social_worker)
    page = client.get(meeting_url(world)).content.decode()
    assert "Invitations waiting for a manager" in page and "Authorise and send" not in page

    client.force_login(world.manager)
    answer = reverse("meeting_invitation_request_answer", args=[world.meeting.pk, waiting.pk])
    assert "Authorise and send" in client.get(meeting_url(world)).content.decode()
    assert client.post(answer, {"decision": "authorise"}).status_code == 302
    invitation = world.meeting.invitations.get()
    assert (invitation.agency, invitation.authorised_by) == (world.other_la, world.manager)
    assert invitation.beyond_case_reason == "The family moved from there."
    waiting.refresh_from_db()
    assert (waiting.status, waiting.decided_by) == ("authorised", world.manager)
    assert AuditEvent.objects.filter(
        event="meeting_invitation_authorised", username=world.manager.username
    ).exists()
    client.force_login(world.other_social_worker)
    assert client.get(meeting_url(world)).status_code == 200
    # A second answer changes nothing and says who answered.
    client.force_login(world.manager)
    again = client.post(answer, {"decision": "authorise"}, follow=True).content.decode()
    assert "already authorised by" in again
    assert world.meeting.invitations.count() == 1


def test_a_manager_declines_with_a_reason_and_nothing_is_shared(client, world):
    meetings.invitation_request(
        acting_user=world.social_worker,
        meeting=world.meeting,
        agency=world.other_la,
        reason="The family moved from there.",
    )
    waiting = InvitationRequest.objects.get()
    answer = reverse("meeting_invitation_request_answer", args=[world.meeting.pk, waiting.pk])
    client.force_login(world.social_worker)  # not a manager: may not answer
    assert client.post(answer, {"decision": "authorise"}).status_code == 404
    client.force_login(world.manager)
    blank = client.post(answer, {"decision": "decline", "reason": ""})
    assert blank.status_code == 400
    assert "Enter why the invitation is declined" in blank.content.decode()
    assert client.post(answer, {"decision": "decline", "reason": "Not needed."}).status_code == 302
    waiting.refresh_from_db()
    assert (waiting.status, waiting.decision_reason) == ("declined", "Not needed.")
    assert not world.meeting.invitations.exists() and not involved(world, world.other_la)
    assert Notification.objects.filter(
        recipient=world.social_worker, kind="meeting_invitation_declined"
    ).exists()


def test_a_manager_of_the_lead_agency_invites_another_authority_directly(client, world):
    client.force_login(world.manager)
    client.post(beyond_url(world), {"agency": "other-la", "reason": "Sibling placed there."})
    invitation = world.meeting.invitations.get()
    assert invitation.authorised_by == world.manager
    assert not InvitationRequest.objects.exists()
    assert involved(world, world.other_la)


def test_an_agency_of_the_same_la_code_is_the_same_authority(world):
    world.la.la_code = "201"
    world.la.save(update_fields=["la_code"])
    coded = AgencyFactory(slug="coded-health", kind="health", la_code="201")
    elsewhere = AgencyFactory(slug="far-health", kind="health", la_code="202")
    unknown = AgencyFactory(slug="nowhere", kind="voluntary")
    assert same_local_authority(world.police, world.la)  # through its front door
    assert same_local_authority(coded, world.la)
    assert not same_local_authority(elsewhere, world.la)
    assert not same_local_authority(unknown, world.la)  # nobody said: never "ours"
    assert not same_local_authority(world.other_la, world.la)


# The API ------------------------------------------------------------------------


def test_the_api_applies_the_same_rules(world):
    url = f"/api/v1/meetings/{world.meeting.pk}/invitations/"
    worker = api(world.social_worker)
    no_reason = worker.post(url, {"agency": "other-school"}, format="json")
    assert no_reason.status_code == 400
    assert "not involved in the case" in no_reason.json()["errors"]["reason"][0]
    other_la = worker.post(url, {"agency": "other-la", "reason": "Moved."}, format="json")
    assert other_la.status_code == 403
    assert "another local authority" in other_la.json()["detail"]
    assert not world.meeting.invitations.exists() and not InvitationRequest.objects.exists()

    ok = worker.post(url, {"agency": "other-school", "reason": REASON}, format="json")
    assert ok.status_code == 201 and ok.json()["agency"] == "other-school"
    held = worker.post(
        url,
        {"agency": "other-la", "reason": "Moved.", "request_authorisation": True},
        format="json",
    )
    assert held.status_code == 202 and held.json()["status"] == "pending"
    outsider = api(world.other_social_worker)
    assert outsider.get(f"/api/v1/meetings/{world.meeting.pk}/").status_code == 404
    waiting = f"/api/v1/meetings/{world.meeting.pk}/invitation-requests/"
    assert [r["agency"] for r in worker.get(waiting).json()] == ["other-la"]
    authorise = f"{waiting}{held.json()['id']}/authorise/"
    assert worker.post(authorise).status_code == 403  # a social worker is not a manager
    assert api(world.manager).post(authorise).status_code == 201
    assert outsider.get(f"/api/v1/meetings/{world.meeting.pk}/").status_code == 200
    assert MeetingInvitation.objects.get(agency=world.other_la).authorised_by == world.manager
    assert Involvement.objects.filter(case=world.case, agency=world.other_la).exists()


def test_creating_a_meeting_through_the_api_needs_the_reason_too(world):
    body = {
        "kind": "mdt",
        "cases": [str(world.case.pk)],
        "chair": world.chair.username,
        "scheduled_at": (timezone.now() + dt.timedelta(days=5)).isoformat(),
        "location": "Civic Centre",
        "invite": ["police"],
    }
    worker = api(world.social_worker)
    refused = worker.post("/api/v1/meetings/", body, format="json")
    assert refused.status_code == 400 and "invite_reason" in refused.json()["errors"]
    other = worker.post(
        "/api/v1/meetings/", {**body, "invite": ["other-la"], "invite_reason": "Moved."}, "json"
    )
    assert other.status_code == 403
    assert Meeting.objects.count() == 1
