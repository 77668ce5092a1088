"""Work with the child in the browser, keyboard only, axe on every new page:
recording a statutory visit, changing a plan's visit frequency, the child's
wishes and feelings on an assessment, and a conference's attendees by name."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency
from cases import services
from cases.models import StatutoryVisit
from cases.services.statutory import plan_open
from meetings import services as meetings
from meetings.models import Meeting, MeetingAttendee
from safeguard import workdays
from tests.e2e.helpers import assert_accessible, sign_in
from tests.factories import concern_fields

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "e2e-demo-password"


def user(username: str):
    return get_user_model().objects.get(username=username)


def new_case(first: str, decision: str):
    worker = user("social_worker@northshire-csc")
    csc = Agency.objects.get(slug="northshire-csc")
    concern = services.concern_submit(
        acting_user=user("practitioner@hillside-primary"),
        reporting_agency=Agency.objects.get(slug="hillside-primary"),
        lead_agency=csc,
        fields=concern_fields(child_first_name=first, child_last_name="Childwork-Test"),
    )
    child = services.child_create(
        acting_user=worker,
        lead_agency=csc,
        first_name=first,
        last_name="Childwork-Test",
        date_of_birth=concern.child_date_of_birth,
    )
    services.concern_link_child(acting_user=worker, concern=concern, child=child)
    services.concern_record_decision(
        acting_user=worker, concern=concern, decision=decision, reason="Neglect."
    )
    return services.concern_authorise_decision(
        acting_user=user("manager@northshire-csc"), concern=concern
    ).case


def press(page, locator, key: str = "Enter", *, navigates: bool = True) -> None:
    """Move the keyboard's focus to ``locator`` and press a key: no mouse."""
    locator.focus()
    if not navigates:
        page.keyboard.press(key)
        return
    with page.expect_navigation():
        page.keyboard.press(key)
    page.wait_for_load_state()


def type_into(page, locator, text: str) -> None:
    locator.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def type_date(page, field: str, day: dt.date) -> None:
    for part, value in enumerate((day.day, day.month, day.year)):
        type_into(page, page.locator(f"#id_{field}_{part}"), str(value))


def test_recording_a_visit_by_keyboard(live_server, page, settings, seed_demo):
    settings.DEMO_PASSWORD = PASSWORD
    seed_demo()
    case = new_case("Ivy", "strategy")
    with transaction.atomic():  # as a conference's finalising would start it
        plan = plan_open(
            acting_user=user("chair@northshire-csc"),
            case=case,
            kind="cp",
            category="NEG",
            start_date=timezone.localdate(),
            source="MTG-TEST-ICPC",
        )
    base = live_server.url
    sign_in(page, base, "social_worker@northshire-csc", PASSWORD)
    page.goto(f"{base}/cases/{case.pk}/")
    assert (
        "the child is seen at least every 10 working days"
        in page.get_by_test_id("visit-clock").inner_text()
    )
    press(page, page.get_by_role("link", name="Record a visit"))
    assert_accessible(page)

    # Not seen, and no reason: refused beside the field, what was typed kept.
    press(page, page.get_by_label("Child not seen"), "Space", navigates=False)
    type_into(page, page.get_by_label("Note (optional)"), "Curtains drawn, no answer.")
    press(page, page.get_by_role("button", name="Record the visit"))
    assert "Say why the child was not seen" in page.locator(".govuk-error-summary").inner_text()
    assert page.get_by_label("Note (optional)").input_value() == "Curtains drawn, no answer."
    assert_accessible(page)

    # Seen alone, at a time the worker knows.
    press(page, page.get_by_label("Child seen alone"), "Space", navigates=False)
    # Earlier today: a visit's time may not be in the future.
    when = (timezone.localtime() - dt.timedelta(minutes=2)).time().replace(second=0, microsecond=0)
    type_into(page, page.get_by_label("Time of the visit (if known)"), when.strftime("%H:%M"))
    type_into(page, page.get_by_label("Note (optional)"), "Ivy showed me her drawings.")
    type_date(page, "visited_on", timezone.localdate())
    press(page, page.get_by_role("button", name="Record the visit"))
    assert "Visit recorded." in page.content()
    visits = page.get_by_test_id("visits").inner_text()
    assert "Seen alone" in visits and "Ivy showed me her drawings." in visits
    visit = StatutoryVisit.objects.get(case=case)
    assert visit.visited_at_time == when
    due = workdays.add_working_days(timezone.localdate(), 10)
    assert due.strftime("%-d %b %Y") in page.get_by_test_id("visit-clock").inner_text()
    assert_accessible(page)

    # The plan's own frequency, with a reason.
    press(page, page.get_by_role("link", name=re.compile("Change visit or core group frequency")))
    assert_accessible(page)
    type_into(page, page.get_by_label("See the child at least every (working days)"), "5")
    press(page, page.get_by_role("button", name="Save the change"))
    assert "Give the reason for the change" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    type_into(page, page.get_by_label("Why are you changing it?"), "Baby in the household.")
    press(page, page.get_by_role("button", name="Save the change"))
    plan.refresh_from_db()
    assert plan.visit_interval_working_days == 5
    assert "every 5 working days" in page.get_by_test_id("visit-clock").inner_text()


def test_the_childs_wishes_on_an_assessment_by_keyboard(live_server, page, settings, seed_demo):
    settings.DEMO_PASSWORD = PASSWORD
    seed_demo()
    case = new_case("Poppy", "assessment")
    base = live_server.url
    sign_in(page, base, "social_worker@northshire-csc", PASSWORD)
    page.goto(f"{base}/cases/{case.pk}/")
    wishes = page.get_by_test_id("child-wishes").first.inner_text()
    assert "Not recorded" in wishes  # an open assessment says so, not a blank
    press(page, page.locator("summary", has_text="Complete the assessment"), navigates=False)
    type_into(page, page.get_by_label("What did the assessment find?"), "Neglect of basic care.")
    press(page, page.get_by_label("21 No factors identified"), "Space", navigates=False)
    press(page, page.get_by_role("button", name="Complete assessment"))
    errors = page.locator(".govuk-error-summary").inner_text()
    assert "Record the child's wishes and feelings, or say why they were not obtained" in errors
    assert page.get_by_label("What did the assessment find?").input_value() == (
        "Neglect of basic care."
    )
    assert_accessible(page)
    type_into(
        page,
        page.get_by_label("The child's wishes and feelings"),
        "Poppy said: I want breakfast before school.",
    )
    press(page, page.get_by_role("button", name="Complete assessment"))
    assert "Assessment completed" in page.content()
    assert (
        "I want breakfast before school." in page.get_by_test_id("child-wishes").first.inner_text()
    )
    assert_accessible(page)


def test_naming_conference_attendees_by_keyboard(live_server, page, settings, seed_demo):
    settings.DEMO_PASSWORD = PASSWORD
    seed_demo()
    case = new_case("Rory", "assessment")
    meeting = meetings.meeting_schedule(
        acting_user=user("social_worker@northshire-csc"),
        kind=Meeting.Kind.MDT,
        cases=[case],
        chair=user("chair@northshire-csc"),
        scheduled_at=timezone.now() + dt.timedelta(days=3),
        format="telephone",
    )
    base = live_server.url
    sign_in(page, base, "chair@northshire-csc", PASSWORD)
    page.goto(f"{base}/meetings/{meeting.pk}/")
    assert "Telephone" in page.get_by_test_id("meeting-format").inner_text()
    press(page, page.get_by_test_id("add-attendee"))
    assert_accessible(page)
    press(page, page.get_by_role("button", name="Invite", exact=True))
    assert "Enter the person" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    type_into(page, page.get_by_label("Full name"), "Dawn Childwork-Test")
    press(page, page.get_by_label("Parent or carer"), "Space", navigates=False)
    type_into(page, page.get_by_label("Their role"), "Mother")
    press(page, page.get_by_role("button", name="Invite and add another"))
    assert "Dawn Childwork-Test (Mother) invited by name." in page.content()
    type_into(page, page.get_by_label("Full name"), "Sam Okafor")
    press(page, page.get_by_label("Advocate", exact=True), "Space", navigates=False)
    type_into(page, page.get_by_label("Their role"), "Independent advocate")
    press(page, page.get_by_role("button", name="Invite", exact=True))
    attendees = page.get_by_test_id("attendees").inner_text()
    assert "Dawn Childwork-Test" in attendees and "Independent advocate" in attendees
    assert_accessible(page)

    # The chair records who came, on the record page.
    press(page, page.get_by_role("link", name="Run the meeting and record it"))
    came = page.get_by_label("Dawn Childwork-Test, Mother")
    came.focus()
    came.press("p")  # a closed select moves to the option starting with the key
    assert came.input_value() == "present"
    press(page, page.get_by_role("button", name="Save the record"))
    mother = MeetingAttendee.objects.get(meeting=meeting, role="Mother")
    assert mother.attendance == "present"
    page.goto(f"{base}/meetings/{meeting.pk}/")
    attendees = page.get_by_test_id("attendees").inner_text()
    assert "Present" in attendees and "Not recorded" in attendees
    assert_accessible(page)
