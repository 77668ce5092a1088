"""My work: what needs this person's attention, gathered from each domain app
through its selectors, overdue first."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from agencies.models import Agency
from agencies.roles import CASE_WORKING_ROLES, INFORMATION_GOVERNANCE_ROLES, TRIAGE_ROLES, Role
from agencies.selectors import roles_for
from cases import selectors as case_selectors
from cases.models import Concern
from meetings.selectors import my_meetings_for
from safeguard.audit.services import audit_record
from safeguard.notifications.selectors import groups, notification_groups_for, unread_count_for
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


def _counts_wanted(user, roles: set, today, works_front_door: bool) -> dict:
    """The counts of sets that grow with the county, to read in one statement
    (``glance.counted``), each capped: the front door's queue, open cases
    nobody holds (a duty manager) and conferences owed (chairs, managers)."""
    queries = {}
    if works_front_door:
        queue = case_selectors.front_door_queue_for(user).order_by()
        # Past its decision day: due before today began (workdays.clock's "overdue").
        start_of_today = timezone.make_aware(dt.datetime.combine(today, dt.time()))
        queries.update(
            front_door=queue,
            front_door_overdue=queue.filter(decision_due_at__lt=start_of_today),
            front_door_risk=queue.filter(immediate_risk=True),
            front_door_awaiting=queue.filter(status=Concern.Status.AWAITING_AUTHORISATION),
        )
        if Role.MANAGER in roles:
            queries["unallocated"] = glance.unallocated_query(user)
    if roles_for(user, kind=Agency.Kind.SOCIAL_CARE) & {Role.CHAIR, Role.MANAGER}:
        queries.update(glance.conference_queries(user, today))
    return queries


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


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """My work: what needs this person's attention, overdue first."""
    user = request.user
    today = timezone.localdate()
    context: dict = {"roles": roles_for(user), "today": today}
    request.user_roles = context["roles"]  # read once: the navigation needs them too
    my_concerns = list(case_selectors.my_concerns_for(user)[:10])
    context["drafts"] = [c for c in my_concerns if c.status == "draft"]
    context["recent_concerns"] = [c for c in my_concerns if c.status != "draft"][:5]
    # The front door is a local authority's: a school's manager has none.
    works_front_door = bool(roles_for(user, kind=Agency.Kind.SOCIAL_CARE) & TRIAGE_ROLES)
    queries = _counts_wanted(user, context["roles"], today, works_front_door)
    if works_front_door:
        held = case_selectors.allocated_cases_for(user, limit=MY_CASES_SHOWN + 1, audit=False)
        context["my_cases"] = held[:MY_CASES_SHOWN]
        if len(held) > MY_CASES_SHOWN:  # counted only when there are more than listed
            queries["my_cases"] = case_selectors.case_list_for(user).filter(allocated_worker=user)
    found = glance.counted(queries)
    if works_front_door:
        waiting = found["front_door"]
        context["front_door"] = {
            "total": min(waiting, glance.CAP),
            "more": waiting > glance.CAP,
            "overdue": found["front_door_overdue"],
            "immediate_risk": found["front_door_risk"],
            "awaiting_authorisation": found["front_door_awaiting"],
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
    unread = groups(notification_groups_for(user, unread_only=True)[: GROUPS_READ + 1])
    context["notifications"] = unread[:UNREAD_SHOWN]
    if len(unread) > GROUPS_READ:
        request.unread_notifications = unread_count_for(user)
    else:
        request.unread_notifications = sum(g.unread for g in unread)
    return render(request, "work/home.html", context)
