"""What is already known about children a front-door worker is looking at.

A duty worker deciding whether a new concern is about a child the service
already holds must see, beside each possible match, whether that child has an
open case, a current plan and recent concerns (issue 14: nothing said the child
was already known). Everything comes through the user's own scopes: a case,
plan or concern they may not see adds nothing, not even a count.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone

from cases.models import Case, Plan
from cases.selectors.cases import User, cases_for
from cases.selectors.concerns import concerns_for

# "Recent" as the front door reads a history: the last year of concerns.
RECENT = dt.timedelta(days=365)


@dataclass
class Known:
    open_cases: list[Case] = field(default_factory=list)
    current_plans: list[Plan] = field(default_factory=list)
    recent_concerns: int = 0

    def __bool__(self) -> bool:
        return bool(self.open_cases or self.current_plans or self.recent_concerns)


def known_about(user: User, child_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Known]:
    """For each child, what ``user`` may see of its open cases, current plans and
    concerns of the last year: three queries whatever the number of children."""
    ids = list(child_ids)
    known = {pk: Known() for pk in ids}
    if not ids:
        return known
    today = timezone.localdate()
    cases = (
        cases_for(user)
        .filter(child_id__in=ids, status=Case.Status.OPEN)
        .select_related("lead_agency", "allocated_worker")
        .order_by("opened_at")
    )
    for case in cases:
        known[case.child_id].open_cases.append(case)
    plans = (
        Plan.objects.filter(case__in=cases_for(user).filter(child_id__in=ids).values("pk"))
        .filter(start_date__lte=today)
        .exclude(end_date__lt=today)
        .select_related("case")
        .order_by("start_date")
    )
    for plan in plans:
        known[plan.case.child_id].current_plans.append(plan)
    recent = (
        concerns_for(user)
        .filter(child_id__in=ids, submitted_at__gte=timezone.now() - RECENT)
        .order_by()
        .values("child_id")
        .annotate(n=Count("pk"))
    )
    for row in recent:
        known[row["child_id"]].recent_concerns = row["n"]
    return known
