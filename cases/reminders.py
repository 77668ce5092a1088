"""What comes due in case work, for ``safeguard.notifications`` to remind about.

Each provider takes the horizon (the last due date worth a reminder today) and
yields every open item due on or before it. People are looked up once per
sweep by agency and role, never per item, so a sweep over 100k items costs a
handful of queries. On a restricted case only its named people are reminded
(managers are told, as for break-glass, when nobody named is responsible).

The other apps' providers (meetings, referrals) use the same public helpers:
``AgencyPeople`` for who works in an agency, ``CaseItems`` and
``lead_worker_items`` for work on a case, ``link_maker`` and ``end_of_day``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse

from agencies.models import Membership
from agencies.roles import CASE_WORKING_ROLES, Role
from cases.models import Assessment, Case, CaseAction, Concern, NamedAccess, Plan
from safeguard import workdays
from safeguard.notifications.registry import DueItem, register

People = dict[object, tuple[int, ...]]


def members_by_agency(agency_ids: Iterable, roles: Iterable[str]) -> People:
    """Active members holding any of ``roles``, by agency id, in one query."""
    found: dict[object, set[int]] = defaultdict(set)
    rows = Membership.objects.filter(
        agency_id__in=set(agency_ids),
        role__in=list(roles),
        is_active=True,
        user__is_active=True,
    ).values_list("agency_id", "user_id")
    for agency_id, user_id in rows:
        found[agency_id].add(user_id)
    return {agency_id: tuple(sorted(users)) for agency_id, users in found.items()}


def _named_by_case(case_ids: Iterable) -> dict[object, set[int]]:
    named: dict[object, set[int]] = defaultdict(set)
    for case_id, user_id in NamedAccess.objects.filter(case_id__in=set(case_ids)).values_list(
        "case_id", "user_id"
    ):
        named[case_id].add(user_id)
    return named


def link_maker(url_name: str) -> Callable[[object], str]:
    """``reverse`` once per sweep, not once per item: 100k reverses cost seconds."""
    placeholder = str(uuid.UUID(int=0))
    template = reverse(url_name, args=[placeholder])
    return lambda pk: template.replace(placeholder, str(pk))


def end_of_day(day: dt.date) -> dt.datetime:
    """The first moment after ``day`` in local time: deadlines are stored as datetimes."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), ZoneInfo(settings.TIME_ZONE))


class AgencyPeople:
    """Who works in each of many agencies, looked up once per sweep: its workers
    (``workers`` roles; ``()`` for none) and its managers, who are escalated to."""

    def __init__(self, agency_ids: Iterable, *, workers: Iterable[str] = CASE_WORKING_ROLES):
        ids = set(agency_ids)
        roles = list(workers)
        self._workers = members_by_agency(ids, roles) if roles else {}
        self._managers = members_by_agency(ids, [Role.MANAGER])

    def workers(self, agency_id, *, person_id: int | None = None) -> tuple[int, ...]:
        """The named person when there is one, else the agency's workers."""
        return (person_id,) if person_id else self._workers.get(agency_id, ())

    def managers(self, agency_id) -> tuple[int, ...]:
        return self._managers.get(agency_id, ())


class CaseItems:
    """Items on a case (rows with ``CASE_FIELDS``): who is responsible and who
    escalates, narrowed on a restricted case to the people named on it."""

    def __init__(self, rows: list[dict]) -> None:
        self.rows = rows
        self.lead = AgencyPeople(
            (r["case__lead_agency_id"] for r in rows), workers=[Role.SOCIAL_WORKER]
        )
        self.named = _named_by_case(r["case_id"] for r in rows if r["case__is_restricted"])

    def people(self, row: dict, responsible: tuple[int, ...]) -> tuple[tuple, tuple]:
        managers = self.lead.managers(row["case__lead_agency_id"])
        if row["case__is_restricted"]:
            named = self.named.get(row["case_id"], set())
            responsible = tuple(u for u in responsible if u in named)
            managers = tuple(u for u in managers if u in named) or managers
            if not responsible:
                responsible = managers
        return responsible, managers

    def lead_worker(self, row: dict) -> tuple[int, ...]:
        """The allocated worker, or the lead agency's social workers while unallocated."""
        if row["case__allocated_worker_id"]:
            return (row["case__allocated_worker_id"],)
        return self.lead.workers(row["case__lead_agency_id"])


CASE_FIELDS = (
    "case_id",
    "case__reference",
    "case__lead_agency_id",
    "case__allocated_worker_id",
    "case__is_restricted",
)


def lead_worker_items(
    rows: list[dict],
    *,
    subject: Callable[[dict], str],
    due_on: Callable[[dict], dt.date],
    url_name: str = "case_detail",
) -> Iterator[DueItem]:
    """One item per row (with ``CASE_FIELDS``) for the case's lead worker,
    escalated to the lead agency's managers, linking to the case (or
    ``url_name`` with the case id): the shape of most case work that comes due."""
    items = CaseItems(rows)
    link = link_maker(url_name)
    for row in rows:
        responsible, managers = items.people(row, items.lead_worker(row))
        yield DueItem(
            subject=subject(row),
            due_on=due_on(row),
            reference=row["case__reference"],
            link_path=link(row["case_id"]),
            responsible=responsible,
            managers=managers,
        )


@register("triage_decision", label="Triage decision")
def triage_decisions(horizon: dt.date) -> Iterator[DueItem]:
    """Concerns awaiting a decision (social workers) or its authorisation (managers)."""
    rows = list(
        Concern.objects.filter(
            status__in=[Concern.Status.SUBMITTED, Concern.Status.AWAITING_AUTHORISATION],
            decision_due_at__lt=end_of_day(horizon),
        ).values("pk", "reference", "status", "lead_agency_id", "decision_due_at")
    )
    people = AgencyPeople((r["lead_agency_id"] for r in rows), workers=[Role.SOCIAL_WORKER])
    concern_triage_link = link_maker("concern_triage")
    for row in rows:
        agency_managers = people.managers(row["lead_agency_id"])
        awaiting_manager = row["status"] == Concern.Status.AWAITING_AUTHORISATION
        yield DueItem(
            subject=f"concern:{row['pk']}",
            due_on=workdays.local_date(row["decision_due_at"]),
            reference=row["reference"] or "",
            link_path=concern_triage_link(row["pk"]),
            responsible=agency_managers
            if awaiting_manager
            else people.workers(row["lead_agency_id"]),
            managers=agency_managers,
        )


@register("assessment", label="Child and family assessment")
def assessments(horizon: dt.date) -> Iterator[DueItem]:
    rows = list(
        Assessment.objects.filter(
            completed_on__isnull=True, due_on__lte=horizon, case__status=Case.Status.OPEN
        ).values("pk", "due_on", *CASE_FIELDS)
    )
    yield from lead_worker_items(
        rows, subject=lambda row: f"assessment:{row['pk']}", due_on=lambda row: row["due_on"]
    )


@register("action", label="Action")
def actions(horizon: dt.date) -> Iterator[DueItem]:
    """Open actions: their owner, or else the agency they are assigned to; its managers escalate."""
    rows = list(
        CaseAction.objects.filter(
            status=CaseAction.Status.OPEN, due_on__lte=horizon, case__status=Case.Status.OPEN
        ).values("pk", "due_on", "owner_id", "agency_id", *CASE_FIELDS)
    )
    items = CaseItems(rows)
    people = AgencyPeople(r["agency_id"] for r in rows)
    case_detail_link = link_maker("case_detail")
    for row in rows:
        owner = people.workers(row["agency_id"], person_id=row["owner_id"])
        responsible, _ = items.people(row, owner)
        agency_managers = people.managers(row["agency_id"])
        if row["case__is_restricted"]:
            _, agency_managers = items.people(row, ())
        yield DueItem(
            subject=f"action:{row['pk']}",
            due_on=row["due_on"],
            reference=row["case__reference"],
            link_path=case_detail_link(row["case_id"]),
            responsible=responsible,
            managers=agency_managers,
        )


def _plan_reviews(horizon: dt.date, kind: str) -> Iterator[DueItem]:
    rows = list(
        Plan.objects.filter(
            kind=kind,
            end_date__isnull=True,
            next_review_on__lte=horizon,
            case__status=Case.Status.OPEN,
        ).values("pk", "next_review_on", *CASE_FIELDS)
    )
    yield from lead_worker_items(
        rows, subject=lambda row: f"plan:{row['pk']}", due_on=lambda row: row["next_review_on"]
    )


@register("review_conference", label="Child protection review conference")
def review_conferences(horizon: dt.date) -> Iterator[DueItem]:
    return _plan_reviews(horizon, Plan.Kind.CHILD_PROTECTION)


@register("plan_review", label="Child in need plan review")
def plan_reviews(horizon: dt.date) -> Iterator[DueItem]:
    return _plan_reviews(horizon, Plan.Kind.CHILD_IN_NEED)


@register("restriction_review", label="Review of the case's restriction")
def restriction_reviews(horizon: dt.date) -> Iterator[DueItem]:
    """Every restriction is reviewed on a 90-day cycle by the lead agency's managers."""
    rows = list(
        Case.objects.filter(
            is_restricted=True, status=Case.Status.OPEN, restriction_review_due__lte=horizon
        ).values("pk", "reference", "lead_agency_id", "restriction_review_due")
    )
    people = AgencyPeople((r["lead_agency_id"] for r in rows), workers=())
    named = _named_by_case(r["pk"] for r in rows)
    case_restrict_link = link_maker("case_restrict")
    for row in rows:
        agency_managers = people.managers(row["lead_agency_id"])
        responsible = tuple(u for u in agency_managers if u in named.get(row["pk"], set()))
        yield DueItem(
            subject=f"case:{row['pk']}",
            due_on=row["restriction_review_due"],
            reference=row["reference"],
            link_path=case_restrict_link(row["pk"]),
            responsible=responsible or agency_managers,
            managers=agency_managers,
        )


@register("cp_visit", label="Statutory visit to a child on a child protection plan")
def cp_visits(horizon: dt.date) -> Iterator[DueItem]:
    """A child on a child protection plan not seen within the plan's visit
    interval: the allocated worker, escalated to the lead agency's managers.
    Keyed by the plan and the due date, so a visit that moves the date stops the
    old reminder and each stage of the new one is sent once."""
    from django.db.models import Max, OuterRef, Subquery

    from cases.models import StatutoryVisit
    from cases.models.visits import visit_due_on

    last_seen = (
        StatutoryVisit.objects.filter(
            case_id=OuterRef("case_id"), visited_on__gte=OuterRef("start_date")
        )
        .exclude(seen=StatutoryVisit.Seen.NOT_SEEN)
        .values("case_id")
        .annotate(last=Max("visited_on"))
        .values("last")
    )
    plans = Plan.objects.filter(
        kind=Plan.Kind.CHILD_PROTECTION, end_date__isnull=True, case__status=Case.Status.OPEN
    ).annotate(last_seen=Subquery(last_seen))
    rows = []
    for plan in plans.only("pk", "start_date", "visit_interval_working_days", "case_id").values(
        "pk", "start_date", "visit_interval_working_days", "last_seen", *CASE_FIELDS
    ):
        holder = Plan(
            start_date=plan["start_date"],
            visit_interval_working_days=plan["visit_interval_working_days"],
        )
        plan["visit_due"] = visit_due_on(holder, plan["last_seen"])
        if plan["visit_due"] <= horizon:
            rows.append(plan)
    yield from lead_worker_items(
        rows, subject=lambda row: f"visit:{row['pk']}", due_on=lambda row: row["visit_due"]
    )
