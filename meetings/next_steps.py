"""What happens next on a case: the statutory steps that apply now, computed
from the case's state in one place, with their due dates from the clocks.

Every page that ends a decision (the case page after a triage decision or a
case opening, the meeting page after a strategy discussion or a conference is
recorded) shows the same panel, so the workflow never stops at a decision
nobody follows up. A step is offered only while its state calls for it: an
ICPC only after a strategy discussion decided on a section 47 enquiry and
before one is arranged, never once the enquiry closed without one; a first
core group only while the plan its conference started lasts; nothing on a
closed case. A due date is shown only where a statutory clock gives one
(SPEC 3.5); where none does, none is invented.

In ``meetings`` rather than ``cases``: the steps read meetings, and the
import layers let meetings use cases, not the other way round.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Model, QuerySet, Value
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, Concern, Plan, Section47Enquiry
from cases.selectors.case_page import case_page_read
from cases.selectors.policy import can_allocate
from meetings.clocks import core_group_limit, meeting_clock
from meetings.models import Meeting, MeetingCase
from meetings.services.common import can_schedule
from safeguard import workdays
from safeguard.core.compiled import compiled_objects, compiled_rows


@dataclass(frozen=True)
class NextStep:
    key: str
    title: str
    explanation: str
    due_on: dt.date | None = None
    # Where the step is done, for someone who may do it; None: they may not.
    url: str | None = None

    @property
    def overdue(self) -> bool:
        return self.due_on is not None and self.due_on < timezone.localdate()


def _live(case: Case):
    """The case's meetings that were not cancelled, newest first."""
    return (
        Meeting.objects.filter(subjects__case=case, cancelled_at__isnull=True)
        .distinct()
        .order_by("-scheduled_at")
    )


# Each read below is asked on every case page the lead agency opens: its
# statement is compiled once per process (safeguard.core.compiled) and bound
# to the case and the moment; a kind of meeting or a decision is part of
# the statement (its key), as the code names it.


def _first(key: tuple, build: Callable[..., QuerySet], **values: Any) -> Model | None:
    found = compiled_objects(("next_steps", *key), build, **values)
    return found[0] if found else None


def _any(key: tuple, build: Callable[..., QuerySet], **values: Any) -> bool:
    return bool(compiled_rows(("next_steps", *key), build, **values))


def _decided(case: Case, kind: str, decision: str) -> MeetingCase | None:
    """The latest finalised meeting of ``kind`` whose decision for this child was ``decision``."""

    def build(case: Case) -> QuerySet[MeetingCase]:
        return (
            MeetingCase.objects.filter(
                case=case,
                meeting__kind=kind,
                meeting__finalised_at__isnull=False,
                meeting__cancelled_at__isnull=True,
                decision=decision,
            )
            .select_related("meeting")
            .order_by("-meeting__scheduled_at")[:1]
        )

    return _first(("decided", kind, decision), build, case=case)


def _arranged_after(case: Case, kind: str, moment: dt.datetime | None) -> bool:
    """Whether a meeting of ``kind`` is arranged on the case (after ``moment``,
    when given), and not cancelled."""
    if moment is None:

        def arranged(case: Case) -> QuerySet:
            return _live(case).filter(kind=kind).order_by().values_list(Value(1))[:1]

        return _any(("arranged", kind), arranged, case=case)

    def arranged_after(case: Case, moment: dt.datetime) -> QuerySet:
        meetings = _live(case).filter(kind=kind, scheduled_at__gt=moment)
        return meetings.order_by().values_list(Value(1))[:1]

    return _any(("arranged_after", kind), arranged_after, case=case, moment=moment)


def next_steps_for(user: AbstractBaseUser, case: Case) -> list[NextStep]:
    """The statutory steps that apply to ``case`` now, in the order they fall due.
    The caller has checked that ``user`` has the lead agency's view of the case."""
    if case.status != Case.Status.OPEN:
        return []
    schedule = can_schedule(user, case)
    steps: list[NextStep] = []

    def arrange_url(kind: str, follows: Meeting | None = None) -> str | None:
        if not schedule:
            return None
        url = reverse("meeting_schedule", args=[case.pk, kind])
        return f"{url}?follows={follows.pk}" if follows else url

    if case.allocated_worker_id is None:
        steps.append(
            NextStep(
                "allocate",
                "Allocate the case",
                "Nobody is allocated yet: a manager chooses the social worker.",
                url=reverse("case_detail", args=[case.pk]) + "#allocate"
                if can_allocate(user, case)
                else None,
            )
        )

    # A meeting held but not yet recorded: its decision is what the next step waits on.
    unrecorded = compiled_objects(
        ("next_steps", "unrecorded"), _unrecorded, case=case, now=timezone.now()
    )
    for meeting in unrecorded:
        held_on = workdays.local_date(meeting.scheduled_at)
        steps.append(
            NextStep(
                f"record-{meeting.pk}",
                f"Record and finalise the {meeting.get_kind_display().lower()}",
                f"Held on {held_on:%-d %B %Y} ({meeting.reference}); the next step follows "
                "from its decision.",
                url=reverse("meeting_detail", args=[meeting.pk]),
            )
        )

    steps += _strategy_steps(case, arrange_url)
    steps += _protection_steps(case, arrange_url)

    assessment = _open_assessment(case)
    if assessment:
        steps.append(
            NextStep(
                "assessment",
                "Complete the child and family assessment",
                f"Within 45 working days of its start on {assessment.started_on:%-d %B %Y}.",
                due_on=assessment.due_on,
                url=reverse("case_detail", args=[case.pk]) + "#statutory",
            )
        )
    # Allocation first, then by due date; steps without a clock after those with one.
    return sorted(
        steps, key=lambda s: (s.key != "allocate", s.due_on is None, s.due_on or dt.date.min)
    )


def _unrecorded(case: Case, now: dt.datetime) -> QuerySet[Meeting]:
    """The case's meetings held by ``now`` and not yet recorded."""
    return _live(case).filter(finalised_at__isnull=True, scheduled_at__lte=now)


def _open_assessment(case: Case):
    """The open assessment due first; from what the case page read, when it did."""
    assessments = case_page_read(case, "assessments")
    if assessments is None:
        return case.assessments.filter(completed_on__isnull=True).order_by("due_on").first()
    return min(
        (a for a in assessments if a.completed_on is None), key=lambda a: a.due_on, default=None
    )


def _current_cp_plan(case: Case) -> Plan | None:
    """The open child protection plan; from what the case page read, when it did."""
    plans = case_page_read(case, "plans")
    if plans is None:
        return case.plans.filter(kind=Plan.Kind.CHILD_PROTECTION, end_date__isnull=True).first()
    return next(
        (p for p in plans if p.kind == Plan.Kind.CHILD_PROTECTION and p.end_date is None), None
    )


def _strategy_steps(case: Case, arrange_url) -> list[NextStep]:
    schedule = arrange_url(Meeting.Kind.STRATEGY) is not None
    steps: list[NextStep] = []
    decision = _first(("decision",), _latest_decision, case=case)
    if (
        decision
        and decision.decision == Concern.Decision.STRATEGY_DISCUSSION
        and not _arranged_after(case, Meeting.Kind.STRATEGY, decision.authorised_at)
        and not _any(
            ("enquiry_since",),
            _enquiries_since,
            case=case,
            day=timezone.localdate(decision.authorised_at),
        )
    ):
        decided_on = timezone.localdate(decision.authorised_at)
        steps.append(
            NextStep(
                "strategy",
                "Arrange the strategy discussion",
                f"Decided at the front door on {decided_on:%-d %B %Y} ({decision.reference}). "
                "Working Together sets no fixed number of days: hold it promptly.",
                url=arrange_url(Meeting.Kind.STRATEGY),
            )
        )

    held = _decided(case, Meeting.Kind.STRATEGY, MeetingCase.Decision.SECTION_47)
    if held is None:
        return steps
    strategy = held.meeting
    held_on = workdays.local_date(strategy.scheduled_at)
    enquiry = _first(("enquiry",), _latest_enquiry_since, case=case, day=held_on)
    if enquiry is None:
        steps.append(
            NextStep(
                "section47",
                "Start the section 47 enquiry",
                f"The strategy discussion on {held_on:%-d %B %Y} decided on one.",
                url=reverse("case_detail", args=[case.pk]) + "#statutory" if schedule else None,
            )
        )
        return steps
    # The ICPC applies while the enquiry is open, or closed calling for one, and
    # no conference has been arranged since the strategy discussion.
    wants_icpc = enquiry.completed_on is None or enquiry.outcome == Section47Enquiry.Outcome.ICPC
    if wants_icpc and not _arranged_after(case, Meeting.Kind.ICPC, strategy.scheduled_at):
        clock = meeting_clock(Meeting.Kind.ICPC, [case], strategy)
        steps.append(
            NextStep(
                "icpc",
                "Arrange the initial child protection conference",
                clock.explanation,
                due_on=clock.due_on,
                url=arrange_url(Meeting.Kind.ICPC, strategy),
            )
        )
    return steps


def _protection_steps(case: Case, arrange_url) -> list[NextStep]:
    steps: list[NextStep] = []
    plan = _current_cp_plan(case)
    if plan is None:
        return steps  # no plan, or it ended: no core group, no review
    icpc = _decided(case, Meeting.Kind.ICPC, MeetingCase.Decision.PLAN)
    if icpc and not _arranged_after(case, Meeting.Kind.CORE_GROUP, icpc.meeting.scheduled_at):
        held_on = workdays.local_date(icpc.meeting.scheduled_at)
        due = icpc.first_core_group_on or core_group_limit(icpc.meeting)
        steps.append(
            NextStep(
                "core_group",
                "Arrange the first core group",
                f"Within 10 working days of the conference on {held_on:%-d %B %Y}.",
                due_on=due,
                url=arrange_url(Meeting.Kind.CORE_GROUP, icpc.meeting),
            )
        )
    last = _first(("last_conference",), _last_conference, case=case)
    if last and not _arranged_after(case, Meeting.Kind.RCPC, last.scheduled_at):
        clock = meeting_clock(Meeting.Kind.RCPC, [case])
        steps.append(
            NextStep(
                "review",
                "Arrange the review child protection conference",
                clock.explanation,
                due_on=clock.due_on,
                url=arrange_url(Meeting.Kind.RCPC, last),
            )
        )
    return steps


def _latest_decision(case: Case) -> QuerySet[Concern]:
    """The concern on the case authorised last: the front door's decision."""
    return Concern.objects.filter(case=case, authorised_at__isnull=False).order_by(
        "-authorised_at"
    )[:1]


def _enquiries_since(case: Case, day: dt.date) -> QuerySet:
    return case.section47_enquiries.filter(started_on__gte=day).order_by().values_list(Value(1))[:1]


def _latest_enquiry_since(case: Case, day: dt.date) -> QuerySet[Section47Enquiry]:
    return case.section47_enquiries.filter(started_on__gte=day).order_by("-started_on")[:1]


def _last_conference(case: Case) -> QuerySet[Meeting]:
    """The case's last finalised child protection conference, initial or review."""
    conferences = [Meeting.Kind.ICPC, Meeting.Kind.RCPC]
    return _live(case).filter(kind__in=conferences, finalised_at__isnull=False)[:1]
