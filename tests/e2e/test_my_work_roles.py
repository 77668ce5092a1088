"""Issue 14 item 6 in the browser: each demo role signs in to "My work", sees
what is theirs (items due and overdue with dates and children's names,
reports owed, meetings to write up, statutory dates, notifications as links,
counts that link to their lists) and follows a link to where it leads. axe
checks every page; the duty social worker uses the keyboard only.

What the page should show is read from the demo through the same selectors
the page uses, so the test checks the page says what the record holds."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from cases.selectors import case_list_for, due_work_for
from meetings.models import Meeting
from meetings.selectors import my_meetings_for
from tests.e2e.helpers import assert_accessible, sign_in
from tests.e2e.test_conference import PASSWORD
from tests.meetings.meeting_helpers import travel

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _user(username: str):
    return get_user_model().objects.get(username=username)


def _day(value: dt.date) -> str:
    return f"{value.day} {value:%b %Y}"


def _open_my_work(page, base: str, username: str) -> None:
    sign_in(page, base, username, PASSWORD)
    page.goto(base + "/")
    expect(page.locator("h1")).to_have_text("My work")
    assert_accessible(page)


def _tab_to(page, text: re.Pattern) -> None:
    """Press Tab, as a keyboard user does, until what has focus says ``text``."""
    for _ in range(80):
        page.keyboard.press("Tab")
        if text.search(page.evaluate("document.activeElement.textContent").strip()):
            return
    pytest.fail(f"nothing saying {text.pattern!r} can be reached with Tab")


def _assert_due_rows(page, username: str) -> list:
    """Every dated item the person holds is a row: its date, what it is, the child."""
    due = due_work_for(_user(username), limit=15, audit=False)
    assert due, f"the demo gives {username} dated work"
    table = page.get_by_test_id("due-work")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(len(due))
    today = timezone.localdate()
    for row, item in zip(rows.all(), due, strict=True):
        expect(row).to_contain_text(_day(item.due_on))
        expect(row).to_contain_text(item.label)
        expect(row.get_by_role("link")).to_have_text(
            re.compile(re.escape(item.child_name) + r"\s*\(" + item.case_reference)
        )
        if item.due_on < today:
            expect(row).to_contain_text("Overdue")
    return due


def _assert_reports_owed(page, username: str) -> None:
    owed = my_meetings_for(_user(username)).reports_due
    assert owed, f"the demo's meetings ask {username}'s agency for reports"
    items = page.get_by_test_id("reports-due").locator("li")
    expect(items).to_have_count(len(owed))
    for item, meeting in zip(items.all(), owed, strict=True):
        expect(item).to_contain_text(meeting.child_name)
        expect(item).to_contain_text(meeting.case_reference)
        if meeting.report_due_on:
            expect(item).to_contain_text(f"report due {_day(meeting.report_due_on)}")
    glance = page.get_by_test_id("at-a-glance")
    expect(glance).to_contain_text(f"{len(owed)} report")


def test_a_school_practitioner_sees_actions_due_and_opens_the_child(
    live_server, page, settings, seed_demo
):
    settings.DEMO_PASSWORD = PASSWORD
    seed_demo()
    base = live_server.url
    username = "practitioner@hillside-primary"
    _open_my_work(page, base, username)
    due = _assert_due_rows(page, username)
    assert {d.kind for d in due} == {"action"}
    _assert_reports_owed(page, username)
    # A school has no front door: nothing about concerns waiting at one.
    expect(page.get_by_test_id("front-door-summary")).to_have_count(0)

    page.get_by_test_id("due-work").get_by_role("link").first.click()
    expect(page.locator("h1")).to_contain_text(due[0].child_name)
    assert_accessible(page)


def test_a_health_practitioner_follows_a_report_owed_to_the_meeting(
    live_server, page, settings, seed_demo
):
    settings.DEMO_PASSWORD = PASSWORD
    seed_demo()
    base = live_server.url
    username = "practitioner@northshire-health"
    _open_my_work(page, base, username)
    _assert_reports_owed(page, username)
    first = my_meetings_for(_user(username)).reports_due[0]
    page.get_by_test_id("reports-due").get_by_role("link").first.click()
    page.wait_for_url(f"**/meetings/{first.pk}/#your-report")
    expect(page.locator("#your-report")).to_be_visible()
    assert_accessible(page)


def test_a_police_practitioner_counts_meetings_and_opens_their_list(
    live_server, page, settings, seed_demo
):
    settings.DEMO_PASSWORD = PASSWORD
    seed_demo()
    base = live_server.url
    username = "practitioner@northshire-police"
    _open_my_work(page, base, username)
    _assert_reports_owed(page, username)
    upcoming = my_meetings_for(_user(username)).upcoming
    coming = page.get_by_test_id("meetings-coming-up").locator("li")
    expect(coming).to_have_count(len(upcoming))
    for item, meeting in zip(coming.all(), upcoming, strict=True):
        expect(item).to_contain_text(meeting.child_name)
    page.get_by_test_id("at-a-glance").get_by_role(
        "link", name=f"{len(upcoming)} meetings coming up"
    ).click()
    expect(page.locator("h1")).to_have_text("Meetings")
    for meeting in upcoming:
        expect(page.get_by_role("link", name=re.compile(meeting.reference))).to_be_visible()
    assert_accessible(page)


def test_a_duty_social_worker_works_from_my_work_with_the_keyboard_only(
    live_server, page, settings, seed_demo
):
    settings.DEMO_PASSWORD = PASSWORD
    seed_demo()
    base = live_server.url
    username = "social_worker@northshire-csc"
    _open_my_work(page, base, username)
    due = _assert_due_rows(page, username)
    # Statutory dates of the cases they hold, not only actions.
    assert {"assessment", "cp_review"} <= {d.kind for d in due}
    overdue = [d for d in due if d.due_on < timezone.localdate()]
    glance = page.get_by_test_id("at-a-glance")
    expect(glance).to_contain_text(f"{len(overdue)} item{'s' if len(overdue) > 1 else ''} overdue")
    expect(page.get_by_test_id("front-door-summary")).to_contain_text("concerns waiting")

    # Tab to the count of their cases, follow it with Enter: the list of them.
    # All of them, not only the ten the page lists.
    worker = get_user_model().objects.get(username="social_worker@northshire-csc")
    held = case_list_for(worker).filter(allocated_worker=worker).count()
    target = glance.get_by_role("link", name=re.compile(r"cases? allocated to you"))
    expect(target).to_have_text(f"{held} case{'s' if held > 1 else ''} allocated to you")
    _tab_to(page, re.compile(re.escape(target.inner_text()) + "$"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/cases/?allocated=me*")
    expect(page.locator("h1")).to_have_text("Cases")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(held)
    assert_accessible(page)

    # A notification is a link to what it is about.
    page.goto(base + "/")
    notice = (
        page.get_by_test_id("new-notifications")
        .get_by_role("button", name=re.compile(r"Case CAS-\S+ has been allocated to you"))
        .first
    )
    reference = re.search(r"CAS-\S+", notice.inner_text()).group(0)
    _tab_to(page, re.compile(rf"Case {reference} has been allocated to you"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/cases/*/")
    expect(page.locator("main")).to_contain_text(reference)
    assert_accessible(page)


def test_a_manager_sees_unallocated_cases_and_the_front_door(
    live_server, page, settings, seed_demo
):
    settings.DEMO_PASSWORD = PASSWORD
    seed_demo()
    base = live_server.url
    _open_my_work(page, base, "manager@northshire-csc")
    expect(page.get_by_test_id("front-door-summary")).to_contain_text(
        "awaiting a manager's authorisation"
    )
    link = page.get_by_test_id("at-a-glance").get_by_role(
        "link", name=re.compile(r"open cases? not allocated")
    )
    count = int(link.inner_text().split()[0])
    assert count > 0
    link.click()
    page.wait_for_url("**/cases/?allocated=none*")
    expect(page.locator("table tbody tr")).to_have_count(count)
    assert_accessible(page)
    page.goto(base + "/")
    page.get_by_test_id("front-door-summary").get_by_role("link").click()
    expect(page.locator("h1")).to_contain_text("Front door")
    assert_accessible(page)


def test_a_chair_is_told_a_meeting_held_today_needs_writing_up(
    live_server, page, settings, seed_demo
):
    settings.DEMO_PASSWORD = PASSWORD
    seed_demo()
    base = live_server.url
    # The chair's next meeting still to be held (the demo moves one and cancels another).
    mdt = (
        Meeting.objects.filter(
            kind=Meeting.Kind.MDT,
            finalised_at__isnull=True,
            cancelled_at__isnull=True,
            chair__username="chair@northshire-csc",
        )
        .order_by("scheduled_at")
        .first()
    )
    # Two hours after the meeting began, the same day.
    with travel(timezone.localtime(mdt.scheduled_at) + dt.timedelta(hours=2)):
        _open_my_work(page, base, "chair@northshire-csc")
        owed = my_meetings_for(mdt.chair).to_write_up
        assert mdt in owed
        label = f"{len(owed)} meeting{'s' if len(owed) != 1 else ''} to write up"
        expect(page.get_by_test_id("at-a-glance")).to_contain_text(label)
        write_up = page.get_by_test_id("to-write-up")
        child = next(m for m in owed if m.pk == mdt.pk).child_name
        expect(write_up).to_contain_text(child)
        expect(write_up).to_contain_text(f"held {_day(timezone.localdate())}")
        page.get_by_test_id("at-a-glance").get_by_role("link", name=label).click()
        expect(page.locator("#to-write-up")).to_be_in_viewport()
        write_up.locator(f'a[href*="{mdt.pk}"]').first.click()
        page.wait_for_url(f"**/meetings/{mdt.pk}/record/")
        expect(page.locator("h1")).to_contain_text("Record")
        assert_accessible(page)

        # The conferences the clocks say are owed: counted, and a link to them.
        page.goto(base + "/")
        owed = page.get_by_test_id("at-a-glance").get_by_role(
            "link", name=re.compile(r"conferences? owed")
        )
        count = int(owed.inner_text().split()[0])
        owed.click()
        page.wait_for_url("**/dashboard/conferences/")
        expect(page.locator("main tbody tr")).to_have_count(count)
        assert_accessible(page)


def test_an_agency_administrator_counts_members_and_opens_them(
    live_server, page, settings, seed_demo
):
    settings.DEMO_PASSWORD = PASSWORD
    seed_demo()
    base = live_server.url
    _open_my_work(page, base, "agency_admin@hillside-primary")
    link = page.get_by_test_id("at-a-glance").get_by_role(
        "link", name=re.compile("active members of Hillside Primary School")
    )
    count = int(link.inner_text().split()[0])
    link.click()
    page.wait_for_url("**/agencies/hillside-primary/members/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_text(re.compile("@hillside-primary|Hillside"))).not_to_have_count(0)
    assert count == 6  # one person per role in the demo
    assert_accessible(page)


def test_an_auditor_counts_requests_and_reviews_and_opens_them(
    live_server, page, settings, seed_demo
):
    settings.DEMO_PASSWORD = PASSWORD
    seed_demo()
    base = live_server.url
    _open_my_work(page, base, "auditor@northshire-csc")
    glance = page.get_by_test_id("at-a-glance")
    expect(glance).to_contain_text("subject access requests open")
    expect(glance).to_contain_text("waiting for a retention review")
    # Nothing of a child's case: an auditor sees case data only through exports.
    expect(page.get_by_test_id("due-work")).to_have_count(0)
    glance.get_by_role("link", name=re.compile("subject access requests? open")).click()
    page.wait_for_url("**/subject-access/")
    expect(page.locator("h1")).to_be_visible()
    assert_accessible(page)
    page.goto(base + "/")
    page.get_by_test_id("at-a-glance").get_by_role(
        "link", name=re.compile("retention review")
    ).click()
    page.wait_for_url("**/retention/")
    assert_accessible(page)
