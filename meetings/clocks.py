"""The statutory clocks for meetings: when each is due, and which dates are allowed.

The timescales themselves live in ``safeguard.workdays.TIMESCALES``; this module
knows which earlier meeting each clock runs from:

- ICPC: 15 working days from the strategy discussion that decided the open
  section 47 enquiry (Working Together 2023, ch. 2), or from the enquiry's start
  if a worker started it directly; a strategy discussion that decided no
  enquiry starts no clock, and an enquiry its ICPC concluded is done with;
- first core group: 10 working days from the ICPC (or transfer-in conference);
- first review conference: 3 months from the ICPC, then at most 6 months from
  the last review, and never later than a review date a conference set.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from cases.models import Case, Plan, Section47Enquiry
from meetings.models import PLAN_STARTING, Meeting, MeetingCase
from safeguard import workdays

CONFERENCES = (Meeting.Kind.ICPC, Meeting.Kind.RCPC, Meeting.Kind.TRANSFER_IN)


@dataclass(frozen=True)
class MeetingClock:
    due_on: dt.date | None
    runs_from: Meeting | None
    explanation: str


def held(prefix: str = "") -> Q:
    """A meeting counts as held once its time has come or it has been written
    up, unless it was cancelled (``prefix`` reaches the meeting from another
    model, e.g. ``"meeting__"``). The clocks and the oversight dashboard's
    figures both ask this, so "held" means one thing."""
    return Q(**{f"{prefix}cancelled_at__isnull": True}) & (
        Q(**{f"{prefix}scheduled_at__lte": timezone.now()})
        | Q(**{f"{prefix}finalised_at__isnull": False})
    )


def _held(cases: Iterable[Case], kinds: Iterable[str]):
    return (
        Meeting.objects.filter(subjects__case__in=list(cases), kind__in=list(kinds))
        .filter(held())
        .distinct()
        .order_by("-scheduled_at")
    )


def meeting_clock(kind: str, cases: list[Case], follows: Meeting | None = None) -> MeetingClock:
    if kind == Meeting.Kind.ICPC:
        return _icpc_clock(cases, follows)
    if kind == Meeting.Kind.CORE_GROUP:
        icpc = _held(cases, PLAN_STARTING).first()
        if icpc is None:
            return MeetingClock(None, None, "No initial child protection conference yet.")
        start = workdays.local_date(icpc.scheduled_at)
        # Held, not merely arranged: a core group booked for next week does not
        # stop the first core group's clock.
        last = _held(cases, [Meeting.Kind.CORE_GROUP]).filter(scheduled_at__gt=icpc.scheduled_at)
        last = last.first()
        if last is None:
            return MeetingClock(
                workdays.due_date("first_core_group", start),
                icpc,
                f"The first core group is within 10 working days of the conference on "
                f"{start:%-d %B %Y}.",
            )
        weeks = core_group_weeks(cases)
        if weeks is None:
            return MeetingClock(None, last, "No current child protection plan.")
        held_on = workdays.local_date(last.scheduled_at)
        return MeetingClock(
            held_on + dt.timedelta(weeks=weeks),
            last,
            f"The plan's core group meets every {weeks} weeks; the last was held on "
            f"{held_on:%-d %B %Y}.",
        )
    if kind == Meeting.Kind.RCPC:
        last = _held(cases, CONFERENCES).first()
        if last is None:
            return MeetingClock(None, None, "No initial child protection conference yet.")
        start = workdays.local_date(last.scheduled_at)
        code = "first_review" if last.kind in PLAN_STARTING else "later_review"
        due = workdays.due_date(code, start)
        set_by_conference = (
            Plan.objects.filter(
                case__in=cases, kind=Plan.Kind.CHILD_PROTECTION, end_date__isnull=True
            )
            .exclude(next_review_on=None)
            .order_by("next_review_on")
            .values_list("next_review_on", flat=True)
            .first()
        )
        if set_by_conference and set_by_conference < due:
            due = set_by_conference
        months = 3 if code == "first_review" else 6
        return MeetingClock(
            due,
            last,
            f"Within {months} months of the conference on {start:%-d %B %Y}"
            + (", by the review date the plan set." if due == set_by_conference else "."),
        )
    return MeetingClock(None, None, "")


def _icpc_clock(cases: list[Case], follows: Meeting | None) -> MeetingClock:
    if follows and follows.kind == Meeting.Kind.STRATEGY:
        decided_none = (
            follows.is_finalised
            and not follows.subjects.filter(case__in=cases)
            .exclude(decision=MeetingCase.Decision.NO_SECTION_47)
            .exists()
        )
        if not decided_none:
            return _from_strategy(follows)
    # The enquiry still waiting for its conference; for brothers and sisters,
    # the one started first (its deadline is the earliest).
    enquiry = (
        Section47Enquiry.objects.filter(case__in=cases, conference__isnull=True)
        .filter(
            Q(completed_on__isnull=True) | Q(outcome=Section47Enquiry.Outcome.ICPC),
        )
        .select_related("strategy_meeting")
        .order_by("started_on")
        .first()
    )
    if enquiry is not None and enquiry.strategy_meeting is not None:
        return _from_strategy(enquiry.strategy_meeting)
    if enquiry is not None:
        return MeetingClock(
            workdays.due_date("icpc", enquiry.started_on),
            None,
            f"Within 15 working days of the section 47 enquiry started on "
            f"{enquiry.started_on:%-d %B %Y}.",
        )
    # Held but not yet written up: it may still decide an enquiry. One finalised
    # with "no section 47 enquiry" starts no clock.
    pending = _held(cases, [Meeting.Kind.STRATEGY]).filter(finalised_at__isnull=True).first()
    if pending is not None:
        return _from_strategy(pending)
    return MeetingClock(
        None, None, "No section 47 enquiry is waiting for a conference for this child."
    )


def _from_strategy(strategy: Meeting) -> MeetingClock:
    start = workdays.local_date(strategy.scheduled_at)
    return MeetingClock(
        workdays.due_date("icpc", start),
        strategy,
        f"Within 15 working days of the strategy discussion on {start:%-d %B %Y}.",
    )


def core_group_weeks(cases: Iterable[Case]) -> int | None:
    """How often the core group meets: the plan's own frequency (the most frequent
    of a sibling group's plans), or ``None`` when no child has a current plan."""
    weeks = list(
        Plan.objects.filter(
            case__in=list(cases), kind=Plan.Kind.CHILD_PROTECTION, end_date__isnull=True
        ).values_list("core_group_interval_weeks", flat=True)
    )
    if not weeks:
        return None
    default = workdays.TIMESCALES["core_group"].weeks or 6
    return min(w or default for w in weeks)


def propose_date(clock: MeetingClock, today: dt.date | None = None) -> dt.date:
    """A working day with two working days in hand before the deadline, never in the past."""
    today = today or timezone.localdate()
    earliest = workdays.add_working_days(today, 1)
    if clock.due_on is None:
        return earliest
    proposed = clock.due_on
    for _ in range(2):
        candidate = _previous_working_day(proposed)
        if candidate >= earliest:
            proposed = candidate
    return max(proposed, earliest)


def _previous_working_day(day: dt.date) -> dt.date:
    day -= dt.timedelta(days=1)
    while not workdays.is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def date_errors(kind: str, day: dt.date) -> list[str]:
    """Why a meeting of ``kind`` cannot be held on ``day`` (empty: it can)."""
    label = Meeting.Kind(kind).label
    if day < timezone.localdate():
        return ["The meeting date must be today or in the future"]
    if kind in CONFERENCES:
        if day.weekday() >= 5:
            return [f"An {label.lower()} cannot be held at a weekend. Choose a weekday"]
        holiday = workdays.bank_holiday_name(day)
        if holiday:
            return [f"An {label.lower()} cannot be held on a bank holiday ({holiday})"]
    return []


def review_limit(meeting: Meeting) -> dt.date | None:
    """The latest next review a conference may set for a child."""
    held_on = workdays.local_date(meeting.scheduled_at)
    if meeting.kind in PLAN_STARTING:
        return workdays.due_date("first_review", held_on)
    if meeting.kind == Meeting.Kind.RCPC:
        return workdays.due_date("later_review", held_on)
    return None


def core_group_limit(meeting: Meeting) -> dt.date:
    return workdays.due_date("first_core_group", workdays.local_date(meeting.scheduled_at))


def proposed_next_dates(meeting: Meeting, subject: MeetingCase) -> dict[str, dt.date | None]:
    """What the record form offers for the child's next dates, from the clocks."""
    if meeting.kind not in CONFERENCES:
        return {}
    limit = review_limit(meeting)
    if limit and not workdays.is_working_day(limit):
        limit = _previous_working_day(limit)
    dates: dict[str, dt.date | None] = {"next_review_on": limit}
    if meeting.kind in PLAN_STARTING:
        dates["first_core_group_on"] = core_group_limit(meeting)
    return dates
