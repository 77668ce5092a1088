"""Episodes, assessments and closing a case: the lead agency's statutory work,
recorded so the Children in Need census falls out of it (SPEC 3.3).

A case opened by a front-door decision starts an episode (referral date and
source from the concern); an assessment decision starts the child and family
assessment, due 45 working days after the referral. Completing an assessment
sets the primary need; a manager authorises it. Closing a case takes a reason
and a manager's authorisation, and closes the episode with the same reason.

Every step checks the case's state (``statutory_rules``) under the case's lock:
a child protection plan starts and ends only by a conference's decision (or
ends with the case, where the law allows), never from a worker's form.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from cases.access import lock_case
from cases.concurrency import AlreadyDone, StaleChange, on, person
from cases.dfe_codes import AssessmentFactor, ReferralSource
from cases.models import (
    Assessment,
    Case,
    CaseClosure,
    ChronologyEntry,
    Concern,
    Episode,
    Plan,
    Section47Enquiry,
)
from cases.selectors.policy import is_lead_manager as _lead_manager
from cases.selectors.policy import is_lead_worker as _lead_worker
from cases.services.statutory_rules import (
    PLAN_ENDING_CLOSURES,
    StateRefused,
    assessment_start_problem,
    plan_end_problem,
    plan_start_problem,
    require_closable,
    section47_start_problem,
)
from cases.services.wishes import clean_wishes
from safeguard import workdays
from safeguard.audit.services import audit_record


def _chronology(
    case: Case, user: AbstractBaseUser, title: str, body: str = "", source: str = ""
) -> None:
    ChronologyEntry.objects.create(
        source_reference=source,
        case=case,
        occurred_at=timezone.now(),
        agency=case.lead_agency,
        kind=ChronologyEntry.Kind.NOTE,
        title=title,
        body=body,
        created_by=user,
    )


def _lock(record) -> None:
    """Lock ``record``'s row and refresh it in place from what is committed now
    (a statutory step checks the record's state, then changes it)."""
    list(type(record).objects.select_for_update(of=("self",)).filter(pk=record.pk).values("pk"))
    record.refresh_from_db()


def open_episode_from_concern(*, case: Case, concern: Concern) -> Episode:
    """Called when a front-door decision opens a case: the census's referral."""
    referral_date = workdays.local_date(concern.submitted_at or timezone.now())
    episode = Episode.objects.create(
        case=case,
        referral_date=referral_date,
        # Chosen by the person who decided (UNKNOWN, "10", if nobody said).
        referral_source=concern.referral_source or ReferralSource.UNKNOWN,
    )
    if concern.decision == Concern.Decision.ASSESSMENT:
        Assessment.objects.create(
            case=case,
            started_on=timezone.localdate(),
            due_on=workdays.due_date("assessment", referral_date),
        )
    return episode


@transaction.atomic
def assessment_start(
    *, acting_user: AbstractBaseUser, case: Case, started_on: dt.date
) -> Assessment:
    """A second or later child and family assessment, one open at a time; its 45
    working days run from its own start (the first's run from the referral)."""
    if not _lead_worker(acting_user, case):
        raise PermissionDenied("The lead agency starts assessments.")
    if started_on > timezone.localdate():
        raise ValidationError({"started_on": "The start date must be today or in the past"})
    case = lock_case(case)
    if problem := assessment_start_problem(case, started_on):
        raise StateRefused({"started_on": problem})
    assessment = Assessment.objects.create(
        case=case, started_on=started_on, due_on=workdays.due_date("assessment", started_on)
    )
    _chronology(case, acting_user, "Child and family assessment started")
    audit_record(
        user=acting_user,
        action="create",
        event="assessment_started",
        obj=case,
        case_id=case.pk,
        detail={"started_on": started_on.isoformat()},
    )
    return assessment


@transaction.atomic
def assessment_complete(
    *,
    acting_user: AbstractBaseUser,
    assessment: Assessment,
    summary: str,
    primary_need: str,
    factors: list[str],
    internal_review_on: dt.date | None = None,
    child_wishes: str = "",
    wishes_not_obtained: str = "",
    wishes_not_obtained_detail: str = "",
) -> Assessment:
    """``factors``: the DfE codes of the factors identified, or ["21"] for none.
    ``internal_review_on``: the day the assessment was reviewed within the
    service, where it was (census AssessmentInternalReviewDate); None if not.
    The child's wishes and feelings (s17(4A)), or why they were not obtained, are
    required: an assessment never completes silent on them."""
    if not _lead_worker(acting_user, assessment.case):
        raise PermissionDenied("The lead agency completes assessments.")
    if not summary.strip():
        raise ValidationError({"summary": "Summarise the assessment's findings"})
    factors = validate_factors(factors)
    lock_case(assessment.case)  # a case before its records (cases.access.lock_case)
    if internal_review_on is not None:
        if internal_review_on > timezone.localdate():
            raise ValidationError(
                {"internal_review_on": "The review date must be today or earlier"}
            )
        if internal_review_on < assessment.started_on:
            raise ValidationError(
                {"internal_review_on": "The review date must be on or after the assessment began"}
            )
    wishes = clean_wishes(
        child_wishes=child_wishes,
        wishes_not_obtained=wishes_not_obtained,
        wishes_not_obtained_detail=wishes_not_obtained_detail,
        required=True,
    )
    # Locked and read again: of two completions at once, the second waits here
    # and then finds the first, so one chronology entry and one audit row.
    _lock(assessment)
    if assessment.completed_on:
        raise AlreadyDone(
            current=assessment,
            message=f"{person(assessment.completed_by)} already completed this assessment"
            f"{on(assessment.completed_on)}. Nothing was changed.",
        )
    assessment.completed_on = timezone.localdate()
    assessment.completed_by = acting_user
    assessment.summary = summary.strip()
    assessment.factors = factors
    assessment.internal_review_on = internal_review_on
    for field, value in wishes.items():
        setattr(assessment, field, value)
    assessment.save(
        update_fields=[
            "completed_on",
            "completed_by",
            "summary",
            "factors",
            "internal_review_on",
            *wishes,
        ]
    )
    Episode.objects.filter(case=assessment.case, closure_date__isnull=True).update(
        primary_need=primary_need
    )
    late = workdays.working_days_between(assessment.due_on, assessment.completed_on)
    _chronology(
        assessment.case,
        acting_user,
        "Child and family assessment completed"
        + (f", {late} working days late" if late > 0 else ", within 45 working days"),
        assessment.summary,
    )
    audit_record(
        user=acting_user,
        action="transition",
        event="assessment_completed",
        obj=assessment.case,
        case_id=assessment.case_id,
        detail={
            "primary_need": primary_need,
            "factors": factors,
            "late_by_working_days": max(late, 0),
            "child_wishes_recorded": bool(wishes["child_wishes"]),
            "wishes_not_obtained": wishes["wishes_not_obtained"],
        },
    )
    return assessment


def validate_factors(factors: list[str]) -> list[str]:
    """The census's factor codes, each once, in the census's order."""
    known = AssessmentFactor.values
    unknown = [code for code in factors if code not in known]
    if unknown:
        raise ValidationError({"factors": f"Not a census factor code: {', '.join(unknown)}"})
    if not factors:
        raise ValidationError(
            {"factors": "Choose the factors identified, or 'No factors identified'"}
        )
    if AssessmentFactor.NONE in factors and len(set(factors)) > 1:
        raise ValidationError(
            {"factors": "Choose 'No factors identified' or the factors, not both"}
        )
    return [code for code in known if code in factors]


@transaction.atomic
def assessment_authorise(*, acting_user: AbstractBaseUser, assessment: Assessment) -> Assessment:
    if not _lead_manager(acting_user, assessment.case):
        raise PermissionDenied("A manager of the lead agency authorises assessments.")
    lock_case(assessment.case)
    _lock(assessment)
    if assessment.authorised_on:
        raise AlreadyDone(
            current=assessment,
            message=f"{person(assessment.authorised_by)} already authorised this assessment"
            f"{on(assessment.authorised_on)}. Nothing was changed.",
        )
    if not assessment.completed_on:
        raise ValidationError("Only a completed, unauthorised assessment can be authorised.")
    assessment.authorised_by = acting_user
    assessment.authorised_on = timezone.localdate()
    assessment.save(update_fields=["authorised_by", "authorised_on"])
    _chronology(assessment.case, acting_user, "Assessment authorised by a manager")
    audit_record(
        user=acting_user,
        action="transition",
        event="assessment_authorised",
        obj=assessment.case,
        case_id=assessment.case_id,
    )
    return assessment


@transaction.atomic
def case_closure_request(
    *,
    acting_user: AbstractBaseUser,
    case: Case,
    reason: str,
    explanation: str,
    date_of_death: dt.date | None = None,
) -> CaseClosure:
    """``date_of_death``: required for reason RC2 (died) unless the child's record
    already has it; it then goes on the child's record."""
    from cases.services.census_record import death_for_closure

    if not _lead_worker(acting_user, case):
        raise PermissionDenied("The lead agency closes cases.")
    if not explanation.strip():
        raise ValidationError({"explanation": "Explain why the case can close"})
    case = lock_case(case)
    if case.status != Case.Status.OPEN:
        raise StateRefused("This case is already closed.")
    # Asked now so the worker hears it before a manager is asked; asked again
    # when the manager authorises, since work may have started meanwhile.
    require_closable(case, reason)
    death_for_closure(
        acting_user=acting_user, case=case, reason=reason, date_of_death=date_of_death
    )
    closure, _ = CaseClosure.objects.update_or_create(
        case=case,
        defaults={
            "reason": reason,
            "explanation": explanation.strip(),
            "requested_by": acting_user,
            "requested_at": timezone.now(),
        },
    )
    audit_record(
        user=acting_user,
        action="update",
        event="case_closure_requested",
        obj=case,
        case_id=case.pk,
        detail={"reason": reason},
    )
    return closure


@transaction.atomic
def case_closure_authorise(*, acting_user: AbstractBaseUser, case: Case) -> Case:
    if not _lead_manager(acting_user, case):
        raise PermissionDenied("A manager of the lead agency authorises closure.")
    case = Case.objects.select_for_update().get(pk=case.pk)
    closure = CaseClosure.objects.filter(case=case).first()
    if case.status != Case.Status.OPEN:
        raise AlreadyDone(
            current=case, message=f"This case was already closed{on(case.closed_at)}."
        )
    if closure is None:
        raise StateRefused("There is no closure waiting for authorisation.")
    require_closable(case, closure.reason)
    if closure.reason == "RC2" and not type(case.child).objects.get(pk=case.child_id).date_of_death:
        raise StateRefused("The child's date of death is not recorded: ask for closure again.")
    now = timezone.now()
    closed_on = workdays.local_date(now)
    if closure.reason in PLAN_ENDING_CLOSURES:
        for plan in case.plans.filter(end_date__isnull=True):
            if problem := plan_end_problem(plan, closed_on):
                raise StateRefused({"reason": problem})
            plan_close(
                acting_user=acting_user,
                plan=plan,
                end_date=closed_on,
                source=case.reference,
                why=f"the case closed: {closure.get_reason_display()}",
            )
    case.status = Case.Status.CLOSED
    case.closed_at = now
    case.version += 1
    case.save(update_fields=["status", "closed_at", "version", "updated_at"])
    Episode.objects.filter(case=case, closure_date__isnull=True).update(
        closure_date=workdays.local_date(now), closure_reason=closure.reason
    )
    ChronologyEntry.objects.create(
        case=case,
        occurred_at=now,
        agency=case.lead_agency,
        kind=ChronologyEntry.Kind.CASE_CLOSED,
        title=f"Case closed: {closure.get_reason_display()}",
        body=closure.explanation,
        created_by=acting_user,
    )
    audit_record(
        user=acting_user,
        action="transition",
        event="case_closed",
        obj=case,
        case_id=case.pk,
        detail={"reason": closure.reason, "requested_by": closure.requested_by.get_username()},
    )
    closure.delete()
    return case


@transaction.atomic
def section47_start(*, acting_user: AbstractBaseUser, case: Case, started_on: dt.date):
    if not _lead_worker(acting_user, case):
        raise PermissionDenied("The lead agency starts section 47 enquiries.")
    if started_on > timezone.localdate():
        raise ValidationError({"started_on": "The start date must be today or in the past"})
    return section47_open(acting_user=acting_user, case=case, started_on=started_on)


def section47_open(
    *,
    acting_user: AbstractBaseUser,
    case: Case,
    started_on: dt.date,
    source: str = "",
    strategy_meeting=None,
) -> Section47Enquiry:
    """Open the enquiry; callers have checked who may (a worker, or a strategy
    discussion, given as ``strategy_meeting``: the ICPC clock runs from it)."""
    case = lock_case(case)
    if problem := section47_start_problem(case, started_on):
        raise StateRefused({"started_on": problem})
    enquiry = Section47Enquiry.objects.create(
        case=case, started_on=started_on, strategy_meeting=strategy_meeting
    )
    _chronology(case, acting_user, "Section 47 enquiry started", source=source)
    audit_record(
        user=acting_user, action="create", event="section47_started", obj=case, case_id=case.pk
    )
    return enquiry


@transaction.atomic
def section47_complete(
    *,
    acting_user: AbstractBaseUser,
    enquiry,
    outcome: str,
    child_wishes: str = "",
    wishes_not_obtained: str = "",
    wishes_not_obtained_detail: str = "",
):
    """The child's wishes and feelings (s47(5A)), or why they were not obtained,
    are required to complete the enquiry."""
    if not _lead_worker(acting_user, enquiry.case):
        raise PermissionDenied("The lead agency completes section 47 enquiries.")
    if outcome not in Section47Enquiry.Outcome.values:
        raise ValidationError({"outcome": "Choose the outcome"})
    lock_case(enquiry.case)
    wishes = clean_wishes(
        child_wishes=child_wishes,
        wishes_not_obtained=wishes_not_obtained,
        wishes_not_obtained_detail=wishes_not_obtained_detail,
        required=True,
    )
    _lock(enquiry)
    if enquiry.completed_on:
        raise AlreadyDone(
            current=enquiry,
            message=f"This enquiry was already completed{on(enquiry.completed_on)}: "
            f"{enquiry.get_outcome_display()}. Nothing was changed.",
        )
    enquiry.completed_on = timezone.localdate()
    enquiry.outcome = outcome
    for field, value in wishes.items():
        setattr(enquiry, field, value)
    enquiry.save(update_fields=["completed_on", "outcome", *wishes])
    _chronology(
        enquiry.case, acting_user, f"Section 47 enquiry completed: {enquiry.get_outcome_display()}"
    )
    audit_record(
        user=acting_user,
        action="transition",
        event="section47_completed",
        obj=enquiry.case,
        case_id=enquiry.case_id,
        detail={
            "outcome": outcome,
            "child_wishes_recorded": bool(wishes["child_wishes"]),
            "wishes_not_obtained": wishes["wishes_not_obtained"],
        },
    )
    return enquiry


def section47_conclude(
    *, acting_user: AbstractBaseUser, case: Case, conference, held_on: dt.date
) -> Section47Enquiry | None:
    """An initial conference was held: the enquiry that led to it is concluded,
    its outcome "conference held", linked to the conference (the census's
    DateOfInitialCPC), so it is never offered for an outcome or a clock again.
    Callers hold the case's lock (the conference's record is being finalised)."""
    enquiry = (
        case.section47_enquiries.filter(conference__isnull=True)
        .filter(
            models.Q(completed_on__isnull=True)
            | models.Q(outcome=Section47Enquiry.Outcome.ICPC, completed_on__lte=held_on)
        )
        .order_by("-started_on")
        .first()
    )
    if enquiry is None or enquiry.started_on > held_on:
        return None
    enquiry.completed_on = enquiry.completed_on or held_on
    enquiry.outcome = Section47Enquiry.Outcome.ICPC
    enquiry.conference = conference
    enquiry.save(update_fields=["completed_on", "outcome", "conference"])
    _chronology(
        case,
        acting_user,
        "Section 47 enquiry concluded: initial child protection conference held",
        source=conference.reference,
    )
    audit_record(
        user=acting_user,
        action="transition",
        event="section47_concluded",
        obj=case,
        case_id=case.pk,
        detail={"conference": conference.reference},
    )
    return enquiry


CP_PLAN_STARTS = (
    "A child protection plan starts only by the decision of an initial (or transfer-in) "
    "child protection conference (census rules 2883, 2885). Arrange the conference from "
    "the strategy discussion or the section 47 enquiry; its record starts the plan."
)
CP_PLAN_ENDS = (
    "A child protection plan ends only by a review conference's decision (census rule 2885), "
    "or with the case when the child has died, moved to another local authority or moved to "
    "adult services. Arrange a review child protection conference."
)


@transaction.atomic
def plan_start(
    *, acting_user: AbstractBaseUser, case: Case, kind: str, start_date: dt.date, category: str = ""
) -> Plan:
    """A worker starts a child in need plan. A child protection plan is refused
    here: only a conference's decision starts one (``plan_open`` from its record)."""
    if not _lead_worker(acting_user, case):
        raise PermissionDenied("The lead agency records plans.")
    if kind not in Plan.Kind.values:
        raise ValidationError({"kind": "Choose the kind of plan"})
    if kind == Plan.Kind.CHILD_PROTECTION:
        raise StateRefused({"kind": CP_PLAN_STARTS})
    if start_date > timezone.localdate():
        raise ValidationError({"start_date": "The start date must be today or in the past"})
    return plan_open(acting_user=acting_user, case=case, kind=kind, start_date=start_date)


def plan_open(
    *,
    acting_user: AbstractBaseUser,
    case: Case,
    kind: str,
    start_date: dt.date,
    category: str = "",
    next_review_on: dt.date | None = None,
    source: str = "",
) -> Plan:
    """Start a plan; callers have checked who may (a worker's CIN plan, or a
    conference's decision: ``source`` is then the conference's reference, and a
    CP plan without one is refused). A CP plan ends the current CIN plan the
    same day: the two never run together (census rules 4001, 4016, 4017)."""
    case = lock_case(case)  # the state checked below holds until this plan is saved
    if kind == Plan.Kind.CHILD_PROTECTION and not source:
        raise StateRefused({"kind": CP_PLAN_STARTS})
    if kind == Plan.Kind.CHILD_PROTECTION and not category:
        raise ValidationError({"category": "Choose the category of abuse"})
    if problem := plan_start_problem(case, kind, start_date):
        raise StateRefused({"start_date": problem})
    protection = kind == Plan.Kind.CHILD_PROTECTION
    if protection:
        for cin in case.plans.filter(kind=Plan.Kind.CHILD_IN_NEED, end_date__isnull=True):
            plan_close(
                acting_user=acting_user,
                plan=cin,
                end_date=start_date,
                source=source,
                why="a child protection plan started",
            )
    if next_review_on is None:
        # A child in need plan is reviewed by the local standard too, so its
        # review reminder can fire (editable with a reason: services.visits).
        next_review_on = workdays.due_date(
            "first_review" if protection else "cin_review", start_date
        )
    plan = Plan.objects.create(
        case=case,
        kind=kind,
        category=category if protection else "",
        start_date=start_date,
        next_review_on=next_review_on,
        # The local standards, which the plan may change with a reason.
        visit_interval_working_days=workdays.TIMESCALES["cp_visit"].working_days
        if protection
        else None,
        core_group_interval_weeks=workdays.TIMESCALES["core_group"].weeks if protection else None,
    )
    _chronology(
        case,
        acting_user,
        f"{plan.get_kind_display()} started"
        + (f": {plan.get_category_display()}" if plan.category else ""),
        source=source,
    )
    audit_record(
        user=acting_user,
        action="create",
        event="plan_started",
        obj=case,
        case_id=case.pk,
        detail={"kind": kind, "category": plan.category, "source": source},
    )
    return plan


@transaction.atomic
def plan_end(
    *, acting_user: AbstractBaseUser, plan, end_date: dt.date, expected_version: int | None = None
) -> Plan:
    """A worker ends a child in need plan. ``expected_version``: the plan's version
    on the page the person used; if the plan changed since (ended, or its review
    moved), nothing is changed. A child protection plan is refused: a review
    conference ends it (``plan_close`` from its record)."""
    if not _lead_worker(acting_user, plan.case):
        raise PermissionDenied("The lead agency ends plans.")
    if end_date > timezone.localdate():
        raise ValidationError({"end_date": "The end date must be today or in the past"})
    lock_case(plan.case)
    current = Plan.objects.select_for_update().get(pk=plan.pk)
    if expected_version is not None and current.version != expected_version:
        if current.end_date:
            change = f"it ended on {current.end_date:%-d %B %Y}"
        elif current.next_review_on:
            change = f"its next review is now due by {current.next_review_on:%-d %B %Y}"
        else:
            change = "it has been updated"
        raise StaleChange(
            current=current,
            message=f"Someone else changed this {current.get_kind_display().lower()} since you "
            f"opened the page: {change}. Nothing was changed.",
        )
    if current.kind == Plan.Kind.CHILD_PROTECTION and not current.end_date:
        raise StateRefused({"end_date": CP_PLAN_ENDS})
    return plan_close(acting_user=acting_user, plan=current, end_date=end_date)


def plan_close(
    *, acting_user: AbstractBaseUser, plan, end_date: dt.date, source: str = "", why: str = ""
) -> Plan:
    """End a plan; callers have checked who may (a worker's CIN plan, a review
    conference, a CP plan starting, or the case closing as the law allows) and
    hold the case's lock."""
    _lock(plan)
    if plan.end_date:
        raise AlreadyDone(
            current=plan,
            message=f"This {plan.get_kind_display().lower()} has already ended"
            f"{on(plan.end_date)}. Nothing was changed.",
        )
    if problem := plan_end_problem(plan, end_date):
        raise StateRefused({"end_date": problem})
    plan.end_date = end_date
    plan.next_review_on = None
    plan.version += 1
    plan.save(update_fields=["end_date", "next_review_on", "version"])
    _chronology(
        plan.case,
        acting_user,
        f"{plan.get_kind_display()} ended" + (f": {why}" if why else ""),
        source=source,
    )
    audit_record(
        user=acting_user,
        action="transition",
        event="plan_ended",
        obj=plan.case,
        case_id=plan.case_id,
        detail={"source": source, "why": why} if source or why else None,
    )
    return plan
