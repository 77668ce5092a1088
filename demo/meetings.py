"""Meetings for the demo: held conferences with their plans, and some coming up.

Built through the meeting services, so the plans, chronology and grants are the
real ones. The services refuse to arrange a meeting in the past, as they
should; history is made by arranging each meeting for a future date and then
moving it back to when it "was" held, before the record is finalised.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from cases.models import Case, ChronologyEntry
from demo import child_work
from meetings import services as meetings
from meetings.models import Meeting
from safeguard import workdays

CHAIR = "chair@northshire-csc"


def working_day_near(day: dt.date) -> dt.date:
    while not workdays.is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def days_ago(days: int) -> dt.date:
    """The working day ``days`` back from today (or the one before it)."""
    return working_day_near(timezone.localdate() - dt.timedelta(days=days))


def arrange(world: Any, kind: str, cases: list[Case], day: dt.date, invite, **extra) -> Meeting:
    """Arrange a meeting; a past ``day`` is set after the services have checked the rest."""
    today = timezone.localdate()
    chair = world.built.users[CHAIR]
    ahead = workdays.add_working_days(today, 1)
    meeting = meetings.meeting_schedule(
        acting_user=world.social_worker,
        kind=kind,
        cases=cases,
        chair=chair,
        scheduled_at=at(day if day >= ahead else ahead),
        location="Northshire Civic Centre, conference room 2",
        invite=invite,
        # Police and health are statutory safeguarding partners; the school knows the child.
        invite_reason="Safeguarding partner for this child (Working Together 2023, chapter 4)",
        late_reason="Demo: arranged after the event." if day < ahead else "",
        **extra,
    )
    if day < ahead:
        Meeting.objects.filter(pk=meeting.pk).update(scheduled_at=at(day), late_reason="")
        meeting.refresh_from_db()
        _recompute_clock(meeting)
    return meeting


def _recompute_clock(meeting: Meeting) -> None:
    from meetings.clocks import meeting_clock

    clock = meeting_clock(meeting.kind, [s.case for s in meeting.subjects.all()], meeting.follows)
    Meeting.objects.filter(pk=meeting.pk).update(due_on=clock.due_on)
    meeting.due_on = clock.due_on


def hold(world: Any, meeting: Meeting, decisions: dict[Case, dict]) -> Meeting:
    """Record and finalise a meeting as its chair, dating its chronology to the day."""
    chair = world.built.users[CHAIR]
    meeting.refresh_from_db()
    by_case = {s.case_id: s for s in meeting.subjects.all()}
    items = list(meeting.agenda_items.all())
    meetings.meeting_record(
        acting_user=chair,
        meeting=meeting,
        version=meeting.version,
        attendance={str(i.pk): "present" for i in meeting.invitations.all()},
        attendee_attendance=child_work.attendance_of(meeting),
        minutes={str(items[0].pk): "All agencies invited attended and shared what they know."}
        if items
        else {},
        decisions={str(by_case[case.pk].pk): data for case, data in decisions.items()},
    )
    meetings.meeting_finalise(acting_user=chair, meeting=meeting)
    held = at(workdays.local_date(meeting.scheduled_at), 12)
    ChronologyEntry.objects.filter(source_reference=meeting.reference).update(occurred_at=held)
    Meeting.objects.filter(pk=meeting.pk).update(finalised_at=held + dt.timedelta(hours=3))
    return meeting


def build_meetings(world: Any, strategy_cases: list[Case], siblings: list[Case]) -> None:
    """Conferences held and to come, on the cases opened after a strategy decision."""
    today = timezone.localdate()
    agencies = world.built.agencies
    police, health, school = (
        agencies["northshire-police"],
        agencies["northshire-health"],
        agencies["hillside-primary"],
    )

    # A child on a protection plan for a while: strategy, ICPC, a review due soon.
    long_running = strategy_cases[0]
    started = working_day_near(today - dt.timedelta(days=75))
    # Police and health take part in every strategy discussion (Working Together 2023).
    strategy = arrange(world, "strategy", [long_running], started, [police, health])
    hold(world, strategy, {long_running: {"decision": "section_47"}})
    icpc_day = workdays.add_working_days(started, 12)
    icpc = arrange(world, "icpc", [long_running], icpc_day, [police, health, school])
    child_work.invite_family(world, icpc, long_running)
    review_on = working_day_near(workdays.due_date("first_review", icpc_day))
    hold(
        world,
        icpc,
        {
            long_running: {
                "decision": "plan",
                "category": "NEG",
                "next_review_on": review_on,
                "first_core_group_on": workdays.add_working_days(icpc_day, 8),
                "decision_notes": "Chronic neglect; the family agrees to work with the plan.",
            }
        },
    )
    core = arrange(world, "core_group", [long_running], workdays.add_working_days(icpc_day, 8), [])
    child_work.invite_family(world, core, long_running, child=False)
    hold(world, core, {})
    child_work.visits(world, long_running)
    if review_on > workdays.add_working_days(today, 1):
        arrange(world, "rcpc", [long_running], review_on, [police, health, school])

    # Brothers and sisters after a police call-out: one strategy discussion for
    # both, and their initial conference coming up, reports requested.
    if len(siblings) == 2:
        when = working_day_near(today - dt.timedelta(days=8))
        joint = arrange(world, "strategy", siblings, when, [police, health])
        hold(
            world,
            joint,
            {case: {"decision": "section_47"} for case in siblings},
        )
        due = workdays.due_date("icpc", when)
        day = max(workdays.add_working_days(today, 2), working_day_near(due - dt.timedelta(days=2)))
        reason = "" if day <= due else "The family's solicitor could not attend sooner."
        icpc = meetings.meeting_schedule(
            acting_user=world.social_worker,
            kind="icpc",
            cases=siblings,
            chair=world.built.users[CHAIR],
            scheduled_at=at(day),
            location="Northshire Civic Centre, conference room 1",
            follows=joint,
            late_reason=reason,
            report_due_on=workdays.add_working_days(today, 1),
            invite=[police, health, school],
            invite_reason="Safeguarding partner for these children (Working Together 2023, "
            "chapter 4)",
        )
        meetings.report_submit(
            acting_user=world.built.users["practitioner@northshire-police"],
            meeting=icpc,
            agency=police,
            text="Three domestic abuse call-outs to the address in six months; "
            "the children were present at two.",
            wishes_not_obtained="not_seen",
            wishes_not_obtained_detail="Officers spoke to the adults only; the children "
            "were asleep.",
        )
        child_work.invite_family(world, icpc, siblings[0])

    # An MDT on a complex case, next week.
    if len(strategy_cases) > 1:
        arrange(
            world,
            "mdt",
            [strategy_cases[1]],
            workdays.add_working_days(today, 5),
            [police, school],
            purpose="Missing episodes and exploitation risk.",
        )
