"""The chair moves an ICPC and then cancels it, with the keyboard only; the
police, who were invited, see it cancelled and owe no report for it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from meetings import services as meetings
from meetings.models import Meeting
from safeguard import workdays
from tests.e2e.helpers import assert_accessible, sign_in, sign_out
from tests.e2e.test_conference import PASSWORD, DemoWorld, new_case
from tests.meetings.meeting_helpers import held_strategy_discussion

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def type_date(page, field: str, day: dt.date) -> None:
    """Into the three boxes of a GOV.UK date input, with the keyboard."""
    page.locator(f"#id_{field}_0").focus()
    for value in (day.day, day.month, day.year):
        page.keyboard.press("Control+A")
        page.keyboard.type(str(value))
        page.keyboard.press("Tab")


def test_a_chair_moves_then_cancels_a_conference_with_the_keyboard(
    live_server, page, settings, seed_demo
):
    settings.DEMO_PASSWORD = PASSWORD
    seed_demo()
    world = DemoWorld()
    case = new_case(world)
    strategy = held_strategy_discussion(
        world, case, when=timezone.localtime() - dt.timedelta(minutes=5)
    )
    due = workdays.due_date("icpc", workdays.local_date(strategy.scheduled_at))
    first = workdays.add_working_days(workdays.local_date(timezone.now()), 3)
    icpc = meetings.meeting_schedule(
        acting_user=world.chair,
        kind=Meeting.Kind.ICPC,
        cases=[case],
        chair=world.chair,
        scheduled_at=dt.datetime.combine(
            first, dt.time(10, 0), tzinfo=timezone.get_current_timezone()
        ),
        location="Civic Centre, room 4",
        follows=strategy,
        report_due_on=workdays.local_date(timezone.now()),
        invite=[world.police, world.school],
    )
    base = live_server.url
    meeting_url = f"{base}/meetings/{icpc.pk}/"

    sign_in(page, base, "chair@northshire-csc", PASSWORD)
    page.goto(meeting_url)
    page.get_by_role("link", name=re.compile("Move to another date")).focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/reschedule/$"))
    assert due.strftime("%-d %B %Y") in page.get_by_test_id("statutory-clock").inner_text()
    assert_accessible(page)

    # A Saturday is refused next to the field; the reason typed is kept.
    saturday = first + dt.timedelta(days=(5 - first.weekday()) % 7 or 7)
    type_date(page, "scheduled_on", saturday)
    page.get_by_label("Why is the meeting moving?").focus()
    page.keyboard.type("The police officer is in court.")
    page.keyboard.press("Tab")
    page.get_by_role("button", name="Move the meeting and tell invitees").focus()
    page.keyboard.press("Enter")
    page.locator(".govuk-error-summary").wait_for()
    assert "weekend" in page.locator(".govuk-error-summary").inner_text()
    assert page.get_by_label("Why is the meeting moving?").input_value().startswith("The police")
    assert_accessible(page)

    moved_to = workdays.add_working_days(first, 1)
    type_date(page, "scheduled_on", moved_to)
    page.get_by_role("button", name="Move the meeting and tell invitees").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(meeting_url)
    assert "Invitees have been told" in page.content()
    assert moved_to.strftime("%-d %B %Y") in page.get_by_test_id("meeting-summary").inner_text()
    assert "Moved 1 time" in page.get_by_test_id("meeting-moves").inner_text()
    assert_accessible(page)

    page.get_by_role("link", name=re.compile("cancel the meeting")).focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/cancel/$"))
    assert_accessible(page)
    page.get_by_role("button", name="Cancel the meeting").focus()
    page.keyboard.press("Enter")  # no reason yet
    page.locator(".govuk-error-summary").wait_for()
    assert "Enter why the meeting is cancelled" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    page.get_by_label("Why is the meeting cancelled?").focus()
    page.keyboard.type("The family has moved to another authority.")
    page.get_by_role("button", name="Cancel the meeting").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(meeting_url)
    assert "moved to another authority" in page.get_by_test_id("meeting-cancelled").inner_text()
    assert_accessible(page)
    sign_out(page)

    # The police were asked for a report; now they owe nothing and are told why.
    sign_in(page, base, "practitioner@northshire-police", PASSWORD)
    owed = page.get_by_test_id("reports-due")
    assert owed.count() == 0 or icpc.reference not in owed.inner_text()
    assert "Cancelled" in page.content()  # their notification says so
    page.goto(meeting_url)
    assert "Cancelled" in page.get_by_test_id("meeting-status").inner_text()
    assert page.get_by_label("Your agency's report").count() == 0
    assert_accessible(page)
