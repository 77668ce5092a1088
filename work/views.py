"""My work: what needs this person's attention, gathered from each domain app
through its selectors, overdue first."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from agencies.roles import TRIAGE_ROLES
from agencies.selectors import has_role, roles_for
from cases import selectors as case_selectors
from meetings.selectors import meeting_list_for, reports_owed_by
from safeguard import workdays
from safeguard.notifications.selectors import notifications_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """My work: what needs this person's attention, overdue first."""
    user = request.user
    today = timezone.localdate()
    context: dict = {"roles": roles_for(user)}
    my_concerns = list(case_selectors.my_concerns_for(user)[:10])
    context["drafts"] = [c for c in my_concerns if c.status == "draft"]
    context["recent_concerns"] = [c for c in my_concerns if c.status != "draft"][:5]
    if has_role(user, TRIAGE_ROLES):
        queue = list(case_selectors.front_door_queue_for(user)[:200])
        overdue = [
            c
            for c in queue
            if c.decision_due_at
            and workdays.clock(workdays.local_date(c.decision_due_at), today).overdue
        ]
        context["front_door"] = {
            "total": len(queue),
            "overdue": len(overdue),
            "immediate_risk": sum(1 for c in queue if c.immediate_risk),
            "awaiting_authorisation": sum(1 for c in queue if c.status == "awaiting_authorisation"),
        }
        context["my_cases"] = case_selectors.allocated_cases_for(user, limit=10)
    upcoming = meeting_list_for(user).filter(
        scheduled_at__gte=timezone.now(), finalised_at__isnull=True
    )
    context["meetings"] = list(upcoming.order_by("scheduled_at")[:10])
    context["reports_due"] = list(reports_owed_by(user)[:10])
    context["notifications"] = list(notifications_for(user).filter(read_at__isnull=True)[:5])
    return render(request, "work/home.html", context)
