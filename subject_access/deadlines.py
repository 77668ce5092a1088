"""When a subject access request must be answered (UK GDPR Art. 12(3)).

The law: "without undue delay and in any event within one month of receipt of
the request", extendable "by two further months where necessary, taking into
account the complexity and number of the requests", provided the person is told
of the extension and why within the first month (UK GDPR Article 12(3)).

How to count the month, from the ICO's guidance "Right of access: how long do
we have to comply?" (ico.org.uk, UK GDPR guidance and resources, individual
rights, right of access):

- the time limit runs from the day after the request is received (whether or
  not that is a working day) to the corresponding calendar date in the next
  month: received 3 September, due 4 October;
- when the next month has no corresponding date, it is the last day of that
  month: received 30 January, due 28 (or 29) February;
- when the date falls on a weekend or a bank holiday, the organisation has
  until the next working day;
- where the organisation has to ask for proof of identity, the month runs from
  when that proof arrives (if later than the request).

Bank holidays are England and Wales's, from ``safeguard.workdays`` (the same
calendar as every other clock in the product).
"""

from __future__ import annotations

import calendar
import datetime as dt

from safeguard import workdays

# UK GDPR Art. 12(3): one month, plus at most two further months.
RESPONSE_MONTHS = 1
MAX_EXTENSION_MONTHS = 2


def corresponding_date(start: dt.date, months: int) -> dt.date:
    """The same day of the month ``months`` later, or that month's last day
    when it is shorter (ICO: "the last day of the following month")."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(start.day, last_day))


def next_working_day(day: dt.date) -> dt.date:
    while not workdays.is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def clock_start(received_on: dt.date, identity_evidence_on: dt.date | None = None) -> dt.date:
    """The day the month is counted from: the request's receipt, or the
    arrival of the proof of identity the organisation had to ask for."""
    if identity_evidence_on and identity_evidence_on > received_on:
        return identity_evidence_on
    return received_on


def response_due(
    received_on: dt.date,
    *,
    identity_evidence_on: dt.date | None = None,
    extension_months: int = 0,
) -> dt.date:
    """The last day to respond: one calendar month (plus any extension) from
    the day after the clock starts, moved to the next working day."""
    if not 0 <= extension_months <= MAX_EXTENSION_MONTHS:
        raise ValueError(f"An extension is 1 or 2 months, not {extension_months}")
    first_day = clock_start(received_on, identity_evidence_on) + dt.timedelta(days=1)
    return next_working_day(corresponding_date(first_day, RESPONSE_MONTHS + extension_months))
