"""My work at a glance: for each kind of work a person's roles give them, how
many there are, each count a link to the list (or the part of the page) that
shows them. Counts are of the person's own lists, read through the selectors
each list page uses, so a count never names more than its list shows."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.urls import reverse

from agencies.models import Agency, Membership, Team
from agencies.roles import Role
from agencies.selectors import administered_agencies, agencies_where
from cases import selectors as case_selectors
from cases.models import Case
from oversight.selectors import icpcs_owed, reviews_owed
from retention.models import RetentionReview
from retention.selectors import retention_agencies_for
from safeguard.core.compiled import compiled_rows
from safeguard.notifications.selectors import (
    GROUP_COLUMNS,
    NotificationGroup,
    groups,
    notification_groups_for,
)
from subject_access.models import SubjectAccessRequest
from subject_access.selectors import requests_for

OPEN_CASES = {"status": Case.Status.OPEN}
DUE_SOON_DAYS = 7
# Counts of sets that grow with a county (open cases nobody holds, conferences
# owed) stop here and say "more than": never an exact count of a large set.
CAP = 1000


@dataclass(frozen=True, slots=True)
class Count:
    number: int
    label: str
    href: str
    warning: bool = False


def _plural(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def _query(url: str, **params: str) -> str:
    return url + "?" + "&".join(f"{k}={v}" for k, v in params.items())


@dataclass(frozen=True)
class Among:
    """Counts among one set of rows: all of them (up to the cap) and those
    matching each condition, read in one pass over the set rather than one
    pass (and one access rule) per count. Exact while the set is within the
    cap; past it ``counted`` counts the conditions each on their own."""

    rows: QuerySet
    where: dict[str, Q]


# Each set of counts' Among conditions by their Among's name, learnt when its
# statement is built (once per process), so no request builds it to ask.
_conditions: dict[tuple, dict[str, list[str]]] = {}


def _names_of(name: str, query: QuerySet | Among) -> tuple[str, ...]:
    return (name, *query.where) if isinstance(query, Among) else (name,)


def _part(i: int, query: QuerySet | Among) -> tuple[str, list]:
    """One derived table of one row: the query's count(s), each up to ``CAP`` + 1."""
    rows = query.rows if isinstance(query, Among) else query
    where = query.where if isinstance(query, Among) else {}
    flags = {
        f"w{j}": ExpressionWrapper(q, output_field=BooleanField())
        for j, q in enumerate(where.values())
    }
    inner = rows.order_by().annotate(**flags).values("pk", *flags)[: CAP + 1]
    sql, params = inner.query.sql_with_params()
    counts = ["count(*)", *(f'count(*) FILTER (WHERE counted{i}."{flag}")' for flag in flags)]
    # Django compiled the SQL; every value in it is a parameter.
    part = f"(SELECT {', '.join(counts)} FROM ({sql}) counted{i}) part{i}"  # noqa: S608
    return part, list(params)


def counted(
    names: tuple[str, ...],
    build: Callable[..., dict[str, QuerySet | Among]],
    **values: Any,
) -> dict[str, int]:
    """How many rows each of ``build(**values)``'s queries has (``names``, in
    order: an ``Among``'s own name, then its conditions'), each up to ``CAP``
    + 1, all in one statement. The queries are compiled by Django, so each
    keeps its own access rule; the statement is compiled once per set of
    names (``safeguard.core.compiled``), as building a dozen access rules
    took the ORM longer than PostgreSQL took to count."""
    if not names:
        return {}

    key = ("glance.counted", names, CAP)

    def statement(**given: Any) -> tuple[str, list]:
        queries = build(**given)
        built = tuple(n for name, q in queries.items() for n in _names_of(name, q))
        if built != names:
            raise ValueError(f"counted {built}, not {names}")
        _conditions[key] = {n: list(q.where) for n, q in queries.items() if isinstance(q, Among)}
        parts, params = [], []
        for i, query in enumerate(queries.values()):
            sql, more = _part(i, query)
            parts.append(sql)
            params += more
        # Each part is a derived table of one row: their cross join is one row.
        return "SELECT * FROM " + " CROSS JOIN ".join(parts), params  # noqa: S608

    # The cap is written into the statement: a statement per cap.
    row = compiled_rows(key, statement, **values)[0]
    found = dict(zip(names, row, strict=True))
    # Past the cap, a condition's count over the first rows read is not its
    # count: ask those again, each on its own (a queue of over a thousand).
    recount = [
        condition
        for name, conditions in _conditions[key].items()
        if found[name] > CAP
        for condition in conditions
    ]
    if recount:
        alone = tuple(recount)
        found.update(counted(alone, functools.partial(_each_alone, build, alone), **values))
    return found


def _each_alone(build: Callable, names: tuple[str, ...], **values: Any) -> dict[str, QuerySet]:
    queries = build(**values)
    alone = {
        name: query.rows.filter(condition)
        for query in queries.values()
        if isinstance(query, Among)
        for name, condition in query.where.items()
    }
    return {name: alone[name] for name in names}


def unread_groups_for(user, *, limit: int) -> list[NotificationGroup]:
    """The first ``limit`` groups of the person's unread notifications, newest
    first: ``notification_groups_for``'s statement, compiled once per process
    (``safeguard.core.compiled``)."""

    def build(person) -> QuerySet:
        unread = notification_groups_for(person, unread_only=True)
        return unread.values_list(*GROUP_COLUMNS)[:limit]

    rows = compiled_rows(("unread_groups_for", limit), build, person=user)
    return groups(dict(zip(GROUP_COLUMNS, row, strict=True)) for row in rows)


def _many(n: int, words: str) -> str:
    return f"More than {CAP:,} {words}" if n > CAP else f"{n} {words}"


def unallocated_query(user, *, now: dt.datetime) -> QuerySet:
    """Open cases the manager sees that nobody holds: the rule as
    ``case_visible_led_first``, so the cases of the agencies they lead are
    read off a partial index of just those (``case_unallocated_by_lead``,
    which carries ``is_restricted``) with no grant probed for each."""
    return Case.objects.filter(
        case_selectors.case_visible_led_first(user, now=now),
        allocated_worker__isnull=True,
        **OPEN_CASES,
    )


def case_work(context: dict, today: dt.date, *, unallocated: int | None = None) -> list[Count]:
    """Counts for those who work cases: what is overdue and due today among the
    dated work listed, their open cases, meetings and reports, and (for a lead
    agency's manager, ``unallocated`` counted by ``counted``) the open cases
    nobody holds."""
    counts: list[Count] = []
    due = context.get("due") or []
    soon_until = today + dt.timedelta(days=DUE_SOON_DAYS)
    # The list is cut at its length, soonest first: the kind its last item
    # is of may have more beyond it, so that count says "more than".
    last = due[-1].due_on if due and context.get("due_more") else None

    def label(words: str, within) -> str:
        return f"More than {words}" if last is not None and within(last) else words

    overdue = sum(1 for d in due if d.due_on < today)
    if overdue:
        words = _plural(overdue, "item overdue", "items overdue")
        counts.append(Count(overdue, label(words, lambda d: d < today), "#due", True))
    today_n = sum(1 for d in due if d.due_on == today)
    if today_n:
        words = f"{today_n} due today"
        counts.append(Count(today_n, label(words, lambda d: d == today), "#due", True))
    soon = sum(1 for d in due if today < d.due_on <= soon_until)
    if soon:
        words = f"{soon} due in the next {DUE_SOON_DAYS} days"
        counts.append(Count(soon, label(words, lambda d: today < d <= soon_until), "#due"))
    if "my_cases_count" in context:
        n = context["my_cases_count"]
        url = _query(reverse("case_list"), allocated="me")
        words = "case allocated to you" if n == 1 else "cases allocated to you"
        counts.append(Count(n, _many(n, words), url))
    if unallocated is not None:
        n = unallocated
        url = _query(reverse("case_list"), allocated="none", status=Case.Status.OPEN)
        words = "open case not allocated" if n == 1 else "open cases not allocated"
        counts.append(Count(n, _many(n, words), url, n > 0))
    return counts


def meeting_work(context: dict, today: dt.date) -> list[Count]:
    counts: list[Count] = []
    if n := len(context.get("to_write_up") or []):
        counts.append(
            Count(
                n, _plural(n, "meeting to write up", "meetings to write up"), "#to-write-up", True
            )
        )
    if n := len(context.get("reports_due") or []):
        counts.append(
            Count(
                n, _plural(n, "report your agency owes", "reports your agency owes"), "#reports-due"
            )
        )
    if n := len(context.get("meetings") or []):
        # The list of open meetings from today, soonest first: those coming up.
        url = _query(
            reverse("meeting_list"),
            state="open",
            sort="oldest",
            date_from_0=str(today.day),
            date_from_1=str(today.month),
            date_from_2=str(today.year),
        )
        counts.append(Count(n, _plural(n, "meeting coming up", "meetings coming up"), url))
    return counts


def conference_queries(
    user, *, now: dt.datetime, today: dt.date, icpc_late_from: dt.date
) -> dict[str, QuerySet]:
    """For a lead agency's chairs and managers: the initial and review
    conferences the clocks say are owed and not yet held, and those late, as
    the Conferences due page counts them (the page lists them, late first).
    ``icpc_late_from``: ``latest_start_overdue("icpc", today)``, given rather
    than worked out here so that the counts compile once."""
    agencies = agencies_where(user, roles=[Role.CHAIR, Role.MANAGER], kind=Agency.Kind.SOCIAL_CARE)
    icpcs = icpcs_owed(user, agencies, arranged=False, now=now)
    reviews = reviews_owed(user, agencies, arranged=False, now=now)
    return {
        "icpcs": Among(icpcs, {"icpcs_late": Q(clock_from__lte=icpc_late_from)}),
        "reviews": Among(reviews, {"reviews_late": Q(next_review_on__lt=today)}),
    }


def conferences_owed(counts: dict[str, int]) -> list[Count]:
    """The line for ``conference_queries`` once ``counted``."""
    owed = counts["icpcs"] + counts["reviews"]
    late = counts["icpcs_late"] + counts["reviews_late"]
    label = _many(owed, "conference owed" if owed == 1 else "conferences owed")
    if late:
        label += f", {_many(late, 'late')}" if late > CAP else f", {late} late"
    return [Count(owed, label, reverse("conferences_due"), late > 0)]


def administration(user) -> list[Count]:
    """An agency administrator's work is the agency's members and teams."""
    counts: list[Count] = []
    for agency in administered_agencies(user).order_by("name"):
        active = Membership.objects.filter(agency=agency, is_active=True)
        members = active.values("user").distinct().count()
        counts.append(
            Count(
                members,
                f"{_plural(members, 'active member', 'active members')} of {agency.name}",
                reverse("agency_members", args=[agency.slug]),
            )
        )
        teams = Team.objects.filter(agency=agency).count()
        counts.append(
            Count(
                teams,
                f"{_plural(teams, 'team', 'teams')} in {agency.name}",
                reverse("agency_teams", args=[agency.slug]),
            )
        )
    return counts


def information_governance(user, today: dt.date) -> list[Count]:
    """An auditor's work: subject access requests not yet sent (those past
    their statutory date flagged) and records waiting for a retention review."""
    counts: list[Count] = []
    open_requests = requests_for(user).exclude(status=SubjectAccessRequest.Status.SENT)
    n = open_requests.count()
    late = open_requests.filter(due_on__lt=today).count() if n else 0
    label = _plural(n, "subject access request open", "subject access requests open")
    if late:
        label += f", {late} past the date it must be answered by"
    counts.append(Count(n, label, reverse("subject_access_list"), late > 0))
    agencies: list[Agency] = list(retention_agencies_for(user))
    if agencies:
        n = RetentionReview.objects.filter(agency__in=agencies).count()
        label = _plural(
            n, "record waiting for a retention review", "records waiting for a retention review"
        )
        counts.append(Count(n, label, reverse("retention_queue")))
    return counts


__all__ = [
    "Among",
    "Count",
    "administration",
    "case_work",
    "conference_queries",
    "conferences_owed",
    "counted",
    "unallocated_query",
    "information_governance",
    "meeting_work",
]
