"""My work: what needs this person's attention, gathered from each domain app
through its selectors, overdue first."""

import datetime as dt
import functools

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from agencies.models import Agency
from agencies.roles import CASE_WORKING_ROLES, INFORMATION_GOVERNANCE_ROLES, TRIAGE_ROLES, Role
from agencies.selectors import roles_for
from cases import selectors as case_selectors
from cases.models import Concern
from meetings.selectors import my_meetings_for
from oversight.selectors import latest_start_overdue
from safeguard.audit.services import audit_record
from safeguard.notifications.selectors import unread_count_for
from work import glance

UNREAD_SHOWN = 5
DUE_SHOWN = 15
MY_CASES_SHOWN = 10
GROUPS_READ = 100


def _audit_what_is_named(user, context: dict, mine) -> None:
    """My work names children (allocated cases, due dates, meetings): one audit
    row per view naming every case and meeting shown; nothing shown, no row."""
    cases = [c.reference for c in context.get("my_cases", [])]
    cases += [d.case_reference for d in context.get("due", [])]
    meetings = sorted({m.reference for m in mine.all()})
    if cases or meetings:
        audit_record(
            user=user,
            action="list",
            event="my_work_listed",
            detail={"references": sorted(set(cases)), "meetings": meetings},
        )


def _counts_wanted(user, roles: set, works_front_door: bool) -> tuple[str, ...]:
    """The counts of sets that grow with the county, to read in one statement
    (``glance.counted``), each capped: the front door's queue, open cases
    nobody holds (a duty manager) and conferences owed (chairs, managers)."""
    names: list[str] = []
    if works_front_door:
        names += FRONT_DOOR_COUNTS
        if Role.MANAGER in roles:
            names.append("unallocated")
    if roles_for(user, kind=Agency.Kind.SOCIAL_CARE) & {Role.CHAIR, Role.MANAGER}:
        names += CONFERENCE_COUNTS
    return tuple(names)


FRONT_DOOR_COUNTS = ["front_door", "front_door_overdue", "front_door_risk", "front_door_awaiting"]
CONFERENCE_COUNTS = ["icpcs", "icpcs_late", "reviews", "reviews_late"]


def _count_queries(
    names: tuple[str, ...],
    person,
    now: dt.datetime,
    today: dt.date,
    today_began: dt.datetime,
    icpc_late_from: dt.date,
) -> dict:
    """The queries behind ``names``, for ``glance.counted``: every value that
    varies (the person, the time) is a parameter, so the statement compiles
    once per set of names."""
    queries = {}
    if "front_door" in names:
        queue = case_selectors.front_door_queue_for(person, now=now).order_by()
        queries["front_door"] = glance.Among(
            queue,
            {
                # Past its decision day: due before today began (workdays.clock's "overdue").
                "front_door_overdue": Q(decision_due_at__lt=today_began),
                "front_door_risk": Q(immediate_risk=True),
                "front_door_awaiting": Q(status=Concern.Status.AWAITING_AUTHORISATION),
            },
        )
    if "unallocated" in names:
        queries["unallocated"] = glance.unallocated_query(person, now=now)
    if "icpcs" in names:
        queries.update(
            glance.conference_queries(person, now=now, today=today, icpc_late_from=icpc_late_from)
        )
    if "my_cases" in names:
        cases = case_selectors.case_list_for(person, now=now)
        queries["my_cases"] = cases.filter(allocated_worker=person)
    # In the order of ``names`` (an Among's conditions follow its own name).
    return {name: queries[name] for name in names if name in queries}


def _counts(user, names: tuple[str, ...], now: dt.datetime, today: dt.date) -> dict[str, int]:
    return glance.counted(
        names,
        functools.partial(_count_queries, names),
        person=user,
        now=now,
        today=today,
        today_began=timezone.make_aware(dt.datetime.combine(today, dt.time())),
        icpc_late_from=latest_start_overdue("icpc", today),
    )


def _at_a_glance(user, context: dict, today, found: dict) -> list[glance.Count]:
    roles = context["roles"]
    counts: list[glance.Count] = []
    if roles & CASE_WORKING_ROLES:
        counts += glance.case_work(context, today, unallocated=found.get("unallocated"))
    counts += glance.meeting_work(context, today)
    if "icpcs" in found:
        counts += glance.conferences_owed(found)
    if Role.AGENCY_ADMIN in roles:
        counts += glance.administration(user)
    if roles & INFORMATION_GOVERNANCE_ROLES:
        counts += glance.information_governance(user, today)
    return counts


def _shown(n: int) -> int | str:
    """A count as the page says it: past the cap, "more than" the cap."""
    return f"More than {glance.CAP:,}" if n > glance.CAP else n


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """My work: what needs this person's attention, overdue first."""
    user = request.user
    now = timezone.now()
    today = timezone.localdate(now)
    context: dict = {"roles": roles_for(user), "today": today}
    request.user_roles = context["roles"]  # read once: the navigation needs them too
    my_concerns = case_selectors.my_latest_concerns_for(user, limit=10, now=now)
    context["drafts"] = [c for c in my_concerns if c.status == "draft"]
    context["recent_concerns"] = [c for c in my_concerns if c.status != "draft"][:5]
    # The front door is a local authority's: a school's manager has none.
    works_front_door = bool(roles_for(user, kind=Agency.Kind.SOCIAL_CARE) & TRIAGE_ROLES)
    names = _counts_wanted(user, context["roles"], works_front_door)
    if works_front_door:
        held = case_selectors.allocated_cases_for(
            user, limit=MY_CASES_SHOWN + 1, audit=False, now=now
        )
        context["my_cases"] = held[:MY_CASES_SHOWN]
        if len(held) > MY_CASES_SHOWN:  # counted only when there are more than listed
            names += ("my_cases",)
    found = _counts(user, names, now, today)
    if works_front_door:
        waiting = found["front_door"]
        context["front_door"] = {
            "total": min(waiting, glance.CAP),
            "more": waiting > glance.CAP,
            "overdue": _shown(found["front_door_overdue"]),
            "immediate_risk": _shown(found["front_door_risk"]),
            "awaiting_authorisation": _shown(found["front_door_awaiting"]),
        }
        context["my_cases_count"] = found.get("my_cases", len(held))
    if context["roles"] & CASE_WORKING_ROLES:
        # Dated work, soonest first: the person's actions and the statutory
        # dates of the cases they hold, each with the child's name.
        due = case_selectors.due_work_for(user, limit=DUE_SHOWN + 1, audit=False)
        context["due"], context["due_more"] = due[:DUE_SHOWN], len(due) > DUE_SHOWN
    mine = my_meetings_for(user)
    context.update(
        meetings=mine.upcoming, reports_due=mine.reports_due, to_write_up=mine.to_write_up
    )
    _audit_what_is_named(user, context, mine)
    context["glance"] = _at_a_glance(user, context, today, found)
    # Unread notifications, one line per kind and thing (five "new action"
    # lines on one case are one line), each a link to what it is about.
    # The badge counts every unread one: summed from the groups when they are
    # few enough to read (nearly always), counted otherwise.
    unread = glance.unread_groups_for(user, limit=GROUPS_READ + 1)
    context["notifications"] = unread[:UNREAD_SHOWN]
    if len(unread) > GROUPS_READ:
        request.unread_notifications = unread_count_for(user)
    else:
        request.unread_notifications = sum(g.unread for g in unread)
    return render(request, "work/home.html", context)
