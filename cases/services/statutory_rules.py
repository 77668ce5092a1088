"""The states the law and the DfE Children in Need census allow, checked before
any statutory step is written (issue 12).

Each check returns what is wrong, in words a worker can act on, with the census
rule it enforces (DfE CIN census 2025-26 validation rules), or nothing. The
services raise ``StateRefused`` with it; the conference services ask the same
questions before a record is finalised, so the chair sees the problem beside the
decision rather than after. Callers hold the case's lock (``lock_case``) from
the check until they have written, so the answer still holds when they write.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.dfe_codes import ClosureReason
from cases.models import Case, Episode, Plan

# Closing the case ends a current plan only where the law ends it without a
# review conference (Working Together 2023, ch. 2): the child has died, has
# moved to another authority (whose transfer-in conference takes the plan on)
# or has moved to adult services at 18. Otherwise a review conference ends it.
PLAN_ENDING_CLOSURES = (
    ClosureReason.DIED,
    ClosureReason.TRANSFERRED_LA,
    ClosureReason.TRANSFERRED_ADULT,
)
# "Closed after assessment" means nothing followed the assessment (rule 2990).
AFTER_ASSESSMENT_CLOSURES = (
    ClosureReason.NFA_AFTER_ASSESSMENT,
    ClosureReason.EARLY_HELP_AFTER_ASSESSMENT,
)


@dataclass(frozen=True)
class OpenItem:
    """A piece of statutory work still open, and where on the case page it is."""

    kind: str  # "assessment", "section47" or "plan"
    id: uuid.UUID
    label: str
    url: str


class StateRefused(ValidationError):
    """A step the statutory state model does not allow. A ValidationError, so
    pages show it next to the field named; the API answers it 409 (the request
    was well formed: the case's state is what stands in the way). ``open_work``
    lists what must be closed first, with links, when that is the reason."""

    def __init__(self, message, open_work: Iterable[OpenItem] = ()):
        super().__init__(message)
        self.open_work = list(open_work)


def _day(day: dt.date) -> str:
    return f"{day:%-d %B %Y}"


def current_episode(case: Case) -> Episode | None:
    return case.episodes.filter(closure_date__isnull=True).order_by("-referral_date").first()


def _referral_date(case: Case) -> dt.date | None:
    episode = current_episode(case) or case.episodes.order_by("-referral_date").first()
    return episode.referral_date if episode else None


def _closed(case: Case) -> str | None:
    if case.status != Case.Status.OPEN:
        return (
            "This case is closed: nothing more can be recorded on it (census rule 8565). "
            "Open a new case from a new referral."
        )
    return None


def assessment_start_problem(case: Case, started_on: dt.date) -> str | None:
    if problem := _closed(case):
        return problem
    referral = _referral_date(case)
    if referral and started_on < referral:
        return (
            f"An assessment cannot start before the referral on {_day(referral)}. "
            "Enter a date on or after it."
        )
    current = case.assessments.filter(authorised_on__isnull=True).order_by("started_on").first()
    if current is not None:
        return (
            f"An assessment started on {_day(current.started_on)} is still open. Complete it "
            "and have a manager authorise it before starting the next one."
        )
    return None


def section47_start_problem(case: Case, started_on: dt.date) -> str | None:
    if problem := _closed(case):
        return problem
    referral = _referral_date(case)
    if referral and started_on < referral:
        return (
            f"A section 47 enquiry cannot start before the referral on {_day(referral)} "
            "(census rule 2889). Enter a date on or after it."
        )
    current = case.section47_enquiries.filter(completed_on__isnull=True).first()
    if current is not None:
        return (
            f"A section 47 enquiry started on {_day(current.started_on)} is still open "
            "(census rule 8890: one at a time). Record its outcome, or hold its initial "
            "conference, before starting another."
        )
    return None


def plan_start_problem(case: Case, kind: str, start_date: dt.date) -> str | None:
    """Whether a plan of ``kind`` may start on ``start_date`` (who starts it is the
    caller's question: a CP plan only by a conference)."""
    if problem := _closed(case):
        return problem
    referral = _referral_date(case)
    if referral and start_date < referral:
        return (
            f"A plan cannot start before the referral on {_day(referral)} (census rule 1105). "
            "Enter a date on or after it."
        )
    label = Plan.Kind(kind).label.lower()
    if case.plans.filter(kind=kind, end_date__isnull=True).exists():
        return f"There is already a current {label}."
    if kind == Plan.Kind.CHILD_IN_NEED:
        # Rule 4016: a CIN plan cannot start within a CP plan, except on the
        # day it ends; and 4017 the other way (an open-ended CIN plan starting
        # before a CP plan would run alongside it).
        for cp in case.plans.filter(kind=Plan.Kind.CHILD_PROTECTION):
            if cp.start_date <= start_date and (cp.end_date is None or start_date < cp.end_date):
                return (
                    f"The child is on a child protection plan from {_day(cp.start_date)}. A child "
                    "in need plan can start on the day a review conference ends it (census "
                    "rules 4001, 4016)."
                )
            if start_date < cp.start_date:
                return (
                    f"A child in need plan from that date would run alongside the child "
                    f"protection plan that started on {_day(cp.start_date)} (census rule 4017). "
                    "Enter a date after that plan ended."
                )
        return None
    # A CP plan ends the current CIN plan on the day it starts (4001, 4017
    # allow the one to start the day the other ends), so only a CIN plan that
    # cannot end that day, or an earlier one it would overlap, stands in the way.
    for cin in case.plans.filter(kind=Plan.Kind.CHILD_IN_NEED):
        if cin.end_date is None and cin.start_date > start_date:
            return (
                f"The current child in need plan starts on {_day(cin.start_date)}, after this "
                "date, so it cannot end when the child protection plan starts (census rule 4017)."
            )
        if cin.end_date and cin.start_date < start_date < cin.end_date:
            return (
                f"A child in need plan ran from {_day(cin.start_date)} to {_day(cin.end_date)}: a "
                "child protection plan cannot start within it (census rule 4017)."
            )
    return None


def plan_end_problem(plan: Plan, end_date: dt.date) -> str | None:
    if plan.end_date:
        return None  # answered as already done by the caller
    if end_date < plan.start_date:
        return "A plan cannot end before it starts."
    if plan.kind == Plan.Kind.CHILD_PROTECTION and end_date == plan.start_date:
        return (
            "A child protection plan cannot start and end on the same day (census rule 8840). "
            "Hold the review on a later day."
        )
    return None


def open_work(case: Case, *, plans: bool = True) -> list[OpenItem]:
    """Assessments not yet authorised (rule 8867), enquiries without an outcome
    (8868) and, with ``plans``, current plans (8565): each with its link."""
    page = reverse("case_detail", args=[case.pk])
    items = [
        OpenItem(
            "assessment",
            a.pk,
            f"Child and family assessment started {_day(a.started_on)}: "
            + ("awaiting a manager's authorisation" if a.completed_on else "not completed"),
            f"{page}#assessment-{a.pk}",
        )
        for a in case.assessments.filter(authorised_on__isnull=True).order_by("started_on")
    ]
    items += [
        OpenItem(
            "section47",
            e.pk,
            f"Section 47 enquiry started {_day(e.started_on)}: no outcome recorded",
            f"{page}#section47-{e.pk}",
        )
        for e in case.section47_enquiries.filter(completed_on__isnull=True)
    ]
    if plans:
        items += [
            OpenItem(
                "plan",
                p.pk,
                f"{p.get_kind_display()} from {_day(p.start_date)}"
                + (
                    ": a review conference ends it"
                    if p.kind == Plan.Kind.CHILD_PROTECTION
                    else ": end it first"
                ),
                f"{page}#plan-{p.pk}",
            )
            for p in case.plans.filter(end_date__isnull=True).order_by("start_date")
        ]
    return items


def require_closable(case: Case, reason: str) -> None:
    """Refuse closing ``case`` with ``reason`` while the law says it cannot close."""
    if reason in AFTER_ASSESSMENT_CLOSURES:
        episode = current_episode(case)
        since = episode.referral_date if episode else dt.date.min
        followed = (
            case.section47_enquiries.filter(started_on__gte=since).exists()
            or case.plans.filter(start_date__gte=since).exists()
            or case.plans.filter(end_date__isnull=True).exists()
        )
        if followed:
            raise StateRefused(
                {
                    "reason": "This episode had a section 47 enquiry or a plan, so it did not "
                    "close after assessment (census rule 2990). Choose the reason that "
                    "describes why services end now."
                }
            )
    items = open_work(case, plans=reason not in PLAN_ENDING_CLOSURES)
    if items:
        raise StateRefused(
            {
                "reason": "The case cannot close while work is open (census rules 8867, 8868, "
                "8565): " + "; ".join(item.label for item in items) + "."
            },
            open_work=items,
        )
