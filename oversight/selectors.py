"""What the oversight pages read, always for an acting user and through the
one access policy (``cases.selectors.case_visible_to``, asked as
``led_case_visible_to``, its form for a lead agency's own cases): a case the
person may not see (a restricted case they are not named on) is in no
figure, no list and no drill-down.

Figures are aggregate queries (``Count`` with a filter, grouped by month or by
worker), a constant number whatever the size of the county; lists are bounded
or keyset-paginated. The timescale figures are read from what the worker
counted (``oversight.summary``) once it has, with the person's own part read
live; the drill-downs are always live, built from the same rows
(``Measure.rows``, ``workload_cases``), so a drill-down shows the cases its
figure counts as they are now.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, UUIDField
from django.db.models.functions import Coalesce, TruncDate
from django.http import Http404
from django.utils import timezone

from agencies.models import Agency, Membership, Team
from agencies.roles import LEAD_AGENCY_ROLES, Role
from agencies.selectors import agencies_where
from cases.models import Case, Plan, Section47Enquiry
from cases.selectors import led_case_visible_to
from cases.selectors.cases import User, case_visible_to
from meetings.models import Meeting, MeetingCase
from oversight import summary
from oversight.caseloads import counted as counts_kept
from oversight.caseloads import unrestricted_open
from oversight.measures import MEASURES, Measure, add_months

# The dashboard's months are defined beside the measures (the worker's summary
# counts by them too); here for the pages and the API, as before.
from oversight.measures import MONTHS as MONTHS
from oversight.measures import last_months as last_months
from safeguard import workdays
from safeguard.audit.services import audit_record
from safeguard.core.compiled import compiled_objects, compiled_rows
from safeguard.core.lookups import one_of

UNALLOCATED_SHOWN = 10
OWED_SHOWN = 100


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _ids(agencies) -> list | QuerySet:
    """The agencies' ids: a list, or for a queryset (My work's counts) a
    subquery, so that counting needs no round trip for them."""
    if isinstance(agencies, QuerySet):
        return agencies.values("pk")
    return [a.pk for a in agencies]


def overseen_agencies(user: User) -> list[Agency]:
    """The lead agencies (children's social care) the user manages; anyone
    else has no dashboard (404)."""
    agencies = list(
        agencies_where(user, roles=[Role.MANAGER], kind=Agency.Kind.SOCIAL_CARE).order_by("name")
    )
    if not agencies:
        raise Http404("No dashboard")
    return agencies


def chaired_agencies(user: User) -> list[Agency]:
    """Lead agencies whose conferences the user chairs or arranges (chairs and
    managers); anyone else has no view of conferences owed (404)."""
    agencies = list(
        agencies_where(user, roles=[Role.CHAIR, Role.MANAGER], kind=Agency.Kind.SOCIAL_CARE)
    )
    if not agencies:
        raise Http404("No conferences view")
    return agencies


# Months ------------------------------------------------------------------------


def parse_month(value: str | None, months: list[dt.date]) -> dt.date:
    """``YYYY-MM`` within the dashboard's months, or 404."""
    try:
        month = dt.date.fromisoformat(f"{value}-01") if value and len(value) == 7 else None
    except ValueError:
        raise Http404("No such month") from None
    if month is None or month not in months:
        raise Http404("No such month")
    return month


# Caseloads and unallocated work ---------------------------------------------------


def _open_cases(user: User, agency_ids: list) -> QuerySet[Case]:
    return (
        Case.objects.filter(status=Case.Status.OPEN)
        .filter(led_case_visible_to(user, agency_ids))
        .order_by()
    )


def open_case_counts(user: User, agency_ids: list, *, allocated: bool) -> dict[tuple, int]:
    """(lead agency id, worker id or None) -> the open cases of the agencies
    the user sees: those allocated to someone, or (``allocated=False``) to
    nobody. The user holds a lead-agency role in each of the agencies (a
    manager at their dashboard), so they see every unrestricted case there:
    those come from the counts the database keeps (``oversight.caseloads``),
    and only the few restricted ones are asked the access rule, live, by a
    statement compiled once per process (building the rule took longer than
    PostgreSQL's answer). Where nothing keeps counts (SQLite), every case is
    counted live by the rule."""
    if not counts_kept():
        # Grouped by the worker's id alone: joining their names into the
        # count made PostgreSQL compare every open case with every user.
        return {
            (row["lead_agency_id"], row["allocated_worker_id"]): row["n"]
            for row in _open_cases(user, agency_ids)
            .filter(allocated_worker__isnull=not allocated)
            .values("lead_agency_id", "allocated_worker_id")
            .annotate(n=Count("pk"))
        }
    counts = unrestricted_open(agency_ids, allocated=allocated)
    build = _restricted_allocated if allocated else _restricted_unallocated
    for lead, worker in compiled_rows(
        ("oversight_restricted_open", allocated),
        build,
        person=user,
        now=timezone.now(),
        agencies=list(agency_ids),
    ):
        counts[(lead, worker)] = counts.get((lead, worker), 0) + 1
    return counts


def _restricted_open(person: User, now: dt.datetime, agencies: list) -> QuerySet:
    # The agency's open restricted cases by their own partial index
    # (``case_open_restricted``), each asked the one rule.
    return (
        Case.objects.filter(one_of(agencies, "lead_agency__pk"))
        .filter(status=Case.Status.OPEN, is_restricted=True)
        .filter(case_visible_to(person, now=now))
        .order_by()
    )


def _restricted_allocated(person: User, now: dt.datetime, agencies: list) -> QuerySet:
    return (
        _restricted_open(person, now, agencies)
        .filter(allocated_worker__isnull=False)
        .values_list("lead_agency_id", "allocated_worker_id")
    )


def _restricted_unallocated(person: User, now: dt.datetime, agencies: list) -> QuerySet:
    return (
        _restricted_open(person, now, agencies)
        .filter(allocated_worker__isnull=True)
        .values_list("lead_agency_id", "allocated_worker_id")
    )


@dataclass
class Caseload:
    agency: Agency
    worker_id: int
    name: str
    open_cases: int = 0
    teams: list[str] = field(default_factory=list)
    is_member: bool = True
    # The drill-down to the cases counted, set by the page.
    link: str = ""


def _name(first: str, last: str, username: str) -> str:
    return f"{first} {last}".strip() or username


def caseloads(user: User, agencies: list[Agency]) -> list[Caseload]:
    """Open cases allocated to each worker of the agencies (social workers and
    managers, with none if they hold none), and to anyone no longer a worker
    there who still holds some. Four queries on PostgreSQL, three on SQLite
    (one more when someone no longer a worker here holds cases): the workers,
    the counts (``open_case_counts``), their teams."""
    by_id = {a.pk: a for a in agencies}
    rows: dict[tuple, Caseload] = {}
    for agency_id, user_id, first, last, username in (
        Membership.objects.filter(
            agency_id__in=list(by_id),
            role__in=list(LEAD_AGENCY_ROLES),
            is_active=True,
            user__is_active=True,
        )
        .values_list(
            "agency_id", "user_id", "user__first_name", "user__last_name", "user__username"
        )
        .distinct()
    ):
        rows[(agency_id, user_id)] = Caseload(
            by_id[agency_id], user_id, _name(first, last, username)
        )
    counted = open_case_counts(user, list(by_id), allocated=True)
    gone = {key[1] for key in counted if key not in rows}
    names = {
        pk: _name(first, last, username)
        for pk, first, last, username in (
            get_user_model()
            .objects.filter(pk__in=gone)
            .values_list("pk", "first_name", "last_name", "username")
            if gone
            else []
        )
    }
    for key, n in counted.items():
        if key not in rows:
            rows[key] = Caseload(by_id[key[0]], key[1], names[key[1]], is_member=False)
        rows[key].open_cases = n
    for agency_id, user_id, team in Team.objects.filter(
        agency_id__in=list(by_id), members__isnull=False
    ).values_list("agency_id", "members", "name"):
        if (agency_id, user_id) in rows:
            rows[(agency_id, user_id)].teams.append(team)
    return sorted(rows.values(), key=lambda c: (c.agency.name, -c.open_cases, c.name))


@dataclass(frozen=True)
class Unallocated:
    count: int
    oldest: list[Case]


def record_dashboard_view(user: User, agencies: list[Agency], waiting: Unallocated) -> None:
    """One audit row per view of the dashboard (page or API): it names the
    children waiting longest."""
    audit_record(
        user=user,
        action="list",
        event="oversight_dashboard_viewed",
        detail={
            "agencies": [a.slug for a in agencies],
            "references": [c.reference for c in waiting.oldest],
        },
    )


def unallocated(user: User, agencies: list[Agency]) -> Unallocated:
    """Open cases nobody is allocated to: how many, and the longest waiting
    (since the case opened: an allocation is never taken back to nobody)."""
    ids = [a.pk for a in agencies]
    oldest = compiled_objects(
        ("oversight_unallocated_oldest",),
        _oldest_unallocated,
        person=user,
        now=timezone.now(),
        agencies=ids,
    )
    if len(oldest) < UNALLOCATED_SHOWN:
        count = len(oldest)
    else:
        count = sum(open_case_counts(user, ids, allocated=False).values())
    return Unallocated(count, oldest)


def _oldest_unallocated(person: User, now: dt.datetime, agencies: list) -> QuerySet[Case]:
    return (
        Case.objects.filter(status=Case.Status.OPEN, allocated_worker__isnull=True)
        .filter(led_case_visible_to(person, agencies, now=now))
        .select_related("child", "lead_agency")
        .order_by("opened_at", "id")[:UNALLOCATED_SHOWN]
    )


def workload_cases(
    user: User, agencies: list[Agency], *, agency: Agency | None, worker_id: int | None
) -> QuerySet[Case]:
    """The open cases behind a caseload figure (``worker_id``) or the
    unallocated figure (``None``), by the same rule the figures count."""
    ids = [agency.pk] if agency is not None else [a.pk for a in agencies]
    cases = _open_cases(user, ids).select_related("child", "lead_agency", "allocated_worker")
    if worker_id is None:
        return cases.filter(allocated_worker__isnull=True)
    return cases.filter(allocated_worker_id=worker_id)


# Timescale compliance --------------------------------------------------------------


@dataclass(frozen=True)
class MonthFigure:
    month: dt.date
    total: int
    on_time: int

    @property
    def late(self) -> int:
        return self.total - self.on_time

    @property
    def percent(self) -> int | None:
        """Whole per cent on time; ``None`` when nothing was due that month."""
        return round(100 * self.on_time / self.total) if self.total else None


@dataclass(frozen=True)
class Compliance:
    measure: Measure
    months: list[MonthFigure]

    @property
    def total(self) -> int:
        return sum(m.total for m in self.months)

    @property
    def on_time(self) -> int:
        return sum(m.on_time for m in self.months)

    @property
    def late(self) -> int:
        return self.total - self.on_time

    @property
    def percent(self) -> int | None:
        return round(100 * self.on_time / self.total) if self.total else None


def _from_counts(counted: dict[str, dict[dt.date, tuple[int, int]]], months) -> list[Compliance]:
    return [
        Compliance(
            measure,
            [MonthFigure(m, *counted[code].get(m, (0, 0))) for m in months],
        )
        for code, measure in MEASURES.items()
    ]


def live_compliance(user: User, agencies: list[Agency], months: list[dt.date]) -> list[Compliance]:
    """Each measure month by month, counted now over the rows the user sees
    (``Measure.rows``): one grouped query per measure. The dashboard's figures
    until the worker has counted them (``compliance_as_at``)."""
    ids = [a.pk for a in agencies]
    counted = {}
    for code, measure in MEASURES.items():
        rows = summary.by_month(
            measure.rows(user, ids),
            measure,
            months,
            total=Count("pk"),
            on_time=Count("pk", filter=measure.on_time()),
        )
        counted[code] = {m: (r["total"], r["on_time"]) for m, r in rows.items()}
    return _from_counts(counted, months)


def compliance_as_at(
    user: User, agencies: list[Agency], months: list[dt.date]
) -> tuple[list[Compliance], dt.datetime | None]:
    """Each measure month by month, and as at when: from the figures the
    worker counted (``oversight.summary``, with the person's own part read
    now), or counted now (``None``) while an agency has none yet. Either way a
    case the user may not see is in no figure."""
    as_at = summary.counted_at(agencies)
    if as_at is None:
        return live_compliance(user, agencies, months), None
    return _from_counts(summary.figures(user, agencies, months, as_at), months), as_at


def compliance(user: User, agencies: list[Agency], months: list[dt.date]) -> list[Compliance]:
    """Each measure month by month: how many were done and how many on time."""
    return compliance_as_at(user, agencies, months)[0]


OUTCOMES = {"on-time": "on time", "late": "late"}


def figure_rows(
    user: User, agencies: list[Agency], measure: Measure, month: dt.date, outcome: str | None
) -> QuerySet:
    """The rows behind one month's figure of ``measure`` (all, on time or late)."""
    rows = (
        measure.rows(user, [a.pk for a in agencies])
        .filter(measure.in_window(month, add_months(month, 1)))
        .select_related("case__child")
    )
    if outcome == "on-time":
        rows = rows.filter(measure.on_time())
    elif outcome == "late":
        rows = rows.filter(~measure.on_time())
    return rows


# Conferences owed (the chair's view) ---------------------------------------------


def latest_start_overdue(code: str, today: dt.date) -> dt.date:
    """The latest day a clock of ``code`` could have started and be overdue
    today. The due date never moves earlier as the start moves later, so
    "overdue" is "started on or before this day": one comparison in SQL, by the
    timescale's own rule (``workdays.due_date``)."""
    day = today
    while workdays.due_date(code, day) >= today:
        day -= dt.timedelta(days=1)
    return day


def _unwritten(kind: str, now: dt.datetime) -> Exists:
    # Held (its time has come) but not yet written up: no longer owed.
    return Exists(
        MeetingCase.objects.filter(
            case=OuterRef("case_id"),
            meeting__kind=kind,
            meeting__finalised_at__isnull=True,
            meeting__cancelled_at__isnull=True,
            meeting__scheduled_at__lte=now,
        )
    )


def _arranged(kind: str, now: dt.datetime) -> QuerySet:
    return MeetingCase.objects.filter(
        case=OuterRef("case_id"),
        meeting__kind=kind,
        meeting__finalised_at__isnull=True,
        meeting__cancelled_at__isnull=True,
        meeting__scheduled_at__gt=now,
    ).order_by("meeting__scheduled_at")


def _with_arranged(qs: QuerySet, kind: str, now: dt.datetime) -> QuerySet:
    arranged = _arranged(kind, now)
    return qs.annotate(
        arranged_at=Subquery(arranged.values("meeting__scheduled_at")[:1]),
        # Typed, so SQLite's 32 hex digits come back as a UUID like PostgreSQL's.
        arranged_id=Subquery(arranged.values("meeting_id")[:1], output_field=UUIDField()),
        arranged_reference=Subquery(arranged.values("meeting__reference")[:1]),
    )


def _strategy_day() -> Subquery:
    """The day of the enquiry's strategy discussion, looked up per row (as
    ``_open_case_seen``: joined, PostgreSQL hashed every meeting on record)."""
    return Subquery(
        Meeting.objects.filter(pk=OuterRef("strategy_meeting_id"))
        .annotate(day=TruncDate("scheduled_at", tzinfo=_tz()))
        .values("day")[:1]
    )


def _open_case_seen(user: User, agencies, now: dt.datetime) -> Subquery:
    """The row's case when it is open, led by one of ``agencies`` and seen by
    ``user``; else NULL. A value per row, not a join: PostgreSQL then looks up
    the case of each of the few rows owed, where a join had it misjudge how
    many rows are owed (none of these columns says much of the others) and
    hash every open case in the county (200,000) for a few hundred rows."""
    return Subquery(
        Case.objects.filter(pk=OuterRef("case_id"), status=Case.Status.OPEN)
        .filter(led_case_visible_to(user, _ids(agencies), now=now))
        .order_by()
        .values("pk")[:1]
    )


def icpcs_owed(
    user: User, agencies: list[Agency], *, arranged: bool = True, now: dt.datetime | None = None
) -> QuerySet[Section47Enquiry]:
    """Section 47 enquiries still waiting for their initial conference (as the
    ICPC clock finds them, ``meetings.clocks``): none yet, or the enquiry
    concluded for one; with ``clock_from``, the day the 15 working days run
    from (the strategy discussion, or the enquiry's start without one).
    ``now``: the time it is asked at (My work's counts give theirs)."""
    now = timezone.now() if now is None else now
    qs = (
        Section47Enquiry.objects.filter(conference__isnull=True)
        .filter(Q(completed_on__isnull=True) | Q(outcome=Section47Enquiry.Outcome.ICPC))
        .alias(owed_on=_open_case_seen(user, agencies, now))
        .filter(owed_on__isnull=False)
        .exclude(_unwritten(Meeting.Kind.ICPC, now))
        .annotate(clock_from=Coalesce(_strategy_day(), F("started_on")))
        .select_related("case__child")
    )
    if not arranged:
        return qs.order_by()
    return _with_arranged(qs, Meeting.Kind.ICPC, now).order_by("clock_from", "pk")


def reviews_owed(
    user: User, agencies: list[Agency], *, arranged: bool = True, now: dt.datetime | None = None
) -> QuerySet[Plan]:
    """Current child protection plans and the review conference each is owed by
    (the date the last conference set within the review clock)."""
    now = timezone.now() if now is None else now
    qs = (
        Plan.objects.filter(
            kind=Plan.Kind.CHILD_PROTECTION,
            end_date__isnull=True,
            next_review_on__isnull=False,
        )
        .alias(owed_on=_open_case_seen(user, agencies, now))
        .filter(owed_on__isnull=False)
        .exclude(_unwritten(Meeting.Kind.RCPC, now))
        .select_related("case__child")
    )
    if not arranged:
        return qs.order_by()
    return _with_arranged(qs, Meeting.Kind.RCPC, now).order_by("next_review_on", "pk")


@dataclass(frozen=True)
class Owed:
    rows: list
    owed: int
    late: int


def owed_summary(user: User, agencies: list[Agency], today: dt.date) -> dict[str, Owed]:
    """Both lists (their first ``OWED_SHOWN``) with how many are owed and late,
    counted in the database."""
    icpc_late = Q(clock_from__lte=latest_start_overdue("icpc", today))
    review_late = Q(next_review_on__lt=today)
    result = {}
    for key, owed, late in (
        ("icpcs", icpcs_owed, icpc_late),
        ("reviews", reviews_owed, review_late),
    ):
        counts = owed(user, agencies, arranged=False).aggregate(
            owed=Count("pk"), late=Count("pk", filter=late)
        )
        rows = list(owed(user, agencies)[:OWED_SHOWN])
        result[key] = Owed(rows, counts["owed"], counts["late"])
    return result
