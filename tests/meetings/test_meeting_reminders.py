"""Reminders around meetings, on the working-day clocks: the ICPC to arrange after
a strategy discussion, the first core group, and the agency reports owed."""

from __future__ import annotations

import datetime as dt

import pytest

from meetings import services as meetings
from meetings.models import Meeting
from safeguard.notifications.models import ReminderDelivery
from safeguard.notifications.reminder_sweep import reminders_sweep
from tests.factories import World, open_case_from_concern, submit_concern
from tests.meetings.meeting_helpers import (
    LONDON,
    STRATEGY_DAY,
    at,
    held_strategy_discussion,
    travel,
)

pytestmark = pytest.mark.django_db

ICPC_DUE = dt.date(2026, 12, 30)


@pytest.fixture
def world():
    with travel(dt.datetime(2026, 12, 1, 9, 0, tzinfo=LONDON)):
        w = World()
        w.case = open_case_from_concern(w, submit_concern(w), decision="strategy")
    w.strategy = held_strategy_discussion(w, w.case)
    return w


def sweep(django_capture_on_commit_callbacks, today: dt.date) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        reminders_sweep(today=today)


def stages(kind: str, user=None) -> list[tuple[str, dt.date]]:
    rows = ReminderDelivery.objects.filter(kind=kind)
    if user is not None:
        rows = rows.filter(recipient=user)
    return sorted(set(rows.values_list("stage", "due_on")))


def test_an_icpc_to_arrange_is_reminded_ahead_due_and_overdue_until_arranged(
    world, django_capture_on_commit_callbacks
):
    sweep(django_capture_on_commit_callbacks, dt.date(2026, 12, 23))  # 3 working days ahead
    assert stages("icpc_to_arrange") == []
    sweep(django_capture_on_commit_callbacks, dt.date(2026, 12, 24))  # 2: across Christmas
    assert stages("icpc_to_arrange", world.social_worker) == [("warning", ICPC_DUE)]
    sweep(django_capture_on_commit_callbacks, dt.date(2026, 12, 31))
    overdue = ReminderDelivery.objects.filter(kind="icpc_to_arrange", stage="overdue")
    assert world.manager.pk in set(overdue.values_list("recipient", flat=True))  # escalated
    with travel(at(dt.date(2027, 1, 4), 9)):
        icpc = meetings.meeting_schedule(
            acting_user=world.chair,
            kind=Meeting.Kind.ICPC,
            cases=[world.case],
            chair=world.chair,
            scheduled_at=at(dt.date(2027, 1, 6)),
            location="Civic Centre",
            follows=world.strategy,
            late_reason="Held up by the holidays.",
        )
    before = ReminderDelivery.objects.filter(kind="icpc_to_arrange").count()
    sweep(django_capture_on_commit_callbacks, dt.date(2027, 1, 5))
    assert ReminderDelivery.objects.filter(kind="icpc_to_arrange").count() == before
    # The arranged conference is now its chair's, overdue against the clock.
    assert ("overdue", ICPC_DUE) in stages("conference_to_hold", world.chair)
    assert icpc.is_late


def test_agency_reports_are_reminded_until_sent(world, django_capture_on_commit_callbacks):
    with travel(STRATEGY_DAY + dt.timedelta(days=1)):
        icpc = meetings.meeting_schedule(
            acting_user=world.chair,
            kind=Meeting.Kind.ICPC,
            cases=[world.case],
            chair=world.chair,
            scheduled_at=at(dt.date(2026, 12, 22)),
            location="Civic Centre",
            follows=world.strategy,
            report_due_on=dt.date(2026, 12, 17),
            invite=[world.police, world.school],
            invite_reason="Police are a statutory partner in this meeting (Working Together 2023)",
        )
        meetings.report_submit(
            acting_user=world.teacher, meeting=icpc, agency=world.school, text="Sent early."
        )
    sweep(django_capture_on_commit_callbacks, dt.date(2026, 12, 17))
    assert stages("agency_report", world.officer) == [("due", dt.date(2026, 12, 17))]
    assert stages("agency_report", world.teacher) == []
    sweep(django_capture_on_commit_callbacks, dt.date(2026, 12, 18))
    police_managers = ReminderDelivery.objects.filter(kind="agency_report", stage="overdue")
    assert world.officer.pk in set(police_managers.values_list("recipient", flat=True))


def test_the_first_core_group_is_reminded_until_held(world, django_capture_on_commit_callbacks):
    with travel(STRATEGY_DAY + dt.timedelta(days=1)):
        icpc = meetings.meeting_schedule(
            acting_user=world.chair,
            kind=Meeting.Kind.ICPC,
            cases=[world.case],
            chair=world.chair,
            scheduled_at=at(dt.date(2026, 12, 22)),
            location="Civic Centre",
            follows=world.strategy,
        )
    with travel(at(dt.date(2026, 12, 22), 13)):
        icpc.refresh_from_db()
        meetings.meeting_record(
            acting_user=world.chair,
            meeting=icpc,
            version=icpc.version,
            attendance={},
            minutes={},
            decisions={
                str(icpc.subjects.get().pk): {
                    "decision": "plan",
                    "category": "NEG",
                    "next_review_on": dt.date(2027, 3, 19),
                    "first_core_group_on": dt.date(2027, 1, 5),
                }
            },
        )
        meetings.meeting_finalise(acting_user=world.chair, meeting=icpc)
    sweep(django_capture_on_commit_callbacks, dt.date(2027, 1, 5))
    assert ("due", dt.date(2027, 1, 5)) in stages("first_core_group", world.social_worker)
    with travel(at(dt.date(2027, 1, 5), 8)):
        core = meetings.meeting_schedule(
            acting_user=world.chair,
            kind=Meeting.Kind.CORE_GROUP,
            cases=[world.case],
            chair=world.chair,
            scheduled_at=at(dt.date(2027, 1, 5), 9),
            location="Family home",
        )
    with travel(at(dt.date(2027, 1, 5), 11)):
        meetings.meeting_finalise(acting_user=world.chair, meeting=core)
    before = ReminderDelivery.objects.filter(kind="first_core_group").count()
    sweep(django_capture_on_commit_callbacks, dt.date(2027, 1, 6))
    assert ReminderDelivery.objects.filter(kind="first_core_group").count() == before
