import datetime as dt

import pytest

from safeguard import workdays

D = dt.date


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (D(2026, 11, 23), 1, D(2026, 11, 24)),  # Monday → Tuesday
        (D(2026, 11, 27), 1, D(2026, 11, 30)),  # Friday → Monday
        # Christmas 2026: Fri 25 Dec, Boxing Day Sat 26 → substitute Mon 28 Dec.
        (D(2026, 12, 24), 1, D(2026, 12, 29)),
        # Easter 2027: Good Friday 26 Mar, Easter Monday 29 Mar.
        (D(2027, 3, 25), 1, D(2027, 3, 30)),
        (D(2026, 11, 23), 0, D(2026, 11, 23)),
    ],
)
def test_add_working_days_skips_weekends_and_bank_holidays(start, days, expected):
    assert workdays.add_working_days(start, days) == expected


def test_substitute_bank_holiday_is_not_a_working_day():
    # Boxing Day 2026 is a Saturday; Monday 28 December is the substitute day.
    assert not workdays.is_working_day(D(2026, 12, 28))
    assert workdays.bank_holiday_name(D(2026, 12, 28))


def test_working_days_between_counts_only_working_days():
    assert workdays.working_days_between(D(2026, 12, 24), D(2026, 12, 31)) == 3
    assert workdays.working_days_between(D(2026, 12, 31), D(2026, 12, 24)) == -3


def test_referral_decision_is_due_one_working_day_later():
    assert workdays.due_date("referral_decision", D(2026, 12, 24)) == D(2026, 12, 29)


def test_every_timescale_has_a_due_date():
    start = D(2026, 1, 15)
    expected = {
        "referral_decision": D(2026, 1, 16),
        "assessment": D(2026, 3, 19),
        "icpc": D(2026, 2, 5),
        "first_core_group": D(2026, 1, 29),
        "first_review": D(2026, 4, 15),
        "later_review": D(2026, 7, 15),
        "cp_visit": D(2026, 1, 29),  # 10 working days
        "core_group": D(2026, 2, 26),  # 6 weeks
        "cin_review": D(2026, 4, 15),  # 3 months
    }
    assert {code: workdays.due_date(code, start) for code in workdays.TIMESCALES} == expected


def test_months_clamp_to_the_end_of_a_short_month():
    assert workdays.due_date("first_review", D(2026, 11, 30)) == D(2027, 2, 28)


def test_clock_says_how_things_stand():
    due = D(2026, 11, 25)
    assert workdays.clock(due, today=D(2026, 11, 23)).label == "2 working days left"
    assert workdays.clock(due, today=D(2026, 11, 25)).due_today
    late = workdays.clock(due, today=D(2026, 11, 27))
    assert late.overdue and late.label == "Overdue by 2 working days"
    # Due on a Friday, looked at on the Saturday: overdue, not "due today".
    assert workdays.clock(D(2026, 11, 27), today=D(2026, 11, 28)).overdue
