"""Working-day calendar and the statutory clocks, in one place.

Working days exclude weekends and England & Wales bank holidays (from the
``holidays`` package, which tracks substitute days and one-off holidays, so no
one has to maintain a hand-typed list). Every statutory timescale the product
enforces lives in ``TIMESCALES`` so another jurisdiction changes one table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings


@dataclass(frozen=True)
class Timescale:
    code: str
    label: str
    working_days: int | None = None
    months: int | None = None
    weeks: int | None = None


# Working Together to Safeguard Children 2023 (England).
TIMESCALES: dict[str, Timescale] = {
    t.code: t
    for t in (
        Timescale("referral_decision", "Decision on a referral to children's social care", 1),
        Timescale("assessment", "Child and family assessment completed", 45),
        Timescale("icpc", "Initial child protection conference after strategy discussion", 15),
        Timescale("first_core_group", "First core group after the ICPC", 10),
        Timescale("first_review", "First review conference after the ICPC", months=3),
        Timescale("later_review", "Later review conferences", months=6),
        # Local standards, each a default a plan may change with a reason:
        # a child on a child protection plan is seen at least every 10 working
        # days; core groups meet every 6 weeks after the first; a child in need
        # plan is reviewed within 3 months of its start.
        Timescale("cp_visit", "Statutory visit to a child on a child protection plan", 10),
        Timescale("core_group", "Core group after the first", weeks=6),
        Timescale("cin_review", "Child in need plan review", months=3),
    )
}


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def bank_holiday_name(day: dt.date) -> str | None:
    return holidays.country_holidays("GB", subdiv="ENG", years=day.year).get(day)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date ``days`` working days after ``start`` (start itself not counted)."""
    day = start
    remaining = days
    while remaining > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end``; negative if end is earlier."""
    if end < start:
        return -working_days_between(end, start)
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE)).date()


def due_date(code: str, start: dt.date) -> dt.date:
    scale = TIMESCALES[code]
    if scale.working_days is not None:
        return add_working_days(start, scale.working_days)
    if scale.weeks is not None:
        return start + dt.timedelta(weeks=scale.weeks)
    assert scale.months is not None
    return _add_months(start, scale.months)


def due_at(code: str, start: dt.datetime) -> dt.datetime:
    """End of the working day on which something started at ``start`` falls due."""
    day = due_date(code, local_date(start))
    tz = ZoneInfo(settings.TIME_ZONE)
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=tz)


def _add_months(start: dt.date, months: int) -> dt.date:
    month_index = start.month - 1 + months
    year = start.year + month_index // 12
    month = month_index % 12 + 1
    for day in (start.day, 30, 29, 28):
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    raise ValueError(start)


@dataclass(frozen=True)
class Clock:
    """How a deadline stands today, for display and for reminders."""

    due: dt.date
    working_days_left: int

    @property
    def overdue(self) -> bool:
        return self.working_days_left < 0

    @property
    def due_today(self) -> bool:
        return self.working_days_left == 0

    @property
    def label(self) -> str:
        if self.overdue:
            n = -self.working_days_left
            return f"Overdue by {n} working day{'s' if n != 1 else ''}"
        if self.due_today:
            return "Due today"
        n = self.working_days_left
        return f"{n} working day{'s' if n != 1 else ''} left"


def clock(due: dt.date, today: dt.date | None = None) -> Clock:
    today = today or local_date(dt.datetime.now(tz=dt.UTC))
    left = working_days_between(today, due)
    if due < today:
        # Past a due date that fell before a weekend is still overdue.
        left = min(left, -1)
    return Clock(due=due, working_days_left=left)
