"""Conference attendees by name, strategy discussion partners, meetings held by
telephone, and the core group clock (issue 12, work with the child)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from meetings import services as meetings
from meetings.clocks import meeting_clock
from meetings.models import Meeting, MeetingAttendee
from tests.factories import World, open_case_from_concern, submit_concern
from tests.meetings.meeting_helpers import (
    LONDON,
    STRATEGY_DAY,
    at,
    health_agency,
    held_strategy_discussion,
    travel,
)
from tests.meetings.test_meetings import finalise, held_icpc, schedule_icpc

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    with travel(dt.datetime(2026, 12, 1, 9, 0, tzinfo=LONDON)):
        w = World()
        w.case = open_case_from_concern(w, submit_concern(w), decision="strategy")
    w.strategy = held_strategy_discussion(w, w.case)
    return w


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def add(world, meeting, **fields):
    return meetings.attendee_add(acting_user=world.chair, meeting=meeting, **fields)


# Attendees by name --------------------------------------------------------------


def test_parents_the_child_and_an_advocate_are_invited_by_name(world):
    with travel(STRATEGY_DAY + dt.timedelta(days=1)):
        icpc = schedule_icpc(world, dt.date(2026, 12, 22))
        mother = add(world, icpc, name="Sarah Hart", kind="parent", role="Mother")
        add(world, icpc, name="Amelia Hart", kind="child", role="The child")
        add(world, icpc, name="Jo Reed", kind="advocate", role="Independent advocate")
        nurse = add(
            world,
            icpc,
            name="Priya Nair",
            kind="professional",
            role="School nurse",
            agency=world.school,
        )
        assert mother.agency is None and nurse.agency == world.school
        # A professional names an agency involved in the case.
        with pytest.raises(ValidationError, match="agency"):
            add(world, icpc, name="Dr Who", kind="professional", role="GP")
        with pytest.raises(ValidationError, match="involved in the case"):
            add(world, icpc, name="Dr Who", kind="professional", role="GP", agency=world.other_la)
        with pytest.raises(ValidationError, match="already invited"):
            add(world, icpc, name="sarah hart", kind="parent", role="mother")
        # Only the chair or the lead agency invites.
        with pytest.raises(PermissionDenied):
            meetings.attendee_add(
                acting_user=world.teacher, meeting=icpc, name="X", kind="parent", role="Father"
            )
    assert icpc.attendees.count() == 4


def test_attendance_by_name_is_recorded_and_needed_before_the_record_is_final(world, client):
    with travel(STRATEGY_DAY + dt.timedelta(days=1)):
        icpc = schedule_icpc(world, dt.date(2026, 12, 22))
        mother = add(world, icpc, name="Sarah Hart", kind="parent", role="Mother")
        advocate = add(world, icpc, name="Jo Reed", kind="advocate", role="Advocate")
    with pytest.raises(ValidationError) as refused:
        finalise(world, icpc, at(dt.date(2026, 12, 22), 13), "no_plan")
    assert "Record whether Sarah Hart (Mother) attended" in " ".join(refused.value.messages)
    with travel(at(dt.date(2026, 12, 22), 13)):
        icpc.refresh_from_db()
        client.force_login(world.chair)
        record = client.get(reverse("meeting_record", args=[icpc.pk])).content.decode()
        assert "Sarah Hart, Mother" in record
        meetings.meeting_record(
            acting_user=world.chair,
            meeting=icpc,
            version=icpc.version,
            attendance={},
            minutes={},
            decisions={},
            attendee_attendance={str(mother.pk): "present", str(advocate.pk): "apologies"},
        )
    finalise(world, icpc, at(dt.date(2026, 12, 22), 14), "no_plan")
    assert MeetingAttendee.objects.get(pk=advocate.pk).attendance == "apologies"
    with travel(at(dt.date(2026, 12, 23), 9)):
        for user in (world.chair, world.officer):  # the invited police see it too
            client.force_login(user)
            page = client.get(reverse("meeting_detail", args=[icpc.pk])).content.decode()
            assert 'data-testid="attendees"' in page
            assert "Sarah Hart" in page and "Present" in page and "Apologies" in page


def test_the_attendee_page(world, client):
    with travel(STRATEGY_DAY + dt.timedelta(days=1)):
        icpc = schedule_icpc(world, dt.date(2026, 12, 22))
        url = reverse("meeting_attendee_add", args=[icpc.pk])
        client.force_login(world.chair)
        assert client.get(url).status_code == 200
        response = client.post(url, {"name": "", "kind": "parent", "role": "Father"})
        assert response.status_code == 400 and "Enter the person" in response.content.decode()
        response = client.post(url, {"name": "Tom Hart", "kind": "parent", "role": "Father"})
        assert response.status_code == 302
        assert icpc.attendees.get().name == "Tom Hart"
        page = client.get(reverse("meeting_detail", args=[icpc.pk])).content.decode()
        assert "Tom Hart" in page and "Not recorded" in page
        for outsider in (world.teacher, world.other_social_worker):
            client.force_login(outsider)
            assert client.get(url).status_code == 404
            assert client.post(url, {"name": "X", "kind": "parent", "role": "Y"}).status_code == 404


def test_attendees_through_the_api(world):
    with travel(STRATEGY_DAY + dt.timedelta(days=1)):
        icpc = schedule_icpc(world, dt.date(2026, 12, 22))
        url = f"/api/v1/meetings/{icpc.pk}/attendees/"
        made = api(world.chair).post(
            url, {"name": "Sarah Hart", "kind": "parent", "role": "Mother"}, format="json"
        )
        assert made.status_code == 201 and made.json()["agency"] is None
        refused = api(world.chair).post(
            url, {"name": "Dr Ali", "kind": "professional", "role": "GP"}, format="json"
        )
        assert refused.status_code == 400 and "agency" in refused.json()["errors"]
        assert api(world.officer).get(url).json()[0]["name"] == "Sarah Hart"
        assert api(world.officer).post(url, {}, format="json").status_code == 404
        assert api(world.other_social_worker).get(url).status_code == 404
        detail = api(world.chair).get(f"/api/v1/meetings/{icpc.pk}/").json()
        assert detail["attendees"][0]["role"] == "Mother"


# Strategy discussions ---------------------------------------------------------


def strategy(world, day, invite, **overrides):
    fields = {
        "acting_user": world.social_worker,
        "kind": Meeting.Kind.STRATEGY,
        "cases": [world.case],
        "chair": world.chair,
        "scheduled_at": at(day),
        "invite": invite,
        "invite_reason": "Statutory partner (Working Together 2023)",
        "format": "telephone",
    }
    fields.update(overrides)
    return meetings.meeting_schedule(**fields)


def test_a_telephone_strategy_discussion_needs_no_place(world):
    with travel(STRATEGY_DAY + dt.timedelta(days=1)):
        call = strategy(world, dt.date(2026, 12, 9), [world.police])
        assert (call.format, call.location) == ("telephone", "")
        with pytest.raises(ValidationError, match="Enter where the meeting will be held"):
            strategy(world, dt.date(2026, 12, 9), [world.police], format="in_person")
        response = api(world.social_worker).post(
            "/api/v1/meetings/",
            {
                "kind": "strategy",
                "cases": [str(world.case.pk)],
                "chair": world.chair.username,
                "scheduled_at": at(dt.date(2026, 12, 10)).isoformat(),
                "format": "video",
            },
            format="json",
        )
        assert response.status_code == 201 and response.json()["format"] == "video"


def test_a_strategy_discussion_needs_police_and_health_before_it_is_final(world, client):
    with travel(STRATEGY_DAY + dt.timedelta(days=1)):
        call = strategy(world, dt.date(2026, 12, 9), [world.police])
    with travel(at(dt.date(2026, 12, 9), 12)):
        call.refresh_from_db()
        meetings.meeting_record(
            acting_user=world.chair,
            meeting=call,
            version=call.version,
            attendance={str(i.pk): "present" for i in call.invitations.all()},
            minutes={},
            decisions={str(call.subjects.get().pk): {"decision": "no_section_47"}},
        )
        with pytest.raises(ValidationError) as refused:
            meetings.meeting_finalise(acting_user=world.chair, meeting=call)
        assert "includes health" in " ".join(refused.value.messages)
        assert "police" not in " ".join(refused.value.messages)
        # Refused on the page and through the API alike.
        client.force_login(world.chair)
        response = client.post(reverse("meeting_finalise", args=[call.pk]))
        assert response.status_code == 400 and "includes health" in response.content.decode()
        refused = api(world.chair).post(f"/api/v1/meetings/{call.pk}/finalise/")
        assert refused.status_code == 400 and "includes health" in str(refused.json())
        # A health visitor named as taking part, from an agency on the case.
        health = health_agency(world)
        meetings.meeting_invite(
            acting_user=world.chair, meeting=call, agency=health, reason="Health visitor."
        )
        visitor = add(
            world, call, name="Kim Lowe", kind="professional", role="Health visitor", agency=health
        )
        with pytest.raises(ValidationError, match="between professionals"):
            add(world, call, name="Sarah Hart", kind="parent", role="Mother")
        call.refresh_from_db()
        meetings.meeting_record(
            acting_user=world.chair,
            meeting=call,
            version=call.version,
            attendance={str(i.pk): "apologies" for i in call.invitations.filter(agency=health)},
            minutes={},
            decisions={},
            attendee_attendance={str(visitor.pk): "present"},
        )
        page = client.get(reverse("meeting_detail", args=[call.pk])).content.decode()
        assert 'data-testid="participants"' in page and "Kim Lowe, Health visitor" in page
        meetings.meeting_finalise(acting_user=world.chair, meeting=call)


# The core group clock -----------------------------------------------------------


def test_the_first_core_group_clock_stops_only_when_one_is_held(world):
    icpc = held_icpc(world)
    first_due = dt.date(2027, 1, 8)  # 10 working days from 22 December
    with travel(at(dt.date(2026, 12, 23))):
        assert meeting_clock(Meeting.Kind.CORE_GROUP, [world.case]).due_on == first_due
        core = meetings.meeting_schedule(
            acting_user=world.social_worker,
            kind=Meeting.Kind.CORE_GROUP,
            cases=[world.case],
            chair=world.chair,
            scheduled_at=at(dt.date(2027, 1, 6)),
            location="Civic Centre",
        )
        # Arranged, not held: the clock still runs.
        assert meeting_clock(Meeting.Kind.CORE_GROUP, [world.case]).due_on == first_due
    assert core.follows == icpc
    finalise(world, core, at(dt.date(2027, 1, 6), 13), "")
    with travel(at(dt.date(2027, 1, 7))):
        clock = meeting_clock(Meeting.Kind.CORE_GROUP, [world.case])
        assert clock.due_on == dt.date(2027, 2, 17)  # six weeks after the one held
        assert "every 6 weeks" in clock.explanation
        plan = world.case.plans.get()
        from cases.services.visits import plan_schedule_change

        plan_schedule_change(
            acting_user=world.social_worker,
            plan=plan,
            reason="Agreed at the first core group: monthly.",
            core_group_interval_weeks=4,
        )
        assert meeting_clock(Meeting.Kind.CORE_GROUP, [world.case]).due_on == dt.date(2027, 2, 3)


def test_the_next_core_group_is_reminded(world, django_capture_on_commit_callbacks):
    from safeguard.notifications.models import ReminderDelivery
    from safeguard.notifications.reminder_sweep import reminders_sweep

    held_icpc(world)
    with travel(at(dt.date(2026, 12, 23))):
        core = meetings.meeting_schedule(
            acting_user=world.social_worker,
            kind=Meeting.Kind.CORE_GROUP,
            cases=[world.case],
            chair=world.chair,
            scheduled_at=at(dt.date(2027, 1, 6)),
            format="video",
        )
    finalise(world, core, at(dt.date(2027, 1, 6), 13), "")
    with travel(at(dt.date(2027, 2, 18))), django_capture_on_commit_callbacks(execute=True):
        reminders_sweep(today=dt.date(2027, 2, 18))
    assert ReminderDelivery.objects.filter(
        kind="core_group", due_on=dt.date(2027, 2, 17), stage="overdue"
    ).exists()
