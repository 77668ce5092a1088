"""The one-month clock of a subject access request (UK GDPR Art. 12(3)),
counted as the ICO's guidance counts it: from the day after receipt to the
corresponding calendar date, the month's last day when there is none, and the
next working day when it falls on a weekend or an England and Wales bank holiday."""

from __future__ import annotations

import datetime as dt

import pytest

from subject_access.deadlines import corresponding_date, response_due

D = dt.date


@pytest.mark.parametrize(
    ("received", "due"),
    [
        # The ICO's example: received 3 September, the clock starts on the 4th, due 4 October.
        (D(2026, 9, 3), D(2026, 10, 5)),  # 4 October 2026 is a Sunday: Monday 5th
        (D(2025, 9, 3), D(2025, 10, 6)),  # 4 October 2025 is a Saturday: Monday 6th
        (D(2027, 9, 3), D(2027, 10, 4)),  # a Monday: the corresponding date itself
        # Received 30 January: the clock starts on the 31st; February has no 31st.
        (D(2026, 1, 30), D(2026, 3, 2)),  # 28 February 2026 is a Saturday
        (D(2027, 1, 30), D(2027, 3, 1)),  # 28 February 2027 is a Sunday
        (D(2028, 1, 30), D(2028, 2, 29)),  # a leap year: Tuesday 29 February
        (D(2026, 1, 26), D(2026, 2, 27)),  # a Friday: no month-end rule needed
        # Received on the 30th of a 31-day month: the 31st has no match in a 30-day month.
        (D(2026, 8, 30), D(2026, 9, 30)),
        (D(2026, 10, 30), D(2026, 11, 30)),
        # Across the year end.
        (D(2026, 12, 3), D(2027, 1, 4)),
        # Onto Christmas Day 2026 (Friday); Boxing Day is a Saturday, so Monday 28th is a holiday.
        (D(2026, 11, 24), D(2026, 12, 29)),
        # Received on a Saturday: the day after still starts the clock.
        (D(2026, 3, 7), D(2026, 4, 8)),
    ],
)
def test_due_one_calendar_month_from_the_day_after_receipt(received, due):
    assert response_due(received) == due


def test_the_month_end_rule_alone():
    assert corresponding_date(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert corresponding_date(D(2028, 1, 31), 1) == D(2028, 2, 29)
    assert corresponding_date(D(2026, 3, 31), 1) == D(2026, 4, 30)
    assert corresponding_date(D(2026, 5, 31), 1) == D(2026, 6, 30)
    assert corresponding_date(D(2026, 11, 30), 3) == D(2027, 2, 28)


def test_an_extension_adds_further_calendar_months_to_the_same_start():
    received = D(2026, 3, 10)  # starts 11 March
    assert response_due(received) == D(2026, 4, 13)  # 11 April is a Saturday
    assert response_due(received, extension_months=1) == D(2026, 5, 11)
    assert response_due(received, extension_months=2) == D(2026, 6, 11)
    # From 30 November (starts 1 December) three months on is 1 March.
    assert response_due(D(2026, 11, 30), extension_months=2) == D(2027, 3, 1)
    # From 30 October (starts 31 October): 31 January exists; 31 December needs no month-end.
    assert response_due(D(2026, 10, 30), extension_months=1) == D(2026, 12, 31)
    assert response_due(D(2026, 10, 30), extension_months=2) == D(2027, 2, 1)  # 31 Jan is a Sunday


def test_no_extension_beyond_two_further_months():
    with pytest.raises(ValueError, match="1 or 2 months"):
        response_due(D(2026, 3, 10), extension_months=3)


def test_the_clock_runs_from_proof_of_identity_when_it_came_later():
    assert response_due(D(2026, 3, 10), identity_evidence_on=D(2026, 3, 20)) == D(2026, 4, 21)
    # Proof dated before the request changes nothing.
    assert response_due(D(2026, 3, 10), identity_evidence_on=D(2026, 3, 1)) == D(2026, 4, 13)
