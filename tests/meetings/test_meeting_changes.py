"""Moving and cancelling a meeting (SPEC 3.5): the clock is checked again, the
invitees are told, the history is kept, and a cancelled meeting owes nothing
(replies, reports, reminders) while the statutory meeting it was is owed again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from cases.models import ChronologyEntry
from meetings import services as meetings
from meetings.models import Meeting, MeetingMove
from safeguard.audit.models import AuditEvent
from safeguard.notifications.models import Notification, ReminderDelivery
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
ARRANGING = STRATEGY_DAY + dt.timedelta(days=1)


@pytest.fixture
def world():
    with travel(dt.datetime(2026, 12, 1, 9, 0, tzinfo=LONDON)):
        w = World()
        w.case = open_case_from_concern(w, submit_concern(w), decision="strategy")
    w.strategy = held_strategy_discussion(w, w.case)
    with travel(ARRANGING):
        w.icpc = meetings.meeting_schedule(
            acting_user=w.chair,
            kind=Meeting.Kind.ICPC,
            cases=[w.case],
            chair=w.chair,
            scheduled_at=at(dt.date(2026, 12, 22)),
            location="Civic Centre, room 4",
            follows=w.strategy,
            report_due_on=dt.date(2026, 12, 18),
            invite=[w.police, w.school],
        )
    return w


def date_post(day: dt.date, time: str = "10:00", **rest) -> dict:
    return {
        "scheduled_on_0": day.day,
        "scheduled_on_1": day.month,
        "scheduled_on_2": day.year,
        "scheduled_time": time,
        **rest,
    }


def test_the_chair_moves_a_conference_and_everyone_invited_is_told(client, world):
    url = reverse("meeting_reschedule", args=[world.icpc.pk])
    with travel(ARRANGING + dt.timedelta(hours=2)):
        client.force_login(world.chair)
        page = client.get(url).content.decode()
        assert "Due by <strong>Wednesday 30 December 2026</strong>" in page
        response = client.post(
            url, date_post(dt.date(2026, 12, 23), "14:30", reason="Police officer in court.")
        )
        assert response.status_code == 302
        world.icpc.refresh_from_db()
        assert world.icpc.scheduled_at == at(dt.date(2026, 12, 23), 14, 30)
        assert world.icpc.due_on == ICPC_DUE and not world.icpc.is_late
        move = MeetingMove.objects.get(meeting=world.icpc)
        assert move.moved_from == at(dt.date(2026, 12, 22)) and move.reason.startswith("Police")
        entry = ChronologyEntry.objects.get(
            case=world.case, title__contains="moved from 22 December 2026 at 10:00"
        )
        assert "to 23 December 2026 at 14:30" in entry.title
        assert "Police officer in court." in entry.body
        told = Notification.objects.filter(kind="meeting_rescheduled")
        assert {world.officer, world.teacher} <= {n.recipient for n in told}
        assert world.chair not in {n.recipient for n in told}  # they did it
        assert all("23 December 2026 at 14:30" in n.title for n in told)
        assert AuditEvent.objects.filter(event="meeting_rescheduled", user=world.chair).exists()
        detail = client.get(reverse("meeting_detail", args=[world.icpc.pk])).content.decode()
        assert "Moved 1 time" in detail and "Police officer in court." in detail


def test_a_move_is_refused_where_the_law_or_the_dates_say_no(client, world):
    url = reverse("meeting_reschedule", args=[world.icpc.pk])
    with travel(ARRANGING + dt.timedelta(hours=2)):
        client.force_login(world.chair)
        weekend = client.post(url, date_post(dt.date(2026, 12, 26), reason="Room unavailable."))
        assert weekend.status_code == 400
        assert "weekend" in weekend.content.decode()
        # After the statutory date: only with the reason it will be late.
        late = client.post(url, date_post(dt.date(2027, 1, 5), reason="Chair unwell."))
        assert (
            late.status_code == 400 and "Give the reason it will be late" in late.content.decode()
        )
        # Reports cannot be due after the new date.
        early = client.post(url, date_post(dt.date(2026, 12, 16), reason="Family asked."))
        assert early.status_code == 400
        assert "Reports must be due on or before the new date" in early.content.decode()
        no_reason = client.post(url, date_post(dt.date(2026, 12, 23)))
        assert no_reason.status_code == 400
        assert "Enter why the meeting is moving" in no_reason.content.decode()
        # What was typed is kept.
        assert 'value="Family asked."' in early.content.decode() or "Family asked." in (
            early.content.decode()
        )
        world.icpc.refresh_from_db()
        assert world.icpc.scheduled_at == at(dt.date(2026, 12, 22))
        assert not MeetingMove.objects.exists()
        ok = client.post(
            url,
            date_post(
                dt.date(2027, 1, 5), reason="Chair unwell.", late_reason="No other chair free."
            ),
        )
        assert ok.status_code == 302
    world.icpc.refresh_from_db()
    assert world.icpc.is_late and world.icpc.late_reason == "No other chair free."


def test_an_invitee_or_an_outsider_cannot_move_or_cancel(client, world):
    for user in (world.teacher, world.officer, world.other_teacher):
        client.force_login(user)
        for name in ("meeting_reschedule", "meeting_cancel"):
            assert client.get(reverse(name, args=[world.icpc.pk])).status_code == 404
        assert api(user).post(
            f"/api/v1/meetings/{world.icpc.pk}/cancel/", {"reason": "No."}, format="json"
        ).status_code == (403 if user != world.other_teacher else 404)
    world.icpc.refresh_from_db()
    assert world.icpc.is_open


def test_a_cancelled_conference_owes_nothing_and_its_clock_runs_again(
    client, world, django_capture_on_commit_callbacks
):
    url = reverse("meeting_cancel", args=[world.icpc.pk])
    with travel(ARRANGING + dt.timedelta(hours=2)):
        client.force_login(world.chair)
        refused = client.post(url, {"reason": "  "})
        assert refused.status_code == 400
        assert "Enter why the meeting is cancelled" in refused.content.decode()
        assert client.post(url, {"reason": "Family moved out of the area."}).status_code == 302
        world.icpc.refresh_from_db()
        assert world.icpc.is_cancelled and not world.icpc.is_open
        assert world.icpc.cancellation_reason == "Family moved out of the area."
        page = client.get(reverse("meeting_detail", args=[world.icpc.pk])).content.decode()
        assert "Cancelled" in page and "Family moved out of the area." in page
        assert "Run the meeting and record it" not in page
        # Nothing more can be recorded for it, on any path.
        assert client.get(url).status_code == 404
        with pytest.raises(Exception, match="cancelled"):
            meetings.report_submit(
                acting_user=world.officer, meeting=world.icpc, agency=world.police, text="Late."
            )
        assert ChronologyEntry.objects.filter(
            case=world.case, title__contains="cancelled", body__contains="moved out"
        ).exists()
        told = {n.recipient for n in Notification.objects.filter(kind="meeting_cancelled")}
        assert {world.officer, world.teacher} <= told

        # The police no longer owe a report for it ...
        client.force_login(world.officer)
        home = client.get(reverse("home")).content.decode()
        assert world.icpc.reference not in home

    # ... no report reminder is sent for it, and the ICPC is owed again by its clock.
    with django_capture_on_commit_callbacks(execute=True):
        reminders_sweep(today=dt.date(2026, 12, 31))
    assert not ReminderDelivery.objects.filter(kind="agency_report").exists()
    assert not ReminderDelivery.objects.filter(kind="conference_to_hold").exists()
    owed = ReminderDelivery.objects.filter(kind="icpc_to_arrange", due_on=ICPC_DUE)
    assert world.social_worker.pk in set(owed.values_list("recipient", flat=True))


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_moves_and_cancels_with_the_same_rules(world):
    client = api(world.chair)
    base = f"/api/v1/meetings/{world.icpc.pk}"
    with travel(ARRANGING + dt.timedelta(hours=2)):
        bad = client.post(
            f"{base}/reschedule/",
            {"scheduled_at": "2026-12-26T10:00:00Z", "reason": "Room."},
            format="json",
        )
        assert bad.status_code == 400 and "scheduled_on" in bad.json()["errors"]
        moved = client.post(
            f"{base}/reschedule/",
            {"scheduled_at": "2026-12-23T14:00:00Z", "reason": "Room."},
            format="json",
        )
        assert moved.status_code == 200, moved.content
        assert moved.json()["scheduled_at"].startswith("2026-12-23T14:00")
        cancelled = client.post(f"{base}/cancel/", {"reason": "Not needed."}, format="json")
        assert cancelled.status_code == 200
        assert cancelled.json()["cancellation_reason"] == "Not needed."
        again = client.post(f"{base}/cancel/", {"reason": "Twice."}, format="json")
        assert again.status_code == 400 and "cancelled" in again.content.decode()
