"""What ``seed_demo`` says it built: a count for each kind of thing in the story
(issue 14: "seed_demo prints counts for each"), read from the database, so a
second run reports what is there rather than what it meant to make."""

from __future__ import annotations

from collections import Counter

from django.db.models import Q

from agencies.models import Agency
from cases.models import (
    Assessment,
    Case,
    CaseDocument,
    Child,
    Concern,
    Plan,
    Section47Enquiry,
    StatutoryVisit,
)
from meetings.models import AgencyReport, Meeting, MeetingCase
from referrals.models import Referral


def story_counts(agencies: list[Agency]) -> list[tuple[str, str]]:
    """(label, what was counted) for each kind, for the demo's ``agencies``."""
    cases = Case.objects.filter(lead_agency__in=agencies)
    closed = Counter(
        cases.filter(status=Case.Status.CLOSED)
        .exclude(episodes__closure_reason="")
        .values_list("episodes__closure_reason", flat=True)
    )
    plans = Plan.objects.filter(case__in=cases)
    meetings = Meeting.objects.filter(lead_agency__in=agencies)
    held = meetings.filter(finalised_at__isnull=False)
    reviews = MeetingCase.objects.filter(
        meeting__in=held, meeting__kind=Meeting.Kind.RCPC
    ).values_list("decision", flat=True)
    referrals = Counter(
        Referral.objects.filter(
            Q(from_agency__in=agencies) | Q(to_agency__in=agencies)
        ).values_list("status", flat=True)
    )
    said = ~Q(child_wishes="")
    wishes = (
        Assessment.objects.filter(said, case__in=cases).count()
        + Section47Enquiry.objects.filter(said, case__in=cases).count()
        + AgencyReport.objects.filter(said, meeting__in=meetings).count()
    )
    visits = StatutoryVisit.objects.filter(case__in=cases)

    def by(counter: Counter, choices) -> str:
        return ", ".join(f"{label.lower()} {counter.get(code, 0)}" for code, label in choices)

    return [
        (
            "closed cases",
            f"{sum(closed.values())} ("
            + ", ".join(f"{code} {n}" for code, n in sorted(closed.items()))
            + ")",
        ),
        (
            "NFA referrals",
            str(
                Concern.objects.filter(
                    lead_agency__in=agencies,
                    decision=Concern.Decision.NO_FURTHER_ACTION,
                    authorised_at__isnull=False,
                ).count()
            ),
        ),
        (
            "unborn children",
            str(
                Child.objects.filter(
                    lead_agency__in=agencies, expected_date_of_birth__isnull=False
                ).count()
            ),
        ),
        ("transfer-ins", str(held.filter(kind=Meeting.Kind.TRANSFER_IN).count())),
        (
            "plans",
            f"CIN {plans.filter(kind=Plan.Kind.CHILD_IN_NEED).count()} "
            f"({plans.filter(kind=Plan.Kind.CHILD_IN_NEED, end_date__isnull=False).count()} "
            f"ended), CP {plans.filter(kind=Plan.Kind.CHILD_PROTECTION).count()} "
            f"({plans.filter(kind=Plan.Kind.CHILD_PROTECTION, end_date__isnull=False).count()} "
            "ended)",
        ),
        (
            "meetings",
            f"{meetings.count()} ({held.count()} held, "
            f"{meetings.filter(cancelled_at__isnull=False).count()} cancelled, "
            f"{meetings.filter(moves__isnull=False).distinct().count()} rescheduled); "
            f"review conferences held {len(reviews)} "
            f"({sum(1 for d in reviews if d == MeetingCase.Decision.END_PLAN)} ended a plan)",
        ),
        (
            "visits",
            f"{visits.count()} ({visits.filter(seen=StatutoryVisit.Seen.NOT_SEEN).count()} "
            "child not seen)",
        ),
        ("wishes and feelings", f"{wishes} records in the child's words"),
        ("referrals", f"{sum(referrals.values())} ({by(referrals, Referral.Status.choices)})"),
        ("documents", str(CaseDocument.objects.filter(case__in=cases).count())),
    ]
