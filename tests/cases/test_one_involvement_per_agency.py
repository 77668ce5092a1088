"""Issue 14 item 4: one involvement per agency per case, its reasons listed.
A case with three meetings lists each agency once, on the page, in the API and
in the PDF; the chronology says each was involved once; withdrawing one
invitation ends that reason only; ending the involvement asks for a reason and
ends every reason at once."""

from __future__ import annotations

import datetime as dt
import io
import re

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases.models import ChronologyEntry, Involvement
from cases.services.case import case_end_involvement
from meetings import services as meetings
from meetings.models import Meeting
from summaries.pdf import render_summary_pdf
from tests.factories import World, open_case_from_concern, submit_concern

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = World()
    w.case = open_case_from_concern(w, submit_concern(w))
    w.meetings = [
        meetings.meeting_schedule(
            acting_user=w.social_worker,
            kind=Meeting.Kind.MDT,
            cases=[w.case],
            chair=w.chair,
            scheduled_at=timezone.now() + dt.timedelta(days=7 * n),
            location="Civic Centre",
            invite=[w.police, w.school],
            invite_reason="They hold information about the child.",
        )
        for n in (1, 2, 3)
    ]
    return w


def test_a_case_with_three_meetings_lists_each_agency_once(client, world):
    case = world.case
    current = case.involvements.filter(ended_at__isnull=True)
    assert sorted(current.values_list("agency__slug", flat=True)) == ["la-csc", "police", "school"]
    police = current.get(agency=world.police)
    assert sorted(police.reasons.values_list("source_reference", flat=True)) == sorted(
        m.reference for m in world.meetings
    )
    school = current.get(agency=world.school)
    assert sorted(school.reasons.values_list("reason", flat=True)) == [
        "concern",
        "meeting",
        "meeting",
        "meeting",
    ]
    # The chronology says each agency was involved once, not once per invitation.
    involved = ChronologyEntry.objects.filter(case=case, kind=ChronologyEntry.Kind.INVOLVEMENT)
    assert sorted(involved.values_list("title", flat=True)) == [
        "Hill School involved",
        "Police involved",
    ]

    client.force_login(world.social_worker)
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    names = re.findall(r'data-testid="involved-agency"><strong>([^<]+)</strong>', page)
    assert sorted(names) == ["Hill School", "Lead Children&#x27;s Services", "Police"]
    for meeting in world.meetings:
        assert f"Invited to a meeting on the case ({meeting.reference})" in page
    assert page.count("End involvement<span") == 2  # police and school, once each

    api = APIClient()
    api.force_authenticate(world.social_worker)
    rows = api.get(f"/api/v1/cases/{case.pk}/involvements/").json()
    assert sorted(r["agency"]["slug"] for r in rows) == ["la-csc", "police", "school"]
    police_row = next(r for r in rows if r["agency"]["slug"] == "police")
    assert len(police_row["reasons"]) == 3

    pdf = render_summary_pdf(user=world.manager, case=case).pdf
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    section = text.split("Agencies involved")[-1]
    # One line per agency (later sections may name the agencies again: attendance).
    assert section.count("Police: involved agency") == 1
    assert section.count("Hill School: involved agency") == 1


def test_withdrawing_one_invitation_ends_that_reason_only(world):
    invitation = world.meetings[0].invitations.get(agency=world.police, person=None)
    meetings.invitation_withdraw(
        acting_user=world.chair, invitation=invitation, reason="Not needed"
    )
    police = world.case.involvements.get(agency=world.police, ended_at__isnull=True)
    assert sorted(
        police.reasons.filter(ended_at__isnull=True).values_list("source_reference", flat=True)
    ) == sorted(m.reference for m in world.meetings[1:])


def test_ending_the_involvement_asks_for_a_reason_and_ends_every_reason(client, world):
    police = world.case.involvements.get(agency=world.police, ended_at__isnull=True)
    client.force_login(world.social_worker)
    url = reverse("case_end_involvement", args=[world.case.pk, police.pk])
    page = client.get(url).content.decode()
    assert "End Police's involvement?" in page
    for meeting in world.meetings:
        assert meeting.reference in page  # every reason it ends is shown first
    assert client.post(url, {"reason": ""}).status_code == 200
    assert world.case.involvements.filter(agency=world.police, ended_at__isnull=True).exists()
    assert client.post(url, {"reason": "Police enquiries complete"}).status_code == 302
    police.refresh_from_db()
    assert police.ended_at is not None and police.end_reason == "Police enquiries complete"
    assert not police.reasons.filter(ended_at__isnull=True).exists()
    assert ChronologyEntry.objects.filter(
        case=world.case, title="Police's involvement ended", body="Police enquiries complete"
    ).exists()
    # The API asks for the reason too.
    school = world.case.involvements.get(agency=world.school, ended_at__isnull=True)
    api = APIClient()
    api.force_authenticate(world.social_worker)
    end = f"/api/v1/cases/{world.case.pk}/involvements/{school.pk}/end/"
    assert api.post(end, {}, format="json").status_code == 400
    assert api.post(end, {"reason": "No longer working with her"}, format="json").status_code == 204
    assert api.post(end, {"reason": "Again"}, format="json").status_code == 409
    lead = world.case.involvements.get(level=Involvement.Level.LEAD)
    lead_end = f"/api/v1/cases/{world.case.pk}/involvements/{lead.pk}/end/"
    assert api.post(lead_end, {"reason": "x"}, format="json").status_code == 404
    # An involved agency may not end anyone's involvement.
    with pytest.raises(Exception):  # noqa: B017, PT011 - PermissionDenied
        case_end_involvement(acting_user=world.teacher, involvement=lead, reason="x")
