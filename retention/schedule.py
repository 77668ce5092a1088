"""The retention schedule: how long each kind of record is kept, from when, and
on whose authority.

A child's record is kept as one file for as long as its longest-kept part
requires (a child who had a child protection plan keeps everything, the
concerns before it included, for the child protection period), because the
value of a safeguarding record is the whole history: a later inquiry or a
care leaver's request for their file needs the concerns that led to the plan
as much as the plan. A concern that never led to a child's record stands on
its own.

The defaults below are a council's to change (``RETENTION_SCHEDULE`` for every
council, ``RETENTION_COUNCIL_SCHEDULES`` for one lead agency by slug): the law
sets no single period for these records, so each council adopts its own in its
retention schedule and must be able to show why. The sources each default
follows:

- ``child_protection``, 35 years after the case closes: the period children's
  services commonly adopt for child protection records (section 47 enquiries,
  conference minutes, child protection plans and the case recording around
  them), following the IRMS Information Management Toolkit for Local
  Government (children's social care). Held lawful and proportionate in
  R (C) v Northumberland County Council [2015] EWHC 2134 (Admin), against a
  challenge that six years from the eighteenth birthday was enough.
- ``child_in_need``, until the child's 25th birthday: the IRMS Toolkit's
  period for the social care records of a child who was never subject to a
  child protection plan or looked after. It is based on the Limitation Act
  1980: a claim a child could bring runs from their 18th birthday (six years
  for most claims), so the record outlives it with a margin.
- ``concern_no_case``, 6 years after the decision: a contact or concern that
  led to no case (no further action, advice, early help or a referral
  elsewhere). Based on the Limitation Act 1980's six years for a claim in
  contract or tort, the period council schedules built on the IRMS Toolkit
  commonly give contacts that go no further.

Working Together to Safeguard Children 2023 expects every agency to keep
clear, accurate records and to share them to protect children, but sets no
retention period: it leaves that to each organisation's schedule, which is why
every figure here can be changed. UK GDPR Article 5(1)(e) (storage limitation)
is why records are destroyed at all once the period ends; a legal hold (an
inquiry, litigation, a complaint) stops destruction whatever the schedule says.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Rule:
    code: str
    label: str
    years: int
    counts_from: str
    source: str


DEFAULT_RULES: tuple[Rule, ...] = (
    Rule(
        code="child_protection",
        label="Child protection record",
        years=35,
        counts_from="the day the last case with a child protection plan closed",
        source=(
            "IRMS Information Management Toolkit for Local Government (children's social "
            "care); R (C) v Northumberland CC [2015] EWHC 2134 (Admin)"
        ),
    ),
    Rule(
        code="child_in_need",
        label="Child in need record",
        years=25,
        counts_from="the child's date of birth (kept until their 25th birthday)",
        source=(
            "IRMS Information Management Toolkit for Local Government (children's social "
            "care); Limitation Act 1980"
        ),
    ),
    Rule(
        code="concern_no_case",
        label="Concern closed without a case",
        years=6,
        counts_from="the day the triage decision was made",
        source="IRMS Information Management Toolkit for Local Government; Limitation Act 1980",
    ),
)
# An officer's decision to keep a record longer: its date is the one they set.
EXTENDED = "extended"
EXTENDED_LABEL = "Kept longer by an officer's decision"


class ScheduleError(ValueError):
    pass


def _overrides(agency_slug: str) -> dict[str, int]:
    merged: dict[str, int] = {}
    for source in (
        settings.RETENTION_SCHEDULE,
        settings.RETENTION_COUNCIL_SCHEDULES.get(agency_slug, {}),
    ):
        for code, years in source.items():
            if code not in {rule.code for rule in DEFAULT_RULES}:
                raise ScheduleError(f"Unknown retention rule {code!r} in the schedule settings")
            if not isinstance(years, int) or years < 1:
                raise ScheduleError(f"Retention rule {code!r} needs a whole number of years")
            merged[code] = years
    return merged


def schedule_for(agency_slug: str) -> dict[str, Rule]:
    """The rules a council (a lead agency, by slug) applies, its own figures first."""
    overrides = _overrides(agency_slug)
    return {
        rule.code: Rule(
            rule.code,
            rule.label,
            overrides.get(rule.code, rule.years),
            rule.counts_from,
            rule.source,
        )
        for rule in DEFAULT_RULES
    }


def rule_label(code: str) -> str:
    if code == EXTENDED:
        return EXTENDED_LABEL
    return next((rule.label for rule in DEFAULT_RULES if rule.code == code), code)


def add_years(day: dt.date, years: int) -> dt.date:
    """``day`` plus whole years; 29 February falls back to 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def validate_settings() -> None:
    """Fail at start-up, not at the first destruction, on a mistyped schedule."""
    _overrides("")
    for slug in settings.RETENTION_COUNCIL_SCHEDULES:
        _overrides(slug)
