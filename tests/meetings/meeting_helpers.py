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
