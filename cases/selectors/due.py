"""What falls due for one person on the cases they may see: their own open
actions, and the statutory dates of the cases allocated to them (assessments
due, plans' reviews, restriction reviews). "My work" lists these by date.

One query however many cases the person holds: a UNION ALL of small indexed
reads (an action by its owner, a date by the allocated worker), each probed
against the one access rule, so a case the person no longer sees drops out
the moment their access ends, and ordered and cut in the database.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Case as Choose  # SQL CASE, not a safeguarding case
from django.db.models import CharField, Expression, F, QuerySet, Value, When
from django.db.models.functions import Concat, Substr
from django.utils import timezone

from cases.models import Assessment, Case, CaseAction, Plan
from cases.selectors.cases import User, case_visible_to
from safeguard.audit.services import audit_record
from safeguard.core.compiled import compiled_rows

# Labels a reader knows (never raw codes), one per kind of due date.
KINDS = {
    "action": "Action",
    "assessment": "Child and family assessment due",
    "cin_review": "Child in need plan review",
    "cp_review": "Child protection review conference due",
    "restriction_review": "Review of the case's restriction",
}
DESCRIPTION_SHOWN = 120


@dataclass(frozen=True, slots=True)
class DueWork:
    kind: str
    due_on: dt.date
    description: str
    case_id: uuid.UUID
    case_reference: str
    child_name: str

    @property
    def label(self) -> str:
        return KINDS[self.kind]

    def overdue(self, today: dt.date) -> bool:
        return self.due_on < today


def _columns(qs: QuerySet, kind: str | Expression, due: str, description, case: str) -> QuerySet:
    prefix = f"{case}__" if case else ""
    # Each part unordered: the union is ordered (and cut) as a whole.
    return (
        qs.order_by()
        .annotate(
            w_kind=kind if isinstance(kind, Expression) else Value(kind, output_field=CharField()),
            w_due=F(due),
            w_text=description,
            w_case=F(f"{prefix}id") if case else F("id"),
            w_ref=F(f"{prefix}reference"),
            w_child=Concat(
                F(f"{prefix}child__first_name"),
                Value(" "),
                F(f"{prefix}child__last_name"),
                output_field=CharField(),
            ),
        )
        .values_list("w_kind", "w_due", "w_text", "w_case", "w_ref", "w_child")
    )


def due_work_for(user: User, *, limit: int = 10, audit: bool = True) -> list[DueWork]:
    """The person's open actions and their allocated cases' statutory dates,
    soonest (so most overdue) first; at most ``limit``.

    The list names children, so reading it is audited like any case list (one
    row naming the references shown); an empty list reads nothing.
    ``audit=False``: the caller writes one row for everything its page lists."""
    if not user.is_authenticated or not user.is_active:
        return []
    # Compiled once per process (safeguard.core.compiled): five access rules
    # in a union took the ORM longer to build than PostgreSQL to answer.
    build = functools.partial(_due_work, limit=limit)
    found = compiled_rows(("due_work_for", limit), build, person=user, now=timezone.now())
    rows = [DueWork(*row) for row in found]
    if rows and audit:
        audit_record(
            user=user,
            action="list",
            event="due_work_listed",
            detail={"references": sorted({r.case_reference for r in rows})},
        )
    return rows


def _due_work(person: AbstractBaseUser, now: dt.datetime, limit: int) -> QuerySet:
    user = person
    blank = Value("", output_field=CharField())
    parts = [
        _columns(
            CaseAction.objects.filter(owner=user, status=CaseAction.Status.OPEN).filter(
                case_visible_to(user, "case_id", now=now)
            ),
            "action",
            "due_on",
            Substr("description", 1, DESCRIPTION_SHOWN),
            "case",
        ),
        _columns(
            Assessment.objects.filter(
                completed_on__isnull=True, case__allocated_worker=user
            ).filter(case_visible_to(user, "case_id", now=now)),
            "assessment",
            "due_on",
            blank,
            "case",
        ),
        # Both kinds of plan in one part: one access probe fewer to plan, and
        # PostgreSQL reads them from the person's cases rather than walking
        # every current child protection plan in the county.
        _columns(
            Plan.objects.filter(
                end_date__isnull=True,
                next_review_on__isnull=False,
                kind__in=[Plan.Kind.CHILD_IN_NEED, Plan.Kind.CHILD_PROTECTION],
                case__allocated_worker=user,
            ).filter(case_visible_to(user, "case_id", now=now)),
            Choose(
                When(kind=Plan.Kind.CHILD_PROTECTION, then=Value("cp_review")),
                default=Value("cin_review"),
                output_field=CharField(),
            ),
            "next_review_on",
            blank,
            "case",
        ),
        _columns(
            Case.objects.filter(
                allocated_worker=user,
                is_restricted=True,
                restriction_review_due__isnull=False,
                status=Case.Status.OPEN,
            ).filter(case_visible_to(user, now=now)),
            "restriction_review",
            "restriction_review_due",
            blank,
            "",
        ),
    ]
    return parts[0].union(*parts[1:], all=True).order_by("w_due", "w_ref")[:limit]
