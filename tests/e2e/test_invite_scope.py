"""Inviting an agency with no part in the case, keyboard only, axe on each page.

A social worker finds a school of their own authority by name, is told whose
record inviting it shares, is refused without a reason, then invites it. They
ask for the neighbouring authority's children's services, which waits for a
manager; the neighbouring authority sees nothing until the lead agency's manager
authorises it.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from agencies.models import Agency
from cases import services
from meetings import services as meetings
from meetings.models import InvitationRequest, Meeting
from tests.e2e.helpers import assert_accessible, sign_in, sign_out
from tests.factories import concern_fields

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "e2e-demo-password"


def arranged_meeting() -> Meeting:
    users = get_user_model().objects
    worker = users.get(username="social_worker@northshire-csc")
    csc = Agency.objects.get(slug="northshire-csc")
    concern = services.concern_submit(
        acting_user=users.get(username="practitioner@hillside-primary"),
        reporting_agency=Agency.objects.get(slug="hillside-primary"),
        lead_agency=csc,
        fields=concern_fields(child_first_name="Rosie", child_last_name="Invite-Test"),
    )
    child = services.child_create(
        acting_user=worker,
        lead_agency=csc,
        first_name="Rosie",
        last_name="Invite-Test",
        date_of_birth=concern.child_date_of_birth,
    )
    services.concern_link_child(acting_user=worker, concern=concern, child=child)
    services.concern_record_decision(
        acting_user=worker, concern=concern, decision="assessment", reason="Neglect."
    )
    case = services.concern_authorise_decision(
        acting_user=users.get(username="manager@northshire-csc"), concern=concern
    ).case
    return meetings.meeting_schedule(
        acting_user=worker,
        kind=Meeting.Kind.MDT,
        cases=[case],
        chair=users.get(username="chair@northshire-csc"),
        scheduled_at=timezone.now() + dt.timedelta(days=3),
        location="Northshire Civic Centre",
    )


def press(page, locator, key: str = "Enter", *, navigates: bool = True) -> None:
    """Move the keyboard's focus to ``locator`` and press a key: no mouse."""
    locator.focus()
    if not navigates:
        page.keyboard.press(key)
        return
    with page.expect_navigation():
        page.keyboard.press(key)
    page.wait_for_load_state()


def find_and_choose(page, name: str, agency: str) -> None:
    press(page, page.get_by_label("Name of the agency"), "Control+A", navigates=False)
    page.keyboard.type(name)
    with page.expect_navigation():
        page.keyboard.press("Enter")  # submits the search form
    page.wait_for_load_state()
    assert_accessible(page)
    # The hidden ": choose this agency" is its own box, so the accessible name
    # may carry a space before the colon.
    choose = re.compile(rf"^{re.escape(agency)}\s*: choose this agency$")
    press(page, page.get_by_role("link", name=choose))


def test_inviting_beyond_the_case_by_keyboard(live_server, page, settings, seed_demo):
    settings.DEMO_PASSWORD = PASSWORD
    seed_demo()
    meeting = arranged_meeting()
    base = live_server.url
    meeting_url = f"{base}/meetings/{meeting.pk}/"

    sign_in(page, base, "social_worker@northshire-csc", PASSWORD)
    page.goto(meeting_url)
    summary = page.locator("summary", has_text="Invite another agency or a named professional")
    press(page, summary, navigates=False)
    # Only the school on the case is offered; any other is a deliberate step.
    options = page.get_by_label("Agency involved in the case").locator("option").all_text_contents()
    assert "Riverside Academy" not in options and "Hillside Primary School" in options
    press(page, page.get_by_role("link", name="Invite an agency not involved in the case"))
    assert_accessible(page)
    assert "shares Rosie Invite-Test's record" in page.content()

    find_and_choose(page, "Riverside", "Riverside Academy")
    warning = page.get_by_test_id("sharing-warning").inner_text()
    assert "Riverside Academy is not involved in the case" in warning
    assert "Rosie Invite-Test's record" in warning
    assert_accessible(page)
    # Refused without a reason, next to the field.
    press(page, page.get_by_role("button", name="Invite Riverside Academy"))
    summary = page.locator(".govuk-error-summary")
    assert "Enter why this agency needs to be at the meeting" in summary.inner_text()
    assert_accessible(page)
    reason = page.get_by_label("Why does this agency need to be at the meeting?")
    press(page, reason, "End", navigates=False)
    page.keyboard.type("Rosie's brother attends Riverside; the school has raised concerns.")
    press(page, page.get_by_role("button", name="Invite Riverside Academy"))
    assert "Riverside Academy invited" in page.content()
    assert "Riverside Academy" in page.get_by_test_id("invitations").inner_text()

    # The neighbouring authority waits for a manager.
    page.goto(f"{meeting_url}invite/another-agency/")
    find_and_choose(page, "Eastfield", "Eastfield Children's Services")
    assert "is in another local authority" in page.get_by_test_id("other-authority").inner_text()
    assert_accessible(page)
    reason = page.get_by_label("Why does this agency need to be at the meeting?")
    press(page, reason, "End", navigates=False)
    page.keyboard.type("The family lived in Eastfield until June.")
    press(page, page.get_by_role("button", name="Ask a manager to authorise"))
    assert "Invitations waiting for a manager" in page.content()
    assert "Eastfield" not in page.get_by_test_id("invitations").inner_text()
    assert_accessible(page)
    sign_out(page)

    sign_in(page, base, "social_worker@eastfield-csc", PASSWORD)
    assert page.goto(meeting_url).status == 404
    sign_out(page)

    sign_in(page, base, "manager@northshire-csc", PASSWORD)
    page.goto(meeting_url)
    assert_accessible(page)
    press(page, page.get_by_role("button", name="Authorise and send the invitation to Eastfield"))
    assert "authorised and sent" in page.content()
    assert "Eastfield Children's Services" in page.get_by_test_id("invitations").inner_text()
    assert InvitationRequest.objects.get().status == "authorised"
    sign_out(page)

    sign_in(page, base, "social_worker@eastfield-csc", PASSWORD)
    assert page.goto(meeting_url).status == 200
