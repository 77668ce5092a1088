"""Which dates are possible: one rule for every form and API field (SPEC 4).

A date of birth of 0001-01-01, a chronology entry in year 1 or an action due
on 9999-12-31 is a slip of the keyboard, not a fact: stored, it would sort a
chronology wrongly, make a child 2,000 years old in the census and hide a
piece of work behind a date nobody will reach. Three kinds of date:

- ``BIRTH``: a date of birth, not in the future and not before 1900;
- ``EVENT``: something that happened or happens (a concern, a chronology
  entry, a plan or enquiry starting, a meeting), not before 1900;
- ``DUE``: a date work is due or planned for (actions, reports, reviews,
  meetings being arranged), not before 1900 and no further ahead than
  ``DUE_DATE_HORIZON_DAYS`` (a due date years out is a typing mistake that
  would keep an action off every overdue list).

Whether an event may be in the future is each field's own rule (a concern's
date may not, a meeting's may); these are the bounds every date shares.
"""

from __future__ import annotations

import datetime as dt
import enum

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

EARLIEST = dt.date(1900, 1, 1)


class DateKind(enum.Enum):
    BIRTH = "birth"
    EVENT = "event"
    DUE = "due"


def latest_due_date(today: dt.date | None = None) -> dt.date:
    today = today or timezone.localdate()
    return today + dt.timedelta(days=settings.DUE_DATE_HORIZON_DAYS)


def _day(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def date_problem(value: dt.date | dt.datetime | None, kind: DateKind, label: str) -> str | None:
    """What is impossible about ``value`` for a date of this kind, in words
    to show beside the field (``label`` begins the sentence); ``None`` if fine."""
    if value is None:
        return None
    day = _day(value)
    if day < EARLIEST:
        return f"{label} must be in 1900 or later"
    if kind is DateKind.BIRTH and day > timezone.localdate():
        return f"{label} must be today or in the past"
    if kind is DateKind.DUE and day > latest_due_date():
        return f"{label} must be no later than {latest_due_date():%-d %B %Y}"
    return None


def validate_date(value: dt.date | dt.datetime | None, kind: DateKind, label: str) -> None:
    problem = date_problem(value, kind, label)
    if problem:
        raise ValidationError(problem, code=f"impossible_{kind.value}_date")


def age_in_years(date_of_birth: dt.date, today: dt.date | None = None) -> int:
    """Whole years lived on ``today`` (a birthday on 29 February counts on 1 March)."""
    today = today or timezone.localdate()
    before_birthday = (today.month, today.day) < (date_of_birth.month, date_of_birth.day)
    return today.year - date_of_birth.year - before_birthday


def age_label(date_of_birth: dt.date | None, today: dt.date | None = None) -> str:
    """A child's age as a duty worker says it: "7 years", "5 months" under one,
    and "Not recorded" without a date of birth (never a guess)."""
    if date_of_birth is None:
        return "Not recorded"
    today = today or timezone.localdate()
    if date_of_birth > today:
        return "Not yet born"
    years = age_in_years(date_of_birth, today)
    if years >= 1:
        return f"{years} year{'s' if years != 1 else ''}"
    months = (today.year - date_of_birth.year) * 12 + today.month - date_of_birth.month
    months -= today.day < date_of_birth.day
    return f"{months} month{'s' if months != 1 else ''}"
