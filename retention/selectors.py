"""Reads for retention: who may work the queue, when each record is due, and
the queue itself.

When a record is due is worked out in one place, ``_verdict``, from a handful
of dates the database aggregates per record (the last child protection case's
closure, the date of birth, the last decision on a concern that opened no
case, an officer's extension). The beat's refresh narrows the candidates in
SQL with cut-off dates first (``due_children``), so it never loads a council's
cases into Python; the services ask the same function about one record under a
lock before they act.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from agencies.models import Agency
from agencies.roles import RETENTION_ROLES
from agencies.selectors import agencies_where
from cases.models import Case, Child, Concern, Plan
from retention.models import DestructionCertificate, LegalHold, RetentionExtension, RetentionReview
from retention.schedule import EXTENDED, Rule, add_years, schedule_for
from safeguard.workdays import local_date

User = AbstractBaseUser | AnonymousUser
QUEUE_PAGE = 50
LIVE_CONCERN = (Concern.Status.SUBMITTED, Concern.Status.AWAITING_AUTHORISATION)


# Who may work the queue --------------------------------------------------------


def retention_agencies_for(user: User) -> QuerySet[Agency]:
    """The lead agencies whose records ``user`` reviews: those in which they
    hold the information governance (auditor) role."""
    if not user.is_authenticated:
        return Agency.objects.none()
    return agencies_where(user, RETENTION_ROLES, kind=Agency.Kind.SOCIAL_CARE).filter(
        is_active=True
    )


def get_retention_agency_for(user: User, agency_id: uuid.UUID | str | None = None) -> Agency:
    agencies = retention_agencies_for(user).order_by("name")
    agency = agencies.filter(pk=agency_id).first() if agency_id else agencies.first()
    if agency is None:
        raise Http404("No such page")
    return agency


# When a record is due -------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """``due_on`` is None while something keeps the record live (``blockers``)."""

    due_on: dt.date | None
    rule: str
    held: bool
    blockers: tuple[str, ...] = field(default=())

    def is_due(self, today: dt.date) -> bool:
        return self.due_on is not None and self.due_on <= today


def _cp_plan() -> QuerySet[Plan]:
    return Plan.objects.filter(case=OuterRef("pk"), kind=Plan.Kind.CHILD_PROTECTION)


def _active_holds() -> QuerySet[LegalHold]:
    return LegalHold.objects.filter(lifted_at__isnull=True)


def annotated_children(queryset: QuerySet[Child]) -> QuerySet[Child]:
    """Each child with the dates its retention is counted from (one query)."""
    child_cases = Case.objects.filter(child=OuterRef("pk"))
    closed = child_cases.filter(status=Case.Status.CLOSED)
    no_case_concerns = Concern.objects.filter(
        child=OuterRef("pk"), status=Concern.Status.COMPLETED, case__isnull=True
    )
    holds = _active_holds()
    return queryset.annotate(
        has_open_case=Exists(child_cases.filter(status=Case.Status.OPEN)),
        has_live_concern=Exists(
            Concern.objects.filter(child=OuterRef("pk"), status__in=LIVE_CONCERN)
        ),
        has_record=Exists(child_cases) | Exists(Concern.objects.filter(child=OuterRef("pk"))),
        has_other_case=Exists(child_cases.filter(~Exists(_cp_plan()))),
        last_cp_closed=Subquery(
            closed.filter(Exists(_cp_plan())).order_by("-closed_at").values("closed_at")[:1]
        ),
        last_other_closed=Subquery(
            closed.filter(~Exists(_cp_plan())).order_by("-closed_at").values("closed_at")[:1]
        ),
        last_concern_decided=Subquery(
            no_case_concerns.order_by("-decided_at").values("decided_at")[:1]
        ),
        retain_until=Subquery(
            RetentionExtension.objects.filter(child=OuterRef("pk"))
            .order_by("-retain_until")
            .values("retain_until")[:1]
        ),
        held=Exists(holds.filter(child=OuterRef("pk")))
        | Exists(holds.filter(case__child=OuterRef("pk")))
        | Exists(holds.filter(concern__child=OuterRef("pk"))),
    )


CHILD_FIELDS = (
    "pk",
    "date_of_birth",
    "expected_date_of_birth",
    "has_open_case",
    "has_live_concern",
    "has_record",
    "has_other_case",
    "last_cp_closed",
    "last_other_closed",
    "last_concern_decided",
    "retain_until",
    "held",
)


def _verdict(row: dict, rules: dict[str, Rule]) -> Verdict:
    blockers = []
    if row.get("has_open_case"):
        blockers.append("a case is open")
    if row.get("has_live_concern"):
        blockers.append("a concern is waiting for a decision")
    dates: list[tuple[dt.date, str]] = []
    if row.get("last_cp_closed"):
        rule = rules["child_protection"]
        dates.append((add_years(local_date(row["last_cp_closed"]), rule.years), rule.code))
    if row.get("has_other_case") or not row.get("has_record", True):
        rule = rules["child_in_need"]
        birth = row.get("date_of_birth") or row.get("expected_date_of_birth")
        if birth:
            dates.append((add_years(birth, rule.years), rule.code))
        elif row.get("last_other_closed"):
            # No date of birth on record: count the whole period from closure,
            # which can only keep the record longer than the birthday would.
            dates.append((add_years(local_date(row["last_other_closed"]), rule.years), rule.code))
        else:
            blockers.append("no date of birth to count the child in need period from")
    if row.get("last_concern_decided"):
        rule = rules["concern_no_case"]
        dates.append((add_years(local_date(row["last_concern_decided"]), rule.years), rule.code))
    if row.get("retain_until"):
        dates.append((row["retain_until"], EXTENDED))
    if blockers or not dates:
        return Verdict(None, "", bool(row.get("held")), tuple(blockers))
    due_on, rule_code = max(dates, key=lambda pair: (pair[0], pair[1] == EXTENDED))
    return Verdict(due_on, rule_code, bool(row.get("held")))


def child_verdict(child: Child, *, today: dt.date | None = None) -> Verdict:
    rules = schedule_for(child.lead_agency.slug)
    row = annotated_children(Child.objects.filter(pk=child.pk)).values(*CHILD_FIELDS).get()
    return _verdict(row, rules)


def _cutoff(today: dt.date, years: int) -> dt.date:
    return add_years(today, -years)


def due_children(agency: Agency, today: dt.date) -> Iterator[tuple[uuid.UUID, Verdict]]:
    """Every child of ``agency`` past their date: narrowed in SQL by cut-off
    dates, confirmed by ``_verdict``, streamed in chunks."""
    rules = schedule_for(agency.slug)
    cut_cp = _cutoff(today, rules["child_protection"].years)
    cut_cin = _cutoff(today, rules["child_in_need"].years)
    cut_nfa = _cutoff(today, rules["concern_no_case"].years)

    # A closure or decision on the cut-off day itself is due today; the day
    # after, in any timezone, is not yet: the verdict settles the boundary.
    def before(day: dt.date) -> dt.date:
        return day + dt.timedelta(days=2)

    candidates = (
        annotated_children(Child.objects.filter(lead_agency=agency, merged_into__isnull=True))
        .filter(has_open_case=False, has_live_concern=False)
        .filter(Q(last_cp_closed__isnull=True) | Q(last_cp_closed__date__lt=before(cut_cp)))
        .filter(
            Q(last_concern_decided__isnull=True) | Q(last_concern_decided__date__lt=before(cut_nfa))
        )
        .filter(Q(retain_until__isnull=True) | Q(retain_until__lte=today))
        .filter(
            Q(has_other_case=False, has_record=True)
            | Q(date_of_birth__lte=cut_cin)
            | Q(date_of_birth__isnull=True, expected_date_of_birth__lte=cut_cin)
            | Q(
                date_of_birth__isnull=True,
                expected_date_of_birth__isnull=True,
                last_other_closed__date__lt=before(cut_cin),
            )
        )
    )
    for row in candidates.values(*CHILD_FIELDS).iterator(chunk_size=2000):
        verdict = _verdict(row, rules)
        if verdict.is_due(today):
            yield row["pk"], verdict


def annotated_concerns(queryset: QuerySet[Concern]) -> QuerySet[Concern]:
    """Concerns that stand alone: decided, with no child record and no case."""
    return queryset.filter(
        child__isnull=True, case__isnull=True, status=Concern.Status.COMPLETED
    ).annotate(
        retain_until=Subquery(
            RetentionExtension.objects.filter(concern=OuterRef("pk"))
            .order_by("-retain_until")
            .values("retain_until")[:1]
        ),
        held=Exists(_active_holds().filter(concern=OuterRef("pk"))),
    )


CONCERN_FIELDS = ("pk", "decided_at", "retain_until", "held")


def _concern_verdict(row: dict, rules: dict[str, Rule]) -> Verdict:
    rule = rules["concern_no_case"]
    if not row.get("decided_at"):
        return Verdict(None, "", bool(row["held"]), ("no decision date",))
    dates = [(add_years(local_date(row["decided_at"]), rule.years), rule.code)]
    if row.get("retain_until"):
        dates.append((row["retain_until"], EXTENDED))
    due_on, rule_code = max(dates, key=lambda pair: (pair[0], pair[1] == EXTENDED))
    return Verdict(due_on, rule_code, bool(row["held"]))


def concern_verdict(concern: Concern) -> Verdict:
    rules = schedule_for(concern.lead_agency.slug)
    row = annotated_concerns(Concern.objects.filter(pk=concern.pk)).values(*CONCERN_FIELDS).first()
    if row is None:
        # Linked to a child or a case, or not decided: reviewed with them.
        return Verdict(None, "", False, ("it is part of a child's record, or not decided",))
    return _concern_verdict(row, rules)


def due_concerns(agency: Agency, today: dt.date) -> Iterator[tuple[uuid.UUID, Verdict]]:
    rules = schedule_for(agency.slug)
    cut = _cutoff(today, rules["concern_no_case"].years) + dt.timedelta(days=2)
    candidates = annotated_concerns(
        Concern.objects.filter(lead_agency=agency, decided_at__date__lt=cut)
    ).filter(Q(retain_until__isnull=True) | Q(retain_until__lte=today))
    for row in candidates.values(*CONCERN_FIELDS).iterator(chunk_size=2000):
        verdict = _concern_verdict(row, rules)
        if verdict.is_due(today):
            yield row["pk"], verdict


# The queue and what officers read --------------------------------------------------


def _require_agency(user: User, agency: Agency) -> None:
    if not retention_agencies_for(user).filter(pk=agency.pk).exists():
        raise Http404("No such page")


def reviews_for(user: User, agency: Agency) -> QuerySet[RetentionReview]:
    """``agency``'s queue, unordered and unsliced (the API pages it by cursor on
    the queue index; the page by ``review_queue``)."""
    _require_agency(user, agency)
    return RetentionReview.objects.filter(agency=agency).select_related(
        "agency", "child", "concern"
    )


def review_queue(
    user: User, agency: Agency, *, after: tuple[dt.date, uuid.UUID] | None = None
) -> list[RetentionReview]:
    """One page of ``agency``'s records past their date, oldest date first
    (keyset on the queue index: the same cost on page 1 and page 1,000)."""
    rows = reviews_for(user, agency)
    if after is not None:
        due_on, last_id = after
        rows = rows.filter(Q(due_on__gt=due_on) | Q(due_on=due_on, id__gt=last_id))
    return list(rows.order_by("due_on", "id")[: QUEUE_PAGE + 1])


def get_review_for(user: User, review_id: uuid.UUID | str) -> RetentionReview:
    review = (
        RetentionReview.objects.filter(pk=review_id, agency__in=retention_agencies_for(user))
        .select_related("agency", "child", "concern")
        .first()
    )
    if review is None:
        raise Http404("No such record")
    return review


def holds_on_review(review: RetentionReview) -> list[LegalHold]:
    """The active holds that stop this record's destruction."""
    holds = _active_holds().select_related("placed_by", "child", "case", "concern")
    if review.child_id:
        holds = holds.filter(
            Q(child_id=review.child_id)
            | Q(case__child_id=review.child_id)
            | Q(concern__child_id=review.child_id)
        )
    else:
        holds = holds.filter(concern_id=review.concern_id)
    return list(holds.order_by("-placed_at"))


def active_holds_for(user: User, agency: Agency) -> QuerySet[LegalHold]:
    """``agency``'s standing holds, unordered (the page shows the latest 200,
    the API pages them all by cursor)."""
    _require_agency(user, agency)
    return (
        _active_holds()
        .filter(agency=agency)
        .select_related("agency", "placed_by", "lifted_by", "child", "case", "concern")
    )


def active_holds(user: User, agency: Agency) -> list[LegalHold]:
    return list(active_holds_for(user, agency).order_by("-placed_at")[:200])


def get_hold_for(user: User, hold_id: uuid.UUID | str) -> LegalHold:
    hold = (
        LegalHold.objects.filter(pk=hold_id, agency__in=retention_agencies_for(user))
        .select_related("agency", "placed_by", "lifted_by", "child", "case", "concern")
        .first()
    )
    if hold is None:
        raise Http404("No such hold")
    return hold


def find_record(agency: Agency, reference: str) -> Child | Case | Concern | None:
    """A child, case or concern of ``agency`` by its reference (CHI-, CAS-, CON-)."""
    reference = reference.strip().upper()
    for model in (Child, Case, Concern):
        found = model.objects.filter(lead_agency=agency, reference=reference).first()
        if found is not None:
            return found
    return None


def certificates_queryset_for(user: User, agency: Agency) -> QuerySet[DestructionCertificate]:
    _require_agency(user, agency)
    return DestructionCertificate.objects.filter(agency=agency).select_related(
        "agency", "confirmed_by"
    )


def certificates_for(user: User, agency: Agency) -> list[DestructionCertificate]:
    return list(certificates_queryset_for(user, agency).order_by("-destroyed_at")[:50])


def get_certificate_for(user: User, certificate_id: uuid.UUID | str) -> DestructionCertificate:
    certificate = (
        DestructionCertificate.objects.filter(
            pk=certificate_id, agency__in=retention_agencies_for(user)
        )
        .select_related("agency", "confirmed_by")
        .first()
    )
    if certificate is None:
        raise Http404("No such certificate")
    return certificate
