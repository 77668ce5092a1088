"""My work for each role: what is due and overdue, with dates and children's
names, meetings to write up, reports owed, and notifications one line per
kind and thing, each a link (issue 14, items 6 and 7)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import services
from cases.models import Assessment
from meetings import services as meetings
from meetings.models import Meeting
from safeguard.audit.models import AuditEvent
from safeguard.notifications.models import Notification
from safeguard.notifications.services import notify
from tests.factories import World, open_case_from_concern, submit_concern
from tests.meetings.meeting_helpers import LONDON, STRATEGY_DAY, travel

pytestmark = pytest.mark.django_db

BEFORE = dt.datetime(2026, 12, 1, 9, 0, tzinfo=LONDON)


@pytest.fixture
def world():
    with travel(BEFORE):
        w = World()
        w.case = open_case_from_concern(w, submit_concern(w), decision="strategy")
        services.case_allocate(acting_user=w.manager, case=w.case, worker=w.social_worker)
        w.case.refresh_from_db()
    return w


def home(client, user) -> str:
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def section(page: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}".*?</(table|ul)>', page, re.S)
    return match.group(0) if match else ""


def rows(table: str) -> list[str]:
    body = table.split("<tbody", 1)[-1]
    cells = re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", body, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip() for c in cells]


def test_a_social_worker_sees_actions_and_statutory_dates_soonest_first_with_names(client, world):
    with travel(BEFORE):
        today = timezone.localdate()
        services.action_add(
            acting_user=world.social_worker,
            case=world.case,
            description="Visit Amelia at school",
            agency=world.la,
            owner=world.social_worker,
            due_on=today + dt.timedelta(days=3),
        )
        services.action_add(
            acting_user=world.social_worker,
            case=world.case,
            description="Ring the GP",
            agency=world.la,
            owner=world.manager,  # someone else's: not on this person's list
            due_on=today + dt.timedelta(days=1),
        )
        Assessment.objects.create(
            case=world.case, started_on=today - dt.timedelta(days=70), due_on=today
        )
    with travel(BEFORE + dt.timedelta(days=4)):  # the action is now a day overdue
        table = section(home(client, world.social_worker), "due-work")
    lines = rows(table)
    assert len(lines) == 2, lines
    # The assessment fell due first (4 days ago), then the action (yesterday).
    assert lines[0].startswith("1 Dec 2026 Overdue")
    assert "Child and family assessment due" in lines[0] and "Amelia Hart" in lines[0]
    assert lines[1].startswith("4 Dec 2026 Overdue")
    assert "Action: Visit Amelia at school" in lines[1]
    assert world.case.reference in lines[1]
    assert f'href="/cases/{world.case.pk}/"' in table
    assert "Ring the GP" not in table
    # Naming children is a read of their records: it is on the audit trail.
    listed = AuditEvent.objects.filter(event="my_work_listed", user=world.social_worker).last()
    assert listed.detail["references"] == [world.case.reference]


def test_an_action_leaves_my_work_when_the_agencys_involvement_ends(client, world):
    with travel(BEFORE):
        involvement = services.involvement_start(
            acting_user=None,
            case=world.case,
            agency=world.police,
            level="involved",
            reason="referral",
        )
        services.action_add(
            acting_user=world.social_worker,
            case=world.case,
            description="Share the police check",
            agency=world.police,
            owner=world.officer,
            due_on=timezone.localdate() + dt.timedelta(days=2),
        )
    with travel(BEFORE + dt.timedelta(hours=1)):
        assert "Share the police check" in section(home(client, world.officer), "due-work")
        services.involvement_end(acting_user=None, involvement=involvement)
        page = home(client, world.officer)
    assert "Share the police check" not in page
    assert "Amelia" not in page


def _strategy(world) -> Meeting:
    with travel(STRATEGY_DAY - dt.timedelta(days=1)):
        return meetings.meeting_schedule(
            acting_user=world.social_worker,
            kind=Meeting.Kind.STRATEGY,
            cases=[world.case],
            chair=world.chair,
            scheduled_at=STRATEGY_DAY,
            location="Police station, interview room 2",
            invite=[world.police],
            invite_reason="Police are a statutory partner in this meeting (Working Together 2023)",
            report_due_on=STRATEGY_DAY.date() - dt.timedelta(days=1) + dt.timedelta(days=0),
        )


def test_the_chair_is_told_a_meeting_held_today_needs_writing_up(client, world):
    meeting = _strategy(world)
    with travel(STRATEGY_DAY - dt.timedelta(hours=2)):
        assert section(home(client, world.chair), "to-write-up") == ""
    with travel(STRATEGY_DAY + dt.timedelta(hours=2)):
        listed = section(home(client, world.chair), "to-write-up")
    assert f"/meetings/{meeting.pk}/record/" in listed
    assert "Amelia Hart" in listed and world.case.reference in listed
    # Only the chair writes the record: the social worker is not told to.
    with travel(STRATEGY_DAY + dt.timedelta(hours=2)):
        assert section(home(client, world.social_worker), "to-write-up") == ""


def test_reports_owed_name_the_child_and_say_when_overdue(client, world):
    meeting = _strategy(world)
    with travel(STRATEGY_DAY - dt.timedelta(hours=3)):
        owed = section(home(client, world.officer), "reports-due")
    assert f"/meetings/{meeting.pk}/#your-report" in owed
    assert "Amelia Hart" in owed and world.case.reference in owed
    assert "Overdue" in owed  # due the day before the meeting

    # Once the police send their report, the meeting owes nothing more.
    with travel(STRATEGY_DAY - dt.timedelta(hours=2)):
        meetings.report_submit(
            acting_user=world.officer,
            meeting=meeting,
            agency=world.police,
            text="Two call-outs to the address this year.",
        )
        owed = section(home(client, world.officer), "reports-due")
    assert f"/meetings/{meeting.pk}/" not in owed


def test_notifications_come_one_line_per_kind_and_case_and_opening_reads_the_group(client, world):
    Notification.objects.filter(recipient=world.social_worker).update(read_at=timezone.now())
    for n in range(5):
        notify(
            recipients=[world.social_worker],
            kind="action_added",
            dedupe_key=f"action:{n}",
            title=f"New action on {world.case.reference}",
            reference=world.case.reference,
            link_path=f"/cases/{world.case.pk}/#actions",
        )
    notify(
        recipients=[world.social_worker],
        kind="meeting_invited",
        dedupe_key="meeting:1",
        title="You are invited to a strategy discussion",
        reference="MTG-2026-000001",
        link_path="/meetings/",
    )
    page = home(client, world.social_worker)
    new = section(page, "new-notifications")
    assert new.count("<li") == 2
    assert "5 new" in new and "and 4 more like it" in new
    assert "1 new" in new and "strategy discussion" in new
    # The header counts every unread notification, not the lines.
    assert re.search(r"moj-notification-badge[^>]*>.*?6<", page, re.S)

    latest = Notification.objects.filter(kind="action_added").order_by("-created_at").first()
    response = client.post(f"/notifications/{latest.pk}/open/")
    assert response.status_code == 302 and response["Location"].endswith("#actions")
    assert not Notification.objects.filter(kind="action_added", read_at__isnull=True).exists()
    assert Notification.objects.filter(kind="meeting_invited", read_at__isnull=True).count() == 1

    listed = client.get("/notifications/").content.decode()
    assert listed.count("New action on") == 1 and "and 4 more like it" in listed


def test_my_work_is_a_fixed_number_of_queries_however_much_is_due(client, world):
    def counted() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        return len(queries.captured_queries)

    with travel(BEFORE):
        home(client, world.social_worker)  # signing in writes the session once
        first = counted()
        for n in range(6):
            services.action_add(
                acting_user=world.social_worker,
                case=world.case,
                description=f"Action {n}",
                agency=world.la,
                owner=world.social_worker,
                due_on=timezone.localdate() + dt.timedelta(days=n),
            )
        more = counted()
    assert more == first
    # Issue 11's budget for a list page: 12 in all, session, audit and
    # transaction included (one of them finds whether the person's meetings
    # are few enough to fetch by id: meetings.selectors.my_meetings_for).
    assert more <= 12


def test_a_managers_my_work_counts_what_grows_with_the_county_in_one_statement(client, world):
    """A duty manager's counts (the front door's queue, overdue, at immediate
    risk and awaiting authorisation; open cases nobody holds; conferences owed
    and late) are one statement, each capped, whatever the size of the county."""
    with travel(BEFORE):
        home(client, world.manager)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
    # The glance's one statement (the meetings' few ids have a count of their own).
    counts = [q["sql"] for q in queries.captured_queries if "counted0" in q["sql"]]
    assert len(counts) == 1
    # Nine figures from four sets, each read once up to its cap: the queue
    # (waiting, overdue, at immediate risk, awaiting authorisation), open cases
    # nobody holds, ICPCs owed (and late), reviews owed (and late).
    assert counts[0].count("LIMIT 1001") == 4
    assert counts[0].count("count(*)") == 9
    assert len(queries.captured_queries) <= 12


def test_a_schools_manager_has_no_front_door_and_a_duty_manager_counts_what_is_unallocated(
    client, world
):
    from tests.factories import make_user

    head = make_user("manager@school", world.school, "manager")
    with travel(BEFORE):
        page = home(client, head)
        # The front door is a local authority's: nothing about concerns waiting at one.
        assert 'data-testid="front-door-summary"' not in page
        assert "concerns waiting" not in page

        unallocated = open_case_from_concern(world, submit_concern(world), decision="strategy")
        page = home(client, world.manager)
        glance = section(page, "at-a-glance")
        assert 'data-testid="front-door-summary"' in page
        assert "1 open case not allocated</a>" in glance
        assert 'href="/cases/?allocated=none&amp;status=open"' in glance
        listed = client.get("/cases/?allocated=none&status=open").content.decode()
        assert unallocated.reference in listed and world.case.reference not in listed


def test_past_the_cap_each_part_of_the_queue_is_still_counted_exactly(client, world, monkeypatch):
    """The front door's counts are read in one pass over its queue, up to the
    cap; past it, how many are overdue or at immediate risk among the first
    rows read would be a guess, so those are counted on their own."""
    from work import glance as glance_module

    monkeypatch.setattr(glance_module, "CAP", 2)
    with travel(BEFORE):
        # The first rows read (in the order they were written) hold one at risk.
        for risk in (False, False, True, True):
            submit_concern(world, immediate_risk=risk)
        page = home(client, world.manager)
    summary = section(page, "front-door-summary")
    assert "More than 2 concerns waiting" in summary
    assert "2 at immediate risk" in summary, summary


def test_counts_of_large_sets_stop_at_their_cap_and_say_more_than(client, world, monkeypatch):
    """Never an exact count of a set that grows with the county: past the cap
    the line says "More than" (the cap is 1,000; two here, to build three)."""
    from work import glance as glance_module

    monkeypatch.setattr(glance_module, "CAP", 2)
    with travel(BEFORE):
        for _ in range(3):
            open_case_from_concern(world, submit_concern(world), decision="strategy")
        page = home(client, world.manager)
    assert "More than 2 open cases not allocated</a>" in section(page, "at-a-glance")


@pytest.mark.postgres
def test_my_work_answers_for_the_person_and_the_day_of_each_request(client, world):
    """My work's statements are compiled once per process and bound to each
    request's person and time (safeguard/core/compiled.py): a concern waiting
    at the front door becomes overdue as the days pass, a person who does not
    work the front door is never told of it, and each person's lists are their
    own, whichever request compiled the statements."""
    with travel(BEFORE):
        waiting = submit_concern(world)
        services.action_add(
            acting_user=world.social_worker,
            case=world.case,
            description="Visit the child at home",
            agency=world.la,
            owner=world.social_worker,
            due_on=timezone.localdate() + dt.timedelta(days=2),
        )
        page = home(client, world.manager)
        summary = section(page, "front-door-summary")
        assert "1 concern waiting" in summary and "overdue" not in summary

        # The school's practitioner, on the same statements: their concern, not
        # the front door's queue, and no case work.
        page = home(client, world.teacher)
        assert 'data-testid="front-door-summary"' not in page
        assert waiting.reference in page
        assert "Visit the child at home" not in page

        page = home(client, world.social_worker)
        due = rows(section(page, "due-work"))
        assert any("Visit the child at home" in row for row in due), due

    # A week on: the concern is past its decision day, the action past its date.
    with travel(BEFORE + dt.timedelta(days=7)):
        page = home(client, world.manager)
        assert "1 overdue" in section(page, "front-door-summary")
        page = home(client, world.social_worker)
        glance = section(page, "at-a-glance")
        assert "1 item overdue" in glance, glance
