"""What comes due around meetings, for the reminder sweep (SPEC 3.6).

- an ICPC to arrange: 15 working days from a strategy discussion that decided
  on a section 47 enquiry, until an ICPC is arranged (or the enquiry ends
  without one); then the arranged ICPC until it is held, for its chair;
- a first core group: by the date the ICPC set, until one is held;
- agency reports: by the meeting's report date, until the agency sends it.

Review conferences come from the plan's review date (``cases.reminders``).
Queries are in bulk: the sweep asks about every open item on every run.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator

from cases.models import Case, Section47Enquiry
from cases.reminders import CASE_FIELDS, AgencyPeople, lead_worker_items, link_maker
from meetings.models import PLAN_STARTING, AgencyReport, Meeting, MeetingCase, MeetingInvitation
from safeguard import workdays
from safeguard.notifications.registry import DueItem, register


def _latest_by_case(kind: str) -> dict:
    """The latest meeting of ``kind`` on each case: case id -> scheduled_at."""
    latest: dict = {}
    # A cancelled meeting was never held and arranges nothing.
    for case_id, at in MeetingCase.objects.filter(
        meeting__kind=kind, meeting__cancelled_at__isnull=True
    ).values_list("case_id", "meeting__scheduled_at"):
        if case_id not in latest or at > latest[case_id]:
            latest[case_id] = at
    return latest


@register("icpc_to_arrange", label="Initial child protection conference to arrange")
def icpcs_to_arrange(horizon: dt.date) -> Iterator[DueItem]:
    rows = list(
        MeetingCase.objects.filter(
            meeting__kind=Meeting.Kind.STRATEGY,
            meeting__finalised_at__isnull=False,
            decision=MeetingCase.Decision.SECTION_47,
            case__status=Case.Status.OPEN,
        ).values("meeting_id", "meeting__scheduled_at", *CASE_FIELDS)
    )
    # The clock runs from the latest discussion that decided an enquiry: a later
    # one that decided none restarts nothing (Working Together 2023, ch. 2).
    latest_strategy: dict = {}
    for r in rows:
        at = r["meeting__scheduled_at"]
        latest_strategy[r["case_id"]] = max(at, latest_strategy.get(r["case_id"], at))
    icpcs = _latest_by_case(Meeting.Kind.ICPC)
    # An enquiry that ended without a conference stops the clock.
    ended = defaultdict(list)
    for case_id, on in (
        Section47Enquiry.objects.filter(
            completed_on__isnull=False, case_id__in={r["case_id"] for r in rows}
        )
        .exclude(outcome=Section47Enquiry.Outcome.ICPC)
        .values_list("case_id", "completed_on")
    ):
        ended[case_id].append(on)
    rows = [
        r
        for r in rows
        if r["meeting__scheduled_at"] == latest_strategy[r["case_id"]]
        and not (r["case_id"] in icpcs and icpcs[r["case_id"]] >= r["meeting__scheduled_at"])
        and not any(
            on >= workdays.local_date(r["meeting__scheduled_at"]) for on in ended[r["case_id"]]
        )
    ]
    for row in rows:
        row["icpc_due"] = workdays.due_date(
            "icpc", workdays.local_date(row["meeting__scheduled_at"])
        )
    yield from lead_worker_items(
        [r for r in rows if r["icpc_due"] <= horizon],
        subject=lambda row: f"case:{row['case_id']}:after:{row['meeting_id']}",
        due_on=lambda row: row["icpc_due"],
    )


def _open_meetings(kinds, horizon: dt.date) -> list[dict]:
    return list(
        Meeting.objects.filter(kind__in=kinds, finalised_at__isnull=True, cancelled_at__isnull=True)
        .exclude(due_on__isnull=True)
        .filter(due_on__lte=horizon)
        .values("pk", "reference", "due_on", "chair_id", "lead_agency_id")
    )


@register("conference_to_hold", label="Child protection conference to hold")
def conferences_to_hold(horizon: dt.date) -> Iterator[DueItem]:
    """An arranged conference not yet held by its statutory date: its chair."""
    rows = _open_meetings([Meeting.Kind.ICPC, Meeting.Kind.RCPC, Meeting.Kind.TRANSFER_IN], horizon)
    people = AgencyPeople((r["lead_agency_id"] for r in rows), workers=())
    link = link_maker("meeting_detail")
    for row in rows:
        yield DueItem(
            subject=f"meeting:{row['pk']}",
            due_on=row["due_on"],
            reference=row["reference"],
            link_path=link(row["pk"]),
            responsible=(row["chair_id"],),
            managers=people.managers(row["lead_agency_id"]),
        )


@register("first_core_group", label="First core group meeting")
def first_core_groups(horizon: dt.date) -> Iterator[DueItem]:
    rows = list(
        MeetingCase.objects.filter(
            meeting__kind__in=PLAN_STARTING,
            meeting__finalised_at__isnull=False,
            decision=MeetingCase.Decision.PLAN,
            first_core_group_on__lte=horizon,
            case__status=Case.Status.OPEN,
        ).values("meeting_id", "meeting__scheduled_at", "first_core_group_on", *CASE_FIELDS)
    )
    held = defaultdict(list)
    for case_id, at in MeetingCase.objects.filter(
        meeting__kind=Meeting.Kind.CORE_GROUP,
        meeting__finalised_at__isnull=False,
        case_id__in={r["case_id"] for r in rows},
    ).values_list("case_id", "meeting__scheduled_at"):
        held[case_id].append(at)
    yield from lead_worker_items(
        [r for r in rows if not any(at > r["meeting__scheduled_at"] for at in held[r["case_id"]])],
        subject=lambda row: f"case:{row['case_id']}:core-group-after:{row['meeting_id']}",
        due_on=lambda row: row["first_core_group_on"],
    )


@register("core_group", label="Core group meeting")
def later_core_groups(horizon: dt.date) -> Iterator[DueItem]:
    """After the first core group, the next is due by the plan's core group
    frequency from the last one held (finalised), while the plan lasts."""
    from cases.models import Plan

    weeks_by_case: dict = {}
    for case_id, weeks, start in Plan.objects.filter(
        kind=Plan.Kind.CHILD_PROTECTION, end_date__isnull=True, case__status=Case.Status.OPEN
    ).values_list("case_id", "core_group_interval_weeks", "start_date"):
        weeks_by_case[case_id] = (weeks or workdays.TIMESCALES["core_group"].weeks or 6, start)
    latest: dict = {}
    for row in MeetingCase.objects.filter(
        meeting__kind=Meeting.Kind.CORE_GROUP,
        meeting__finalised_at__isnull=False,
        case_id__in=list(weeks_by_case),
    ).values("meeting_id", "meeting__scheduled_at", *CASE_FIELDS):
        if (
            row["case_id"] not in latest
            or row["meeting__scheduled_at"] > latest[row["case_id"]]["meeting__scheduled_at"]
        ):
            latest[row["case_id"]] = row
    rows = []
    for case_id, row in latest.items():
        weeks, plan_start = weeks_by_case[case_id]
        held_on = workdays.local_date(row["meeting__scheduled_at"])
        if held_on < plan_start:
            continue  # a core group of an earlier plan
        row["next_due"] = held_on + dt.timedelta(weeks=weeks)
        if row["next_due"] <= horizon:
            rows.append(row)
    yield from lead_worker_items(
        rows,
        subject=lambda row: f"case:{row['case_id']}:core-group-after:{row['meeting_id']}",
        due_on=lambda row: row["next_due"],
    )


@register("agency_report", label="Agency report for a meeting")
def agency_reports(horizon: dt.date) -> Iterator[DueItem]:
    """An invited agency's report, until it is sent: its people, then its managers."""
    rows = list(
        MeetingInvitation.objects.filter(
            report_requested=True,
            meeting__finalised_at__isnull=True,
            meeting__cancelled_at__isnull=True,
            meeting__report_due_on__lte=horizon,
        ).values(
            "meeting_id", "meeting__reference", "meeting__report_due_on", "agency_id", "person_id"
        )
    )
    sent = set(
        AgencyReport.objects.filter(meeting_id__in={r["meeting_id"] for r in rows}).values_list(
            "meeting_id", "agency_id"
        )
    )
    people = AgencyPeople(r["agency_id"] for r in rows)
    link = link_maker("meeting_detail")
    for row in rows:
        if (row["meeting_id"], row["agency_id"]) in sent:
            continue
        yield DueItem(
            subject=f"meeting:{row['meeting_id']}:report:{row['agency_id']}",
            due_on=row["meeting__report_due_on"],
            reference=row["meeting__reference"],
            link_path=link(row["meeting_id"]),
            responsible=people.workers(row["agency_id"], person_id=row["person_id"]),
            managers=people.managers(row["agency_id"]),
        )
