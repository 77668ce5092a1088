"""A full initial child protection conference, run by the chair in the browser.

The chair arranges it from the strategy discussion's outcome on the date the
statutory clock proposes; police, health and the school each send a report as
their own user; on the day the chair records attendance, minutes, the decision
(a child protection plan under neglect), a dissent, two actions and the next
dates, then finalises. The case shows the plan and the chronology; a later
correction is an addendum.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from agencies.models import Agency
from cases import services
from cases.models import Plan
from cases.services.case import involvement_start
from meetings.clocks import proposed_next_dates
from meetings.models import Meeting
from safeguard import workdays
from tests.e2e.helpers import assert_accessible, follow, sign_in, sign_out
from tests.factories import concern_fields
from tests.meetings.meeting_helpers import held_strategy_discussion, travel

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "e2e-demo-password"


class DemoWorld:
    """The demo's people, named as the meeting helpers expect."""

    def __init__(self) -> None:
        users = get_user_model().objects
        self.social_worker = users.get(username="social_worker@northshire-csc")
        self.manager = users.get(username="manager@northshire-csc")
        self.chair = users.get(username="chair@northshire-csc")
        self.police = Agency.objects.get(slug="northshire-police")
        self.csc = Agency.objects.get(slug="northshire-csc")
        self.school = Agency.objects.get(slug="hillside-primary")
        self.health = Agency.objects.get(slug="northshire-health")
        self.teacher = users.get(username="practitioner@hillside-primary")


def new_case(world: DemoWorld):
    concern = services.concern_submit(
        acting_user=world.teacher,
        reporting_agency=world.school,
        lead_agency=world.csc,
        fields=concern_fields(child_first_name="Maisie", child_last_name="Conference-Test"),
    )
    child = services.child_create(
        acting_user=world.social_worker,
        lead_agency=world.csc,
        first_name="Maisie",
        last_name="Conference-Test",
        date_of_birth=concern.child_date_of_birth,
    )
    services.concern_link_child(acting_user=world.social_worker, concern=concern, child=child)
    services.concern_record_decision(
        acting_user=world.social_worker, concern=concern, decision="strategy", reason="Bruising."
    )
    return services.concern_authorise_decision(acting_user=world.manager, concern=concern).case


def fill_date(page, field: str, day: dt.date) -> None:
    page.locator(f"#id_{field}_0").fill(str(day.day))
    page.locator(f"#id_{field}_1").fill(str(day.month))
    page.locator(f"#id_{field}_2").fill(str(day.year))


def date_value(page, field: str) -> dt.date:
    return dt.date(
        int(page.locator(f"#id_{field}_2").input_value()),
        int(page.locator(f"#id_{field}_1").input_value()),
        int(page.locator(f"#id_{field}_0").input_value()),
    )


def test_a_chair_runs_an_icpc_from_strategy_discussion_to_final_record(
    live_server, page, settings, seed_demo
):
    settings.DEMO_PASSWORD = PASSWORD
    seed_demo()
    world = DemoWorld()
    case = new_case(world)
    # Health is on the case already (the schedule form offers only the agencies
    # involved; inviting any other is its own step, tested in test_invite_scope).
    involvement_start(
        acting_user=world.social_worker,
        case=case,
        agency=Agency.objects.get(slug="northshire-health"),
        level="involved",
        reason="added",
    )
    now = timezone.localtime()
    strategy = held_strategy_discussion(world, case, when=now - dt.timedelta(minutes=5))
    base = live_server.url

    # The chair arranges the ICPC from the strategy discussion's outcome.
    sign_in(page, base, "chair@northshire-csc", PASSWORD)
    follow(page, page.get_by_role("link", name="Meetings", exact=True))
    assert strategy.reference in page.content()
    assert_accessible(page)
    page.goto(f"{base}/cases/{case.pk}/")
    follow(page, page.get_by_role("link", name="Arrange a meeting"))
    assert "15 working days" in page.content()
    assert_accessible(page)
    page.goto(f"{base}/meetings/{strategy.pk}/")
    assert "Proceed to a section 47 enquiry" in page.get_by_test_id("decisions").inner_text()
    assert_accessible(page)
    follow(page, page.get_by_role("link", name="Arrange the initial child protection conference"))
    assert_accessible(page)
    due = workdays.due_date("icpc", workdays.local_date(strategy.scheduled_at))
    assert due.strftime("%-d %B %Y") in page.get_by_test_id("statutory-clock").inner_text()
    proposed = date_value(page, "scheduled_on")
    assert proposed <= due and workdays.is_working_day(proposed)
    assert workdays.bank_holiday_name(proposed) is None and proposed.weekday() < 5
    # A weekend is refused, next to the field, with everything else kept.
    saturday = proposed + dt.timedelta(days=(5 - proposed.weekday()) % 7 or 7)
    fill_date(page, "scheduled_on", saturday)
    page.get_by_label("Where").fill("Civic Centre, conference room 2")
    follow(page, page.get_by_role("button", name="Arrange and send invitations"))
    assert "cannot be held at a weekend" in page.locator(".govuk-error-summary").inner_text()
    assert page.get_by_label("Where").input_value() == "Civic Centre, conference room 2"
    assert_accessible(page)
    fill_date(page, "scheduled_on", proposed)
    fill_date(page, "report_due_on", workdays.local_date(timezone.now()))
    for agency in ("Northshire Police", "Northshire Health NHS Trust", "Hillside Primary School"):
        page.get_by_label(re.compile(agency)).check()
    page.get_by_role("button", name="Arrange and send invitations").click()
    page.wait_for_url(re.compile(r"/meetings/[0-9a-f-]{36}/$"))
    meeting_url = page.url
    meeting = Meeting.objects.get(kind="icpc", subjects__case=case)
    assert meeting.due_on == due and not meeting.is_late
    assert_accessible(page)
    sign_out(page)

    # Each invited agency replies and sends its report, as its own user.
    reports = {
        "practitioner@northshire-police": "Two domestic call-outs to the address this year.",
        "practitioner@northshire-health": "Missed two-year review; weight on the 2nd centile.",
        "practitioner@hillside-primary": "Attendance 71%; often hungry; bruising seen twice.",
    }
    for username, text in reports.items():
        sign_in(page, base, username, PASSWORD)
        page.goto(meeting_url)
        assert_accessible(page)
        page.get_by_label("Yes, we will attend").check()
        follow(page, page.get_by_role("button", name="Send reply"))
        page.get_by_label("Your agency's report").fill(text)
        page.get_by_label("Share with every agency invited").check()
        follow(page, page.get_by_role("button", name="Send report to the chair"))
        assert text in page.content()
        assert_accessible(page)
        sign_out(page)

    # An agency that was not invited sees nothing of it.
    sign_in(page, base, "practitioner@riverside-academy", PASSWORD)
    assert page.goto(meeting_url).status == 404
    sign_out(page)

    # On the day, the chair runs the meeting.
    held_at = dt.datetime.combine(proposed, dt.time(11, 0), tzinfo=timezone.get_current_timezone())
    with travel(held_at):
        sign_in(page, base, "chair@northshire-csc", PASSWORD)
        page.goto(meeting_url)
        status = page.get_by_test_id("report-status").inner_text()
        assert status.count("Received") == 3
        follow(page, page.get_by_role("link", name="Run the meeting and record it"))
        assert_accessible(page)
        for agency in (
            "Northshire Police",
            "Northshire Health NHS Trust",
            "Hillside Primary School",
        ):
            page.get_by_label(agency, exact=True).select_option("present")
        page.get_by_label("1. Introductions and purpose").fill("All agencies present.")
        page.get_by_label("4. Analysis of risk").fill("Neglect over two years; worsening.")
        page.get_by_label("A child protection plan is needed").check()
        page.get_by_label("Category of abuse for Maisie Conference-Test").select_option("NEG")
        # The clocks' dates are offered beside empty boxes (the record holds
        # none yet); the chair chooses them, and what is saved is what shows.
        subject = meeting.subjects.get()
        offered = proposed_next_dates(meeting, subject)
        review, core = offered["next_review_on"], offered["first_core_group_on"]
        assert proposed < review <= workdays.due_date("first_review", proposed)
        assert core <= workdays.due_date("first_core_group", proposed)
        assert page.locator(f"#id_first_core_group_on-{subject.pk}_0").input_value() == ""
        for day in (core, review):
            page.get_by_label(f"Use the proposed date, {day.day} {day:%B %Y}").check()
        # Autosave keeps what is typed without pressing anything.
        page.get_by_test_id("autosave-status").filter(has_text="Saved at").wait_for()
        follow(page, page.get_by_role("button", name="Save the record"))
        assert "Record saved" in page.content()
        assert date_value(page, f"next_review_on-{subject.pk}") == review
        assert date_value(page, f"first_core_group_on-{subject.pk}") == core

        page.get_by_text("Record a professional's dissent").click()
        page.get_by_label("Name of the professional who disagrees").fill("Dr Amira Shah")
        page.get_by_label("Their agency").select_option(label="Northshire Health NHS Trust")
        page.get_by_label("What they disagree with, and why").fill("Would prefer child in need.")
        follow(page, page.get_by_role("button", name="Record dissent"))

        for description, agency in (
            ("Home visit within 5 days", "Northshire Children's Services"),
            ("Health review appointment", "Northshire Health NHS Trust"),
        ):
            page.get_by_text("Add an action").click()
            page.get_by_label("What needs doing?").fill(description)
            page.get_by_label("Which agency?").select_option(label=agency)
            fill_date(page, "action_due_on", proposed + dt.timedelta(days=7))
            follow(page, page.get_by_role("button", name="Add action"))
            assert description in page.get_by_test_id("meeting-actions").inner_text()
        assert_accessible(page)

        follow(page, page.get_by_role("link", name="Check and finalise the record"))
        assert_accessible(page)
        page.get_by_role("button", name="Finalise the record").click()
        page.wait_for_url(meeting_url)
        assert "Final" in page.get_by_test_id("meeting-status").inner_text()
        assert "Dr Amira Shah" in page.get_by_test_id("dissents").inner_text()
        assert_accessible(page)

        # The record is read-only; a correction is an addendum.
        assert page.get_by_role("link", name="Run the meeting and record it").count() == 0
        page.get_by_label("Correction or addition").fill("Health's report was by the HV team.")
        follow(page, page.get_by_role("button", name="Add addendum"))
        addendum = page.get_by_test_id("addendum").inner_text()
        assert "Addendum" in addendum and "HV team" in addendum

        # The case shows the plan, its category, the review date and the chronology.
        page.goto(f"{base}/cases/{case.pk}/")
        plans = page.get_by_test_id("plans").inner_text()
        assert "Child protection plan" in plans and "NEG" in plans
        assert review.strftime("%-d %b %Y") in plans
        chronology = page.get_by_test_id("chronology").inner_text()
        assert "Initial child protection conference held" in chronology
        assert "Child protection plan started: Neglect" in chronology
        assert_accessible(page)
    plan = Plan.objects.get(case=case, end_date__isnull=True)
    assert plan.category == "NEG" and plan.next_review_on == review
