"""My work: what needs this person's attention, gathered from each domain app
through its selectors, overdue first."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Window
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from agencies.roles import TRIAGE_ROLES
from agencies.selectors import roles_for
from cases import selectors as case_selectors
from meetings.selectors import meetings_for, reports_owed_by
from safeguard import workdays
from safeguard.notifications.selectors import notifications_for

QUEUE_SHOWN = 200
UNREAD_SHOWN = 5


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """My work: what needs this person's attention, overdue first."""
    user = request.user
    today = timezone.localdate()
    context: dict = {"roles": roles_for(user)}
    request.user_roles = context["roles"]  # read once: the navigation needs them too
    my_concerns = list(case_selectors.my_concerns_for(user)[:10])
    context["drafts"] = [c for c in my_concerns if c.status == "draft"]
    context["recent_concerns"] = [c for c in my_concerns if c.status != "draft"][:5]
    if context["roles"] & TRIAGE_ROLES:
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
        context["my_cases"] = case_selectors.allocated_cases_for(user, limit=10)
    # Kind, time and chair are all the list shows: no children fetched with them.
    upcoming = meetings_for(user).filter(
        scheduled_at__gte=timezone.now(), finalised_at__isnull=True, cancelled_at__isnull=True
    )
    context["meetings"] = list(upcoming.order_by("scheduled_at")[:10])
    context["reports_due"] = list(reports_owed_by(user)[:10])
    # The newest unread, each carrying how many are unread in all (a window
    # over the whole set, counted before the limit): the header's count needs
    # no query of its own.
    unread = list(
        notifications_for(user)
        .filter(read_at__isnull=True)
        .annotate(unread_total=Window(Count("id")))[:UNREAD_SHOWN]
    )
    context["notifications"] = unread
    request.unread_notifications = unread[0].unread_total if unread else 0
    return render(request, "work/home.html", context)
