"""Statutory visits to the child (SPEC 3.3): who visited, when, and whether the
child was seen, seen alone, or not seen and why.

A visit's date is what the worker says it was; its time is kept only when they
know it (an unknown time stays unknown, never midnight or "now").
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models

from cases.models.case import Case
from safeguard import workdays


class StatutoryVisit(models.Model):
    class Seen(models.TextChoices):
        SEEN_ALONE = "seen_alone", "Child seen alone"
        SEEN = "seen", "Child seen, not alone"
        NOT_SEEN = "not_seen", "Child not seen"

    class NotSeenReason(models.TextChoices):
        NO_ANSWER = "no_answer", "No one at home or no answer"
        REFUSED = "refused", "Parent or carer refused access"
        CHILD_DECLINED = "child_declined", "Child declined to see the worker"
        CHILD_AWAY = "child_away", "Child away from home (school, hospital, elsewhere)"
        OTHER = "other", "Another reason (explain in the note)"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField()
    # Only when the worker knows it.
    visited_at_time = models.TimeField(null=True, blank=True)
    seen = models.CharField(max_length=12, choices=Seen.choices)
    not_seen_reason = models.CharField(max_length=20, choices=NotSeenReason.choices, blank=True)
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    # When the visit clock said this visit was due, as it stood for the day of
    # the visit (``visit_due_on``: the interval from the last time the child was
    # seen on the child protection plan then current); empty when no plan was.
    # Kept so that "visits on time" is one comparison in an aggregate query,
    # never a working-day calendar rebuilt in SQL.
    due_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-visited_on", "-visited_at_time", "-recorded_at"]
        indexes = [models.Index(fields=["case", "visited_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(seen="not_seen", not_seen_reason__gt="")
                | (~models.Q(seen="not_seen") & models.Q(not_seen_reason="")),
                name="visit_not_seen_has_reason",
            )
        ]

    def __str__(self) -> str:
        return f"Visit to {self.case} on {self.visited_on}"

    @property
    def child_seen(self) -> bool:
        return self.seen != self.Seen.NOT_SEEN


def plan_visit_interval(plan) -> int:
    """A child protection plan's visit interval in working days: its own, or the
    local standard (``safeguard.workdays``)."""
    return plan.visit_interval_working_days or workdays.TIMESCALES["cp_visit"].working_days or 10


def visit_due_on(plan, last_seen: dt.date | None) -> dt.date:
    """When the next visit is due: the interval from the last time the child was
    seen on this plan, or from the plan's start."""
    start = max(last_seen, plan.start_date) if last_seen else plan.start_date
    return workdays.add_working_days(start, plan_visit_interval(plan))
