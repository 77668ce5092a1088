"""A lead agency's year of work with known timings, built through the services
as people would do it, for the oversight tests.

"Now" is Monday 15 June 2026; the dashboard's twelve months run from July 2025
to June 2026. Every date below was chosen so that its timescale is met or
missed, the working-day calendar doing its part (Friday to Monday is one
working day; the May bank holidays stretch the ICPC clock)."""

from __future__ import annotations

import datetime as dt

from cases import services
from cases.models import Assessment, Case, Concern
from cases.services.restrictions import case_restrict
from cases.services.visits import visit_record
from tests.factories import World, open_case_from_concern, submit_concern
from tests.meetings.meeting_helpers import (
    at,
    held_meeting,
    held_strategy_discussion_alone,
    plan_decision,
    travel,
)

NOW = at(dt.date(2026, 6, 15), 10)


def _case(world: World, submitted: dt.datetime, decided: dt.datetime, name: str) -> Case:
    with travel(submitted):
        concern = submit_concern(world, child_first_name=name, child_last_name="Test")
    with travel(decided):
        return open_case_from_concern(world, concern)


def _complete(world: World, case: Case, on: dt.date) -> None:
    with travel(at(on, 15)):
        services.assessment_complete(
            child_wishes="Wants things to be calmer at home",
            acting_user=world.social_worker,
            assessment=Assessment.objects.get(case=case),
            summary="Needs identified.",
            primary_need="N1",
            factors=["21"],
        )


def build() -> World:
    w = World()
    # Front-door decisions (and the cases they opened):
    # A: submitted and decided on Monday 2 March: on time.
    w.a = _case(w, at(dt.date(2026, 3, 2), 9), at(dt.date(2026, 3, 2), 15), "Ava")
    # B: submitted Wednesday 4 March, decided Monday 9 March: late.
    w.b = _case(w, at(dt.date(2026, 3, 4), 9), at(dt.date(2026, 3, 9), 11), "Ben")
    # C: submitted Friday 17 April, decided Monday 20 April: one working day, on time.
    with travel(at(dt.date(2026, 4, 17), 9)):
        concern_c = submit_concern(w, child_first_name="Cara", child_last_name="Test")
    with travel(at(dt.date(2026, 4, 20), 9)):
        w.c = open_case_from_concern(w, concern_c, decision="strategy")
    # D: a case from last autumn, on a plan since October.
    with travel(at(dt.date(2025, 9, 29), 9)):
        concern_d = submit_concern(w, child_first_name="Dan", child_last_name="Test")
    with travel(at(dt.date(2025, 9, 30), 9)):
        w.d = open_case_from_concern(w, concern_d, decision="strategy")

    # Assessments: A's completed 1 April (within 45 working days of 2 March),
    # B's on 10 June (well past its 45).
    _complete(w, w.a, dt.date(2026, 4, 1))
    _complete(w, w.b, dt.date(2026, 6, 10))

    # C: strategy discussion Tuesday 21 April, ICPC Tuesday 19 May (the clock
    # said 13 May: late), first core group Tuesday 26 May (within 10 working days).
    held_strategy_discussion_alone(w, w.c, at(dt.date(2026, 4, 21)))
    icpc_on = dt.date(2026, 5, 19)
    w.c_icpc = held_meeting(w, w.c, "icpc", at(icpc_on), plan_decision(icpc_on))
    w.c_core = held_meeting(w, w.c, "core_group", at(dt.date(2026, 5, 26)))
    # D: strategy 6 October, ICPC 20 October (on time), the plan's review
    # set for 17 November, held 19 January: late.
    held_strategy_discussion_alone(w, w.d, at(dt.date(2025, 10, 6)))
    d_icpc_on = dt.date(2025, 10, 20)
    w.d_icpc = held_meeting(w, w.d, "icpc", at(d_icpc_on), plan_decision(d_icpc_on))
    w.d_review = held_meeting(
        w,
        w.d,
        "rcpc",
        at(dt.date(2026, 1, 19)),
        {"decision": "continue_plan", "next_review_on": dt.date(2026, 7, 17)},
    )
    # Visits to C, on its plan from 19 May: seen 26 May (due 3 June: on time),
    # seen 12 June (due 9 June: late), and a visit on 1 June where C was not
    # seen (not a visit the clock counts).
    with travel(NOW):
        for day, seen in (
            (dt.date(2026, 5, 26), "seen_alone"),
            (dt.date(2026, 6, 1), "not_seen"),
            (dt.date(2026, 6, 12), "seen"),
        ):
            visit_record(
                acting_user=w.social_worker,
                case=w.c,
                visited_on=day,
                seen=seen,
                visited_by=w.social_worker,
                not_seen_reason="no_answer" if seen == "not_seen" else "",
            )
    # E: a strategy discussion on Wednesday 20 May decided on an enquiry, and
    # no conference yet: due 11 June (the 25 May bank holiday), late by now.
    with travel(at(dt.date(2026, 5, 18), 9)):
        concern_e = submit_concern(w, child_first_name="Eli", child_last_name="Test")
    with travel(at(dt.date(2026, 5, 18), 11)):
        w.e = open_case_from_concern(w, concern_e, decision="strategy")
    w.e_strategy = held_strategy_discussion_alone(w, w.e, at(dt.date(2026, 5, 20)))

    # R: restricted to the social worker alone; its decision (on time) and
    # its assessment (completed on time) are nobody else's figures.
    w.r = _case(w, at(dt.date(2026, 3, 2), 9), at(dt.date(2026, 3, 2), 12), "Rae")
    _complete(w, w.r, dt.date(2026, 3, 20))
    with travel(at(dt.date(2026, 3, 20), 16)):
        case_restrict(
            acting_user=w.manager,
            case=w.r,
            reason="A member of staff's child: only the allocated worker.",
            named_users=[w.social_worker],
        )
    # Allocation: A to the social worker; everything else waits.
    with travel(NOW):
        services.case_allocate(acting_user=w.manager, case=w.a, worker=w.social_worker)
    return w


def decided_concerns(world: World):
    return Concern.objects.filter(lead_agency=world.la, decided_at__isnull=False)
