"""My work at a glance: for each kind of work a person's roles give them, how
many there are, each count a link to the list (or the part of the page) that
shows them. Counts are of the person's own lists, read through the selectors
each list page uses, so a count never names more than its list shows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count as DbCount
from django.db.models import Q
from django.urls import reverse

from agencies.models import Agency, Membership, Team
from agencies.roles import Role
from agencies.selectors import administered_agencies, agencies_where
from cases import selectors as case_selectors
from cases.models import Case
from oversight.selectors import icpcs_owed, latest_start_overdue, reviews_owed
from retention.models import RetentionReview
from retention.selectors import retention_agencies_for
from subject_access.models import SubjectAccessRequest
from subject_access.selectors import requests_for

OPEN_CASES = {"status": Case.Status.OPEN}
DUE_SOON_DAYS = 7


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


def case_work(context: dict, today: dt.date, *, manager: bool, user) -> list[Count]:
    """Counts for those who work cases: what is overdue and due today among the
    dated work listed, their open cases, meetings and reports, and (for a lead
    agency's manager) the open cases nobody holds."""
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
        counts.append(Count(n, _plural(n, "case allocated to you", "cases allocated to you"), url))
    if manager:
        n = case_selectors.case_list_for(user).filter(allocated_worker__isnull=True, **OPEN_CASES)
        n = n.count()
        url = _query(reverse("case_list"), allocated="none", status=Case.Status.OPEN)
        counts.append(
            Count(n, _plural(n, "open case not allocated", "open cases not allocated"), url, n > 0)
        )
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


def conferences_owed(user, today: dt.date) -> list[Count]:
    """For a lead agency's chairs and managers: the initial and review
    conferences the clocks say are owed and not yet held, counted as the
    Conferences due page counts them (the page lists them, late first)."""
    agencies = list(
        agencies_where(user, roles=[Role.CHAIR, Role.MANAGER], kind=Agency.Kind.SOCIAL_CARE)
    )
    if not agencies:
        return []
    owed = late = 0
    for query, overdue in (
        (icpcs_owed, Q(clock_from__lte=latest_start_overdue("icpc", today))),
        (reviews_owed, Q(next_review_on__lt=today)),
    ):
        counted = query(user, agencies, arranged=False).aggregate(
            owed=DbCount("pk"), late=DbCount("pk", filter=overdue)
        )
        owed, late = owed + counted["owed"], late + counted["late"]
    label = _plural(owed, "conference owed", "conferences owed")
    if late:
        label += f", {late} late"
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
    "Count",
    "administration",
    "case_work",
    "conferences_owed",
    "information_governance",
    "meeting_work",
]
