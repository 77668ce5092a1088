"""My work: what needs this person's attention, gathered from each domain app
through its selectors, overdue first."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from agencies.models import Agency
from agencies.roles import CASE_WORKING_ROLES, INFORMATION_GOVERNANCE_ROLES, TRIAGE_ROLES, Role
from agencies.selectors import roles_for
from cases import selectors as case_selectors
from meetings.selectors import my_meetings_for
from safeguard import workdays
from safeguard.audit.services import audit_record
from safeguard.notifications.selectors import groups, notification_groups_for, unread_count_for
from work import glance

QUEUE_SHOWN = 200
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


def _at_a_glance(user, context: dict, today, works_front_door: bool) -> list[glance.Count]:
    roles = context["roles"]
    counts: list[glance.Count] = []
    # The counts of sets that grow with the county, in one statement.
    queries = {}
    if works_front_door and Role.MANAGER in roles:
        queries["unallocated"] = glance.unallocated_query(user)
    overseer = bool(roles_for(user, kind=Agency.Kind.SOCIAL_CARE) & {Role.CHAIR, Role.MANAGER})
    if overseer:
        queries.update(glance.conference_queries(user, today))
    found = glance.counted(queries)
    if roles & CASE_WORKING_ROLES:
        counts += glance.case_work(context, today, unallocated=found.get("unallocated"))
    counts += glance.meeting_work(context, today)
    if overseer:
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
    if works_front_door:
        # A bounded look at the queue: its head, never a count of all of it.
        queue = list(case_selectors.front_door_queue_for(user)[: QUEUE_SHOWN + 1])
        more = len(queue) > QUEUE_SHOWN
        queue = queue[:QUEUE_SHOWN]
        overdue = [
            c
            for c in queue
            if c.decision_due_at
            and workdays.clock(workdays.local_date(c.decision_due_at), today).overdue
        ]
        context["front_door"] = {
            "total": len(queue),
            "more": more,
            "overdue": len(overdue),
            "immediate_risk": sum(1 for c in queue if c.immediate_risk),
            "awaiting_authorisation": sum(1 for c in queue if c.status == "awaiting_authorisation"),
        }
        held = case_selectors.allocated_cases_for(user, limit=MY_CASES_SHOWN + 1, audit=False)
        context["my_cases"] = held[:MY_CASES_SHOWN]
        # Counted only when there are more than the page lists.
        context["my_cases_count"] = (
            len(held)
            if len(held) <= MY_CASES_SHOWN
            else case_selectors.case_list_for(user).filter(allocated_worker=user).count()
        )
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
    context["glance"] = _at_a_glance(user, context, today, works_front_door)
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
