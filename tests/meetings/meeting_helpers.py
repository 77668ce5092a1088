"""Building meetings for tests through the same services the pages use."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine

from meetings import services as meetings
from meetings.models import Meeting

LONDON = ZoneInfo("Europe/London")
# A Monday, so the ICPC clock runs across Christmas and the Boxing Day substitute.
STRATEGY_DAY = dt.datetime(2026, 12, 7, 10, 0, tzinfo=LONDON)


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LONDON)


def travel(moment: dt.datetime):
    """Move the clock for the code under test (and the live server's thread)."""
    return time_machine.travel(moment, tick=True)


def health_agency(world):
    """A health trust: with the police, a strategy discussion cannot do without it."""
    from agencies.models import Agency
    from tests.factories import AgencyFactory

    if getattr(world, "health", None):
        return world.health
    return AgencyFactory(
        slug="health", name="Health Trust", kind=Agency.Kind.HEALTH, default_lead_agency=world.la
    )


def held_strategy_discussion(world, case, when: dt.datetime = STRATEGY_DAY) -> Meeting:
    """A strategy discussion on ``case``, held at ``when`` and finalised: proceed to
    s47. Police and health take part (Working Together 2023)."""
    health = health_agency(world)
    with travel(when - dt.timedelta(hours=1)):
        meeting = meetings.meeting_schedule(
            acting_user=world.social_worker,
            kind=Meeting.Kind.STRATEGY,
            cases=[case],
            chair=world.chair,
            scheduled_at=when,
            location="Police station, interview room 2",
            invite=[world.police, health],
            invite_reason="Police and health are statutory partners in this meeting "
            "(Working Together 2023)",
        )
    with travel(when + dt.timedelta(hours=1)):
        subject = meeting.subjects.get()
        meetings.meeting_record(
            acting_user=world.chair,
            meeting=meeting,
            version=meeting.version,
            attendance={str(i.pk): "present" for i in meeting.invitations.all()},
            minutes={},
            decisions={str(subject.pk): {"decision": "section_47"}},
        )
        meetings.meeting_finalise(acting_user=world.chair, meeting=meeting)
    meeting.refresh_from_db()
    return meeting


def held_meeting(world, case, kind: str, when: dt.datetime, decision: dict | None = None):
    """Arrange ``kind`` on ``case`` for ``when``, then record ``decision`` and
    finalise it as the chair just after: the only way plans start and end."""
    # A strategy discussion is not finalised without the police and health.
    partners = {}
    if kind == Meeting.Kind.STRATEGY:
        partners = {
            "invite": [world.police, health_agency(world)],
            "invite_reason": "Police and health are statutory partners in this meeting "
            "(Working Together 2023)",
        }
    with travel(when - dt.timedelta(hours=1)):
        meeting = meetings.meeting_schedule(
            acting_user=world.social_worker,
            kind=kind,
            cases=[case],
            chair=world.chair,
            scheduled_at=when,
            location="Civic Centre, room 1",
            late_reason="Arranged late in a test",
            **partners,
        )
    with travel(when + dt.timedelta(hours=1)):
        subject = meeting.subjects.get()
        meeting.refresh_from_db()
        meetings.meeting_record(
            acting_user=world.chair,
            meeting=meeting,
            version=meeting.version,
            attendance={str(i.pk): "present" for i in meeting.invitations.all()},
            minutes={},
            decisions={str(subject.pk): decision or {}},
        )
        meetings.meeting_finalise(acting_user=world.chair, meeting=meeting)
    meeting.refresh_from_db()
    return meeting


def plan_decision(held_on: dt.date, category: str = "NEG") -> dict:
    """An initial conference's decision for a plan, with dates inside its clocks."""
    return {
        "decision": "plan",
        "category": category,
        "next_review_on": held_on + dt.timedelta(days=28),
        "first_core_group_on": held_on + dt.timedelta(days=7),
    }


def on_protection_plan(world, case, icpc_at: dt.datetime = STRATEGY_DAY + dt.timedelta(days=7)):
    """Strategy discussion (section 47), then an ICPC that starts a plan: the law's path."""
    strategy = held_strategy_discussion_alone(world, case)
    icpc = held_meeting(world, case, "icpc", icpc_at, plan_decision(icpc_at.date()))
    return strategy, icpc


def held_strategy_discussion_alone(world, case, when: dt.datetime = STRATEGY_DAY, s47=True):
    """A strategy discussion with nobody invited (fast), deciding for or against s47."""
    return held_meeting(
        world, case, "strategy", when, {"decision": "section_47" if s47 else "no_section_47"}
    )
