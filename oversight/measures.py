"""The timescales the dashboard measures, each as rows a query can count.

Every measure compares a date the record already keeps with the due date its
statutory clock stored when the work started, so compliance is one comparison
inside an aggregate query and the working-day rules stay where they are
defined (``safeguard.workdays.TIMESCALES``, ``meetings.clocks``,
``cases.models.visits``):

- triage: a front-door decision within 1 working day of the concern's
  submission (``Concern.decision_due_at``, set at submission);
- assessment: a child and family assessment completed within 45 working days
  (``Assessment.due_on``, set when it started);
- ICPC: the initial child protection conference within 15 working days of the
  strategy discussion (``Meeting.due_on``, set by the ICPC clock when it was
  arranged, and kept when the conference is moved);
- first core group: within 10 working days of the ICPC (the core group that
  follows the ICPC; ``Meeting.due_on`` from its clock);
- review conference: the first within 3 months of the ICPC, later ones within
  6 months of the last (``Meeting.due_on`` from the review clock);
- statutory visit: a child on a child protection plan seen within the plan's
  visit interval (``StatutoryVisit.due_on``, the visit clock on the day).

Source: Working Together to Safeguard Children 2023 (DfE), chapter 3,
"Providing help, support and protection" (decision within one working day;
assessment within 45 working days; ICPC within 15 working days of the
strategy discussion; first core group within 10 working days of the ICPC;
first review within 3 months, then at most every 6 months). Visit frequency
is the local standard ``cp_visit`` in ``safeguard.workdays``.

A meeting is counted once per child it was about (``MeetingCase``), since the
figures and their drill-downs are about children's cases.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.db.models.functions import TruncDate

from cases.models import Assessment, Concern, StatutoryVisit
from cases.selectors import case_visible_to, led_case_visible_to, led_concern_visible_to
from cases.selectors.cases import User
from meetings.clocks import held
from meetings.models import PLAN_STARTING, Meeting, MeetingCase
from safeguard import workdays

SOURCE = (
    "Working Together to Safeguard Children 2023, chapter 3 "
    "(Providing help, support and protection)"
)
MONTHS = 12


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def last_months(today: dt.date, n: int = MONTHS) -> list[dt.date]:
    """The first days of the last ``n`` months, this month last."""
    this = today.replace(day=1)
    return [add_months(this, i) for i in range(1 - n, 1)]


@dataclass(frozen=True)
class Measure:
    code: str
    label: str
    # What is counted, in the plural, for the table's caption and the chart.
    counted: str
    # The field holding when the work was done: its month is the figure's month.
    done: str
    done_is_moment: bool
    # Every row the measure counts, of any agency, before any access rule.
    every: Callable[[], QuerySet]
    on_time: Callable[[], Q]
    # Due and done dates of one row, for the drill-down's columns.
    due_of: Callable[[object], dt.date]
    done_of: Callable[[object], dt.date]
    # The drill-down's keyset order: the row's own columns, ending in its key.
    order: tuple[str, ...] = ("id",)
    source: str = SOURCE
    # The rows are concerns, counted for their own front door (``lead_agency``)
    # and seen by ``concerns_for``'s rule; otherwise rows of a case.
    front_door: bool = False

    def in_window(self, start: dt.date, end: dt.date) -> Q:
        """Done on or after ``start`` and before ``end`` (local days)."""
        if self.done_is_moment:
            tz = _tz()
            return Q(
                **{
                    f"{self.done}__gte": dt.datetime.combine(start, dt.time(), tz),
                    f"{self.done}__lt": dt.datetime.combine(end, dt.time(), tz),
                }
            )
        return Q(**{f"{self.done}__gte": start, f"{self.done}__lt": end})

    def rows(self, user: User, agency_ids: list) -> QuerySet:
        """The rows of the agencies' work that ``user`` may see: the one
        access rule, per row (a restricted case the person is not named on is
        in no figure and no drill-down)."""
        if self.front_door:
            return self.every().filter(led_concern_visible_to(user, agency_ids))
        return self.every().filter(led_case_visible_to(user, agency_ids, "case__"))

    # The parts ``rows`` is made of for a person holding a lead-agency role in
    # each of the agencies (a manager at their dashboard), so the first can be
    # counted once for all of them (``oversight.summary``) and only the second
    # per person: rows(user) = unrestricted + on_restricted seen by the user.

    def unrestricted(self, agency_ids: list) -> QuerySet:
        """Rows whose case, if any, is not restricted: every such person sees them."""
        if self.front_door:
            return self.every().filter(
                Q(lead_agency_id__in=agency_ids)
                & (Q(case__isnull=True) | Q(case__is_restricted=False))
            )
        return self.every().filter(case__lead_agency_id__in=agency_ids, case__is_restricted=False)

    def on_restricted(self, agency_ids: list, restricted: Q) -> QuerySet:
        """Rows on the agencies' restricted cases: few, and asked person by person.

        ``restricted`` picks the rows on those cases by their ``case_id`` (the
        cases read just before, ``oversight.summary.figures``): a row's own
        index then leads to the few rows, where joining the case's flags let
        PostgreSQL read every meeting of the year, or the whole table, to find
        the hundred on restricted cases (22 to 37 ms a measure at a county's
        scale). A concern's front door is its own ``lead_agency``, which may
        not be its case's, so concerns are still asked by the case's flag."""
        if self.front_door:
            return self.every().filter(lead_agency_id__in=agency_ids, case__is_restricted=True)
        return self.every().filter(restricted)

    def on_restricted_of(self, agency_id) -> QuerySet:
        """Rows on one agency's restricted cases, all of them: what the worker
        counts case by case (``oversight.summary``, not for the front door)."""
        return self.every().filter(case__lead_agency_id=agency_id, case__is_restricted=True)

    def seen_on_restricted(self, user: User) -> Q:
        """Which of ``on_restricted`` the user sees: the case's own rule (and
        a concern's reporter keeps seeing what they reported, ``concerns_for``)."""
        visible = Q(case_visible_to(user, "case_id"))
        return Q(reported_by=user) | visible if self.front_door else visible


def _triage() -> QuerySet:
    # A draft is nobody's work yet; the front door's decision is what counts.
    return Concern.objects.exclude(status=Concern.Status.DRAFT).filter(
        decided_at__isnull=False, decision_due_at__isnull=False
    )


def _meetings(kind: str, **more) -> Callable[[], QuerySet]:
    def every() -> QuerySet:
        return (
            MeetingCase.objects.filter(meeting__kind=kind, meeting__due_on__isnull=False, **more)
            .filter(held("meeting__"))
            .select_related("meeting")
        )

    return every


def _meeting_on_time() -> Q:
    return Q(meeting__due_on__gte=TruncDate("meeting__scheduled_at", tzinfo=_tz()))


def _assessments() -> QuerySet:
    return Assessment.objects.filter(completed_on__isnull=False)


def _visits() -> QuerySet:
    # A visit at which the child was not seen is recorded but is not the visit
    # the clock asks for (cases.selectors.visits): only visits that saw the child.
    return StatutoryVisit.objects.filter(due_on__isnull=False).exclude(
        seen=StatutoryVisit.Seen.NOT_SEEN
    )


def _held_on(row) -> dt.date:
    return workdays.local_date(row.meeting.scheduled_at)


MEASURES: dict[str, Measure] = {
    m.code: m
    for m in (
        Measure(
            "triage",
            f"Front-door decisions within {workdays.TIMESCALES['referral_decision'].working_days}"
            " working day",
            "front-door decisions",
            "decided_at",
            True,
            _triage,
            lambda: Q(decided_at__lte=F("decision_due_at")),
            lambda c: workdays.local_date(c.decision_due_at),
            lambda c: workdays.local_date(c.decided_at),
            order=("decided_at", "id"),
            front_door=True,
        ),
        Measure(
            "assessments",
            f"Assessments completed within {workdays.TIMESCALES['assessment'].working_days}"
            " working days",
            "assessments completed",
            "completed_on",
            False,
            _assessments,
            lambda: Q(completed_on__lte=F("due_on")),
            lambda a: a.due_on,
            lambda a: a.completed_on,
            order=("completed_on", "id"),
        ),
        Measure(
            "icpcs",
            f"Initial conferences within {workdays.TIMESCALES['icpc'].working_days} working days"
            " of the strategy discussion",
            "initial child protection conferences held",
            "meeting__scheduled_at",
            True,
            _meetings(Meeting.Kind.ICPC),
            _meeting_on_time,
            lambda s: s.meeting.due_on,
            _held_on,
        ),
        Measure(
            "core-groups",
            f"First core groups within {workdays.TIMESCALES['first_core_group'].working_days}"
            " working days of the initial conference",
            "first core groups held",
            "meeting__scheduled_at",
            True,
            _meetings(Meeting.Kind.CORE_GROUP, meeting__follows__kind__in=PLAN_STARTING),
            _meeting_on_time,
            lambda s: s.meeting.due_on,
            _held_on,
        ),
        Measure(
            "reviews",
            "Review conferences on time",
            "review child protection conferences held",
            "meeting__scheduled_at",
            True,
            _meetings(Meeting.Kind.RCPC),
            _meeting_on_time,
            lambda s: s.meeting.due_on,
            _held_on,
        ),
        Measure(
            "visits",
            "Statutory visits on time",
            "visits at which the child was seen",
            "visited_on",
            False,
            _visits,
            lambda: Q(visited_on__lte=F("due_on")),
            lambda v: v.due_on,
            lambda v: v.visited_on,
            order=("visited_on", "id"),
            source="Local standard: a child on a child protection plan is seen at least every "
            f"{workdays.TIMESCALES['cp_visit'].working_days} working days (the plan may set "
            "its own interval)",
        ),
    )
}
