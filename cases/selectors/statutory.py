"""Reads of the lead agency's statutory work."""

from __future__ import annotations

import datetime as dt

from cases.models import Assessment
from safeguard import workdays


def assessment_clock(assessment: Assessment, today: dt.date | None = None) -> workdays.Clock:
    return workdays.clock(assessment.due_on, today)
