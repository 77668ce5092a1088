"""Statutory visits, the child protection visit clock and its reminder, and a
plan's frequencies and review date (issue 12, work with the child)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases.models import Case, ChronologyEntry, Episode, StatutoryVisit
from cases.selectors.visits import visit_clock_for
from cases.services.statutory import plan_open
from cases.services.visits import plan_schedule_change, visit_record
from safeguard import workdays
from safeguard.audit.models import AuditEvent
from safeguard.notifications.models import ReminderDelivery
from safeguard.notifications.reminder_sweep import reminders_sweep
from tests.factories import World, open_case_from_concern, submit_concern

pytestmark = pytest.mark.django_db


def working_days_ago(n: int) -> dt.date:
    day = timezone.localdate()
    while n > 0:
        day -= dt.timedelta(days=1)
        if workdays.is_working_day(day):
            n -= 1
    return day


def date_fields(prefix, day):
    return {f"{prefix}_0": day.day, f"{prefix}_1": day.month, f"{prefix}_2": day.year}


@pytest.fixture
def world():
    """A case referred 30 working days ago, on a child protection plan from 20 working days ago."""
    w = World()
    w.case = open_case_from_concern(w, submit_concern(w), decision="strategy")
    w.referred = working_days_ago(30)
    opened = dt.datetime.combine(w.referred, dt.time(9), tzinfo=timezone.get_current_timezone())
    Case.objects.filter(pk=w.case.pk).update(opened_at=opened)
    Episode.objects.filter(case=w.case).update(referral_date=w.referred)
    w.case.refresh_from_db()
    w.plan_start = working_days_ago(20)
    # As a conference's decision would start it.
    w.plan = plan_open(
        acting_user=w.chair,
        case=w.case,
        kind="cp",
        category="NEG",
        start_date=w.plan_start,
        source="MTG-TEST-ICPC",
    )
    return w


def visit(w, day, seen="seen_alone", **kwargs):
    return visit_record(
        acting_user=w.social_worker,
        case=w.case,
        visited_on=day,
        seen=seen,
        visited_by=w.social_worker,
        **kwargs,
    )


def test_a_visit_keeps_an_unknown_time_unknown_and_goes_into_the_chronology(world):
    day = working_days_ago(2)
    recorded = visit(world, day, note="Amelia showed me her room.")
    assert recorded.visited_at_time is None
    entry = ChronologyEntry.objects.get(case=world.case, kind="visit")
    assert entry.title == "Statutory visit: Child seen alone"
    assert "time not recorded" in entry.body and "Amelia showed me her room." in entry.body
    assert entry.visibility == "lead_only"
    assert AuditEvent.objects.filter(event="visit_recorded", case_id=world.case.pk).exists()
    timed = visit(world, day, seen="seen", visited_at_time=dt.time(15, 30))
    assert timed.visited_at_time == dt.time(15, 30)


def test_a_child_not_seen_needs_the_reason(world):
    with pytest.raises(ValidationError) as refused:
        visit(world, working_days_ago(1), seen="not_seen")
    assert "Say why the child was not seen" in str(refused.value)
    with pytest.raises(ValidationError) as refused:
        visit(world, working_days_ago(1), seen="not_seen", not_seen_reason="other")
    assert "Explain in the note" in str(refused.value)
    made = visit(world, working_days_ago(1), seen="not_seen", not_seen_reason="refused")
    assert made.get_not_seen_reason_display() == "Parent or carer refused access"
    # A reason given for a child who was seen is not kept.
    seen = visit(world, working_days_ago(1), seen="seen", not_seen_reason="refused")
    assert seen.not_seen_reason == ""


def test_impossible_visit_dates_are_refused(world):
    for day, message in [
        (timezone.localdate() + dt.timedelta(days=1), "today or in the past"),
        (world.referred - dt.timedelta(days=3), "on or after the case opened"),
    ]:
        with pytest.raises(ValidationError) as refused:
            visit(world, day)
        assert message in str(refused.value)


def test_only_the_lead_agency_records_visits(world):
    with pytest.raises(PermissionDenied):
        visit_record(
            acting_user=world.teacher,
            case=world.case,
            visited_on=working_days_ago(1),
            seen="seen",
            visited_by=world.social_worker,
        )
    # The visitor is one of the lead agency's workers.
    with pytest.raises(ValidationError) as refused:
        visit_record(
            acting_user=world.social_worker,
            case=world.case,
            visited_on=working_days_ago(1),
            seen="seen",
            visited_by=world.teacher,
        )
    assert "lead agency" in str(refused.value)


def test_the_visit_clock_runs_from_the_last_time_the_child_was_seen(world):
    clock = visit_clock_for(world.case)
    assert clock.last_seen is None
    assert clock.clock.due == workdays.add_working_days(world.plan_start, 10)
    assert clock.clock.overdue  # 20 working days on the plan, never seen
    # A visit where the child was not seen is recorded but does not stop the clock.
    visit(world, working_days_ago(3), seen="not_seen", not_seen_reason="no_answer")
    assert visit_clock_for(world.case).clock.overdue
    seen_on = working_days_ago(2)
    visit(world, seen_on)
    clock = visit_clock_for(world.case)
    assert clock.last_seen == seen_on
    assert clock.clock.due == workdays.add_working_days(seen_on, 10)
    assert not clock.clock.overdue


def test_the_plan_sets_its_own_visit_interval_with_a_reason(world):
    with pytest.raises(ValidationError) as refused:
        plan_schedule_change(
            acting_user=world.social_worker,
            plan=world.plan,
            reason="",
            visit_interval_working_days=5,
        )
    assert "Give the reason" in str(refused.value)
    plan = plan_schedule_change(
        acting_user=world.social_worker,
        plan=world.plan,
        reason="Baby under one: conference asked for weekly visits.",
        visit_interval_working_days=5,
    )
    assert plan.visit_interval_working_days == 5
    assert visit_clock_for(world.case).clock.due == workdays.add_working_days(world.plan_start, 5)
    entry = ChronologyEntry.objects.filter(case=world.case, title__contains="visits every 5").get()
    assert "weekly visits" in entry.body
    # A child protection plan's review date is the conference's to set.
    with pytest.raises(ValidationError):
        plan_schedule_change(
            acting_user=world.social_worker,
            plan=world.plan,
            reason="x",
            next_review_on=timezone.localdate() + dt.timedelta(days=20),
        )


def sweep(today, capture):
    with capture(execute=True):
        return reminders_sweep(today=today)


def test_an_overdue_visit_is_reminded_exactly_once(world, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    sweep(today, django_capture_on_commit_callbacks)
    rows = ReminderDelivery.objects.filter(kind="cp_visit", recipient=world.social_worker)
    assert list(rows.values_list("stage", "due_on", "status")) == [
        ("overdue", workdays.add_working_days(world.plan_start, 10), "sent")
    ]
    # The lead agency's manager is told it is overdue, once.
    assert ReminderDelivery.objects.filter(kind="cp_visit", recipient=world.manager).count() == 1
    sweep(today, django_capture_on_commit_callbacks)
    sweep(today + dt.timedelta(days=1), django_capture_on_commit_callbacks)
    assert rows.count() == 1
    # A visit moves the clock: the overdue reminder is not repeated, and the next
    # one is for the new due date.
    visit(world, today)
    sweep(today, django_capture_on_commit_callbacks)
    assert rows.filter(stage="overdue").count() == 1
    assert not rows.filter(due_on__gt=today, status="sent").exclude(stage="warning").exists()


def test_an_ended_plan_has_no_visit_clock(world, django_capture_on_commit_callbacks):
    from cases.services.statutory import plan_close

    plan_close(acting_user=world.chair, plan=world.plan, end_date=timezone.localdate())
    assert visit_clock_for(world.case) is None
    sweep(timezone.localdate(), django_capture_on_commit_callbacks)
    assert not ReminderDelivery.objects.filter(kind="cp_visit", status="sent").exists()


# Pages -------------------------------------------------------------------------


def test_recording_a_visit_on_its_page(client, world):
    client.force_login(world.social_worker)
    url = reverse("case_visit_add", args=[world.case.pk])
    assert client.get(url).status_code == 200
    day = working_days_ago(1)
    response = client.post(
        url,
        {
            **date_fields("visited_on", day),
            "visited_at_time": "",
            "seen": "not_seen",
            "visited_by": world.social_worker.pk,
            "note": "Curtains drawn.",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400 and "Say why the child was not seen" in page
    assert "Curtains drawn.</textarea>" in page  # nothing typed is lost
    response = client.post(
        url,
        {
            **date_fields("visited_on", day),
            "visited_at_time": "16.05",
            "seen": "seen_alone",
            "visited_by": world.social_worker.pk,
            "note": "Spoke with Amelia in the garden.",
        },
    )
    assert response.status_code == 302
    assert StatutoryVisit.objects.get().visited_at_time == dt.time(16, 5)
    page = client.get(reverse("case_detail", args=[world.case.pk])).content.decode()
    assert 'data-testid="visits"' in page and "Seen alone" in page
    assert "Spoke with Amelia in the garden." in page
    assert 'data-testid="visit-clock"' in page


def test_the_case_page_shows_an_overdue_visit(client, world):
    client.force_login(world.social_worker)
    page = client.get(reverse("case_detail", args=[world.case.pk])).content.decode()
    assert "Visit overdue" in page and "Not seen since the plan started" in page


def test_involved_agencies_and_outsiders_cannot_reach_the_visit_page(client, world):
    url = reverse("case_visit_add", args=[world.case.pk])
    for user in (world.teacher, world.other_social_worker):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(url, {"seen": "seen"}).status_code == 404
    client.force_login(world.teacher)
    page = client.get(reverse("case_detail", args=[world.case.pk])).content.decode()
    assert 'id="visits"' not in page


def test_changing_the_plan_frequency_on_its_page(client, world):
    client.force_login(world.social_worker)
    url = reverse("case_plan_schedule", args=[world.case.pk, world.plan.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"version": world.plan.version, "visit_interval_working_days": 5})
    assert (
        response.status_code == 400
        and "Give the reason for the change" in response.content.decode()
    )
    response = client.post(
        url,
        {
            "version": world.plan.version,
            "visit_interval_working_days": 5,
            "core_group_interval_weeks": 4,
            "reason": "Agreed at the core group.",
        },
    )
    assert response.status_code == 302
    world.plan.refresh_from_db()
    assert (world.plan.visit_interval_working_days, world.plan.core_group_interval_weeks) == (5, 4)
    client.force_login(world.teacher)
    assert client.get(url).status_code == 404


# API ---------------------------------------------------------------------------


def test_visits_through_the_api(world):
    api = APIClient()
    api.force_authenticate(world.social_worker)
    url = f"/api/v1/cases/{world.case.pk}/visits/"
    refused = api.post(
        url,
        {
            "visited_on": working_days_ago(1).isoformat(),
            "seen": "not_seen",
            "visited_by": world.social_worker.username,
        },
        format="json",
    )
    assert refused.status_code == 400 and "not_seen_reason" in refused.json()["errors"]
    made = api.post(
        url,
        {
            "visited_on": working_days_ago(1).isoformat(),
            "seen": "seen",
            "visited_by": world.social_worker.username,
        },
        format="json",
    )
    assert made.status_code == 201 and made.json()["visited_at_time"] is None
    listed = api.get(url).json()
    assert [v["seen"] for v in listed] == ["seen"]
    teacher = APIClient()
    teacher.force_authenticate(world.teacher)
    assert teacher.get(url).status_code == 404
    assert teacher.post(url, {}, format="json").status_code == 404


def test_plan_schedule_through_the_api(world):
    api = APIClient()
    api.force_authenticate(world.social_worker)
    url = f"/api/v1/cases/{world.case.pk}/plans/{world.plan.pk}/schedule/"
    assert api.post(url, {"visit_interval_working_days": 5}, format="json").status_code == 400
    done = api.post(url, {"visit_interval_working_days": 5, "reason": "Baby."}, format="json")
    assert done.status_code == 200 and done.json()["visit_interval_working_days"] == 5


# Child in need plans get a review date -----------------------------------------


def test_a_child_in_need_plan_gets_a_review_date_that_the_reminder_uses(
    world, django_capture_on_commit_callbacks
):
    from cases.services.statutory import plan_close

    plan_close(acting_user=world.chair, plan=world.plan, end_date=timezone.localdate())
    start = timezone.localdate()
    cin = plan_open(
        acting_user=world.social_worker, case=world.case, kind="cin", category="", start_date=start
    )
    assert cin.next_review_on == workdays.due_date("cin_review", start)
    assert cin.visit_interval_working_days is None
    changed = plan_schedule_change(
        acting_user=world.social_worker,
        plan=cin,
        reason="Family asked for an earlier review.",
        next_review_on=start + dt.timedelta(days=30),
    )
    assert changed.next_review_on == start + dt.timedelta(days=30)
    sweep(changed.next_review_on + dt.timedelta(days=3), django_capture_on_commit_callbacks)
    assert ReminderDelivery.objects.filter(
        kind="plan_review", recipient=world.social_worker, due_on=changed.next_review_on
    ).exists()


def test_each_visit_keeps_the_due_date_its_clock_gave_that_day(world):
    """The oversight dashboard counts visits on time from this date: the clock
    as it stood on the day of the visit, a visit that missed the child
    stopping nothing. Visits recorded before the field have it filled by the
    same rule (the migration)."""
    import importlib
    from pathlib import Path

    from django.apps import apps

    first = visit(world, working_days_ago(3), seen="not_seen", not_seen_reason="no_answer")
    second = visit(world, working_days_ago(2))
    third = visit(world, working_days_ago(1))
    from_start = workdays.add_working_days(world.plan_start, 10)
    assert first.due_on == second.due_on == from_start
    assert third.due_on == workdays.add_working_days(working_days_ago(2), 10)
    # A visit before the plan began is on no clock.
    with_no_plan = visit(world, world.plan_start - dt.timedelta(days=1))
    assert with_no_plan.due_on is None

    StatutoryVisit.objects.update(due_on=None)
    # Found by name: migrations are renumbered when branches merge.
    (path,) = Path(__file__).parents[2].glob("cases/migrations/*_visit_due_on.py")
    migration = importlib.import_module(f"cases.migrations.{path.stem}")
    migration.fill_due_dates(apps, None)
    stored = dict(StatutoryVisit.objects.values_list("pk", "due_on"))
    assert stored == {
        first.pk: from_start,
        second.pk: from_start,
        third.pk: third.due_on,
        with_no_plan.pk: None,
    }
