"""Reads of statutory visits and the visit clock of a child protection plan.

While a child is on a child protection plan, the child is to be seen at least
every N working days (the plan's own interval; ``safeguard.workdays``'s
``cp_visit`` by default). The clock runs from the last visit at which the
child was seen, or from the plan's start: a visit where the child was not
seen is recorded, and does not stop the clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Max, Q, QuerySet

from cases.models import Case, Plan, StatutoryVisit
from cases.models.visits import plan_visit_interval, visit_due_on
from cases.selectors.case_page import case_page_read
from cases.selectors.cases import User, has_lead_access
from safeguard import workdays
from safeguard.core.compiled import compiled_objects, compiled_rows


def visits_for(user: User, case: Case) -> QuerySet[StatutoryVisit]:
    """Visits are the lead agency's record of its work with the child; an
    involved agency does not see them (SPEC 2: assessments and visits are the
    lead agency's)."""
    if not has_lead_access(user, case):
        return StatutoryVisit.objects.none()
    return _visits(case)


def _visits(case: Case) -> QuerySet[StatutoryVisit]:
    return StatutoryVisit.objects.filter(case=case).select_related("visited_by", "recorded_by")


def latest_visits_for(user: User, case: Case, *, limit: int) -> list[StatutoryVisit]:
    """``visits_for``'s newest ``limit`` (the case page's), its statement
    compiled once per process (``safeguard.core.compiled``)."""
    if not has_lead_access(user, case):
        return []

    def build(case: Case) -> QuerySet[StatutoryVisit]:
        return _visits(case)[:limit]

    visits = compiled_objects(("latest_visits_for", limit), build, case=case)
    for visit in visits:
        StatutoryVisit.case.field.set_cached_value(visit, case)
    return visits


@dataclass(frozen=True)
class VisitClock:
    plan: Plan
    last_seen: dt.date | None
    clock: workdays.Clock

    @property
    def interval(self) -> int:
        return plan_visit_interval(self.plan)


def visit_clock_for(case: Case, today: dt.date | None = None) -> VisitClock | None:
    """The visit clock of the case's current child protection plan, if any."""
    plans = case_page_read(case, "plans")  # newest first, as the query below
    if plans is not None:
        plan = next(
            (p for p in plans if p.kind == Plan.Kind.CHILD_PROTECTION and p.end_date is None),
            None,
        )
    else:
        plan = (
            Plan.objects.filter(case=case, kind=Plan.Kind.CHILD_PROTECTION, end_date__isnull=True)
            .order_by("-start_date")
            .first()
        )
    if plan is None:
        return None
    # Asked on every case page with a plan: compiled once per process.
    found = compiled_rows(("visit_clock_last_seen",), _last_seen, case=case, since=plan.start_date)
    last_seen = found[0][0] if found else None
    return VisitClock(plan, last_seen, workdays.clock(visit_due_on(plan, last_seen), today))


def _last_seen(case: Case, since: dt.date) -> QuerySet:
    """The last day since ``since`` the child was seen on a visit: one row, or
    none for no such visit."""
    return (
        StatutoryVisit.objects.filter(case=case, visited_on__gte=since)
        .exclude(seen=StatutoryVisit.Seen.NOT_SEEN)
        .order_by()
        .values("case")
        .annotate(last=Max("visited_on"))
        .values_list("last")
    )


def visit_due_for(case: Case, visited_on: dt.date) -> dt.date | None:
    """When the visit clock said a visit on ``visited_on`` was due: from the last
    time the child was seen before that day on the child protection plan then
    current (or the plan's start). ``None`` when no such plan was current: the
    clock runs only during a plan."""
    plan = (
        Plan.objects.filter(case=case, kind=Plan.Kind.CHILD_PROTECTION, start_date__lte=visited_on)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=visited_on))
        .order_by("-start_date")
        .first()
    )
    if plan is None:
        return None
    last_seen = (
        StatutoryVisit.objects.filter(
            case=case, visited_on__gte=plan.start_date, visited_on__lt=visited_on
        )
        .exclude(seen=StatutoryVisit.Seen.NOT_SEEN)
        .aggregate(last=Max("visited_on"))["last"]
    )
    return visit_due_on(plan, last_seen)
