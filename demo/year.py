"""The demo's census year: what happened to Northshire's children since 1 April.

``build_children`` (demo.data) makes the front door's work and the cases open
today; this adds what a year holds besides (issues 12 and 14, SPEC 5): cases
that closed, each lawfully (its open work ended first, a DfE closure reason);
a child protection plan from strategy discussion to the review that ended it;
an unborn child; a child who moved in on a plan; child in need plans and their
reviews; referrals between agencies at every stage, sent and received by the
lead agency and by partners; documents; a meeting moved and one cancelled; and
concerns closed with no further action.

Everything goes through the services, acting as the demo's people, so every
rule the services keep holds. The services stamp "today"; afterwards only the
dates are moved back to when the story has them happen (as ``demo.data`` does).
Each day is counted back from today, so every event is in the past and, for a
demo built in December, falls between April and December of the census year.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from cases import services
from cases.dfe_codes import ClosureReason, Disability, ReferralSource
from cases.models import (
    Assessment,
    Case,
    ChronologyEntry,
    Concern,
    Episode,
    Plan,
)
from cases.services.statutory import (
    assessment_authorise,
    assessment_complete,
    case_closure_authorise,
    case_closure_request,
    plan_end,
    plan_start,
)
from cases.services.visits import plan_schedule_change
from demo import child_work
from demo.exchanges import build_documents, build_referrals
from demo.meetings import arrange, at, days_ago, hold, working_day_near
from meetings import services as meetings
from meetings.models import Meeting
from safeguard import workdays

NORTHSHIRE = "northshire-csc"
POLICE = "northshire-police"
HEALTH = "northshire-health"
HILLSIDE = "hillside-primary"


def _date_what_was_made(case: Case, since: dt.datetime, day: dt.date, hour: int = 15) -> None:
    """The chronology a service just wrote ("now"), moved to the day it happened."""
    ChronologyEntry.objects.filter(case=case, created_at__gte=since).update(
        occurred_at=at(day, hour)
    )


class Year:
    """The census year's stories, told by one local authority's ``World``."""

    def __init__(self, world, factors) -> None:
        """``factors``: the census factors that fit a case's concerns (demo.data)."""
        self.world = world
        self.factors = factors
        self.built = world.built
        self.agencies = world.built.agencies
        self.users = world.built.users
        # Its own stream: nothing drawn here shifts what demo.data draws.
        self.rng = random.Random("2026:northshire:year")  # noqa: S311 - demo data

    # Building blocks -------------------------------------------------------------

    def _open(self, person, *, days: int, decision: str, **extra) -> Case:
        submitted = at(days_ago(days), 9)
        concern = self.world.submit(person, submitted=submitted, **extra.pop("submit", {}))
        concern = self.world.decide(concern, person, decision, **extra)
        case = Case.objects.get(pk=concern.case_id)
        self.world.allocate(case, self.world.social_worker, "Assessment team")
        return case

    def _assess(self, case: Case, done: dt.date, *, summary: str, need: str = "N1") -> None:
        """The first assessment, completed on ``done`` and authorised two working days later."""
        factors = self.factors(case)
        assessment = case.assessments.get(completed_on__isnull=True)
        since = timezone.now()
        assessment_complete(
            acting_user=self.world.social_worker,
            assessment=assessment,
            summary=summary,
            primary_need=need,
            factors=factors,
            **child_work.demo_wishes(case),
        )
        assessment_authorise(acting_user=self.world.manager, assessment=assessment)
        referral = case.episodes.get().referral_date
        Assessment.objects.filter(pk=assessment.pk).update(
            started_on=workdays.add_working_days(referral, 1),
            completed_on=done,
            authorised_on=workdays.add_working_days(done, 2),
        )
        _date_what_was_made(case, since, done)

    def _close(self, case: Case, reason: str, explanation: str, day: dt.date) -> None:
        """Closure asked for by the worker and authorised by the manager, as the
        services allow it only once the open work has ended."""
        since = timezone.now()
        case_closure_request(
            acting_user=self.world.social_worker, case=case, reason=reason, explanation=explanation
        )
        case_closure_authorise(acting_user=self.world.manager, case=case)
        Case.objects.filter(pk=case.pk).update(closed_at=at(day, 16))
        Episode.objects.filter(case=case, closure_reason=reason).update(closure_date=day)
        _date_what_was_made(case, since, day, 16)

    def _cin_plan(self, case: Case, start: dt.date, end: dt.date | None = None) -> Plan:
        since = timezone.now()
        plan = plan_start(
            acting_user=self.world.social_worker,
            case=case,
            kind=Plan.Kind.CHILD_IN_NEED,
            start_date=start,
        )
        _date_what_was_made(case, since, start)
        if end is not None:
            since = timezone.now()
            plan_end(acting_user=self.world.social_worker, plan=plan, end_date=end)
            _date_what_was_made(case, since, end)
        return plan

    # The stories -------------------------------------------------------------------

    def closed_after_assessment(self) -> Case:
        """Assessed, no further action needed: closed RC8."""
        person = self.world.person(ages=(5, 9))
        case = self._open(person, days=225, decision="assessment")
        done = days_ago(190)
        self._assess(
            case,
            done,
            summary="The bruise had a consistent explanation; home conditions good and "
            "the family well supported. No further action.",
        )
        self._close(
            case,
            ClosureReason.NFA_AFTER_ASSESSMENT,
            "Assessment found no needs for children's social care; family informed in writing.",
            workdays.add_working_days(done, 4),
        )
        return case

    def closed_after_child_in_need_plan(self) -> Case:
        """Assessed, supported on a child in need plan for some months, closed RC7."""
        person = self.world.person(ages=(10, 14))
        case = self._open(person, days=210, decision="assessment")
        done = days_ago(175)
        self._assess(
            case,
            done,
            summary="Young carer for a parent with low mood; a child in need plan agreed.",
        )
        start = workdays.add_working_days(done, 5)
        self._cin_plan(case, start, end=days_ago(40))
        self._close(
            case,
            ClosureReason.CEASED_OTHER,
            "The plan's goals are met: adult services support the parent and the child has a "
            "young carers' group place. No longer a child in need.",
            days_ago(37),
        )
        return case

    def protection_plan_start_to_end(self) -> Case:
        """Strategy discussion, enquiry, initial conference, two reviews (the
        second ends the plan), a step-down child in need plan, closed RC7."""
        world, agencies = self.world, self.agencies
        police, health, school = agencies[POLICE], agencies[HEALTH], agencies[HILLSIDE]
        person = world.person(ages=(6, 9))
        person.school = "Hillside Primary School"
        case = self._open(
            person,
            days=235,
            decision="strategy",
            submit={"immediate_risk": True, "category": "physical"},
        )
        referral = case.episodes.get().referral_date
        strategy_day = workdays.add_working_days(referral, 1)
        strategy = arrange(world, "strategy", [case], strategy_day, [police, health])
        hold(world, strategy, {case: {"decision": "section_47"}})
        icpc_day = workdays.add_working_days(strategy_day, 11)
        icpc = arrange(world, "icpc", [case], icpc_day, [police, health, school])
        child_work.invite_family(world, icpc, case)
        first_review = working_day_near(icpc_day + dt.timedelta(days=80))
        hold(
            world,
            icpc,
            {
                case: {
                    "decision": "plan",
                    "category": Plan.Category.PHYSICAL,
                    "next_review_on": first_review,
                    "first_core_group_on": workdays.add_working_days(icpc_day, 8),
                    "decision_notes": "Injuries without a consistent account; father to live "
                    "apart while the plan works.",
                }
            },
        )
        # (Its core groups met too; the demo shows core groups on the open
        # plans, and keeps this story's meetings to its conferences: each one
        # arranged costs the seed, which every test worker runs.)
        second_review = working_day_near(first_review + dt.timedelta(days=70))
        # Health and the school report on the plan's progress at its reviews.
        review = arrange(world, "rcpc", [case], first_review, [health, school])
        hold(
            world,
            review,
            {
                case: {
                    "decision": "continue_plan",
                    "next_review_on": second_review,
                    "decision_notes": "Progress, but the father's work with the perpetrator "
                    "programme has only just begun.",
                }
            },
        )
        review = arrange(world, "rcpc", [case], second_review, [health, school])
        hold(
            world,
            review,
            {
                case: {
                    "decision": "end_plan",
                    "decision_notes": "No injuries for five months; the child says home feels "
                    "safe. Support continues on a child in need plan.",
                }
            },
        )
        # The step down: a child in need plan from the day the review ended the
        # protection plan (census rules 4001, 4016 allow exactly that day).
        self._cin_plan(case, second_review, end=days_ago(12))
        self._close(
            case,
            ClosureReason.CEASED_OTHER,
            "Child in need plan completed; the family support worker's work has ended and the "
            "school will offer early help if needed.",
            days_ago(10),
        )
        return case

    def unborn_child(self) -> Case:
        """A midwife's concern about a baby not yet born: a pre-birth assessment.
        The child is recorded as unborn (an expected date, sex not known: DfE
        rules 8525Q and 8750) until the birth is recorded."""
        world = self.world
        person = world.person(ages=(0, 0))
        # Due after the census day (31 March), as the DfE expects of a child
        # still unborn in a return (rule 8530Q), and no more than seven months
        # after the referral.
        today = timezone.localdate()
        census_end = dt.date(today.year + (today.month >= 4), 3, 31)
        expected = min(
            max(today + dt.timedelta(days=55), census_end - dt.timedelta(days=14)),
            today + dt.timedelta(days=180),
        )
        weeks = 40 - (expected - days_ago(30)).days // 7
        child = services.child_create(
            acting_user=world.social_worker,
            lead_agency=world.lead,
            first_name="Unborn baby",
            last_name=person.last,
            sex="U",
            address=person.address,
            postcode=person.postcode,
        )
        person.first, person.dob, person.sex, person.school = "Unborn baby", expected, "U", ""
        world.children[(person.first, person.last, person.dob)] = child
        submitted = at(days_ago(30), 11)
        midwife = self.users[f"practitioner@{HEALTH}"]
        concern = services.concern_submit(
            acting_user=midwife,
            reporting_agency=self.agencies[HEALTH],
            lead_agency=world.lead,
            fields={
                "child_first_name": person.first,
                "child_last_name": person.last,
                "child_address": person.address,
                "child_postcode": person.postcode,
                "account": f"Antenatal appointment at {weeks} weeks; baby due "
                f"{expected:%-d %B %Y}. "
                "Mother, 19, disclosed that her partner controls her money and phone, and "
                "that he pushed her in the second month of the pregnancy.",
                "observed_at": submitted - dt.timedelta(hours=3),
                "categories": ["domestic_abuse"],
                "actions_taken": "Safety planning with mother; named midwife informed.",
                "family_aware": "yes",
                "sharing_basis": "consent",
            },
        )
        Concern.objects.filter(pk=concern.pk).update(
            submitted_at=submitted,
            created_at=submitted - dt.timedelta(minutes=20),
            decision_due_at=workdays.due_at("referral_decision", submitted),
        )
        concern.refresh_from_db()
        world.decide(
            concern,
            person,
            "assessment",
            reason="Pre-birth assessment needed: domestic abuse in pregnancy.",
            referral_source=ReferralSource.PRIMARY_HEALTH,
        )
        case = Case.objects.get(child=child)
        world.allocate(case, world.social_worker, "Assessment team")
        child.refresh_from_db()
        # Recorded on the child's record once the case is open (the lead agency
        # edits a child it works with).
        services.child_update(
            acting_user=world.social_worker,
            child=child,
            expected_version=child.version,
            # Nothing is known of a disability before birth: "no disability" is
            # what the census records for an unborn child until then.
            fields={"expected_date_of_birth": expected, "disabilities": [Disability.NONE]},
        )
        return case

    def moved_in_on_a_plan(self) -> Case:
        """A child on a protection plan in another authority moves to Northshire:
        a transfer-in conference starts Northshire's plan (census: the plan's
        start), core group and visits follow."""
        world, agencies = self.world, self.agencies
        health, school = agencies[HEALTH], agencies[HILLSIDE]
        person = world.person(ages=(5, 8))
        person.school = "Hillside Primary School"
        case = self._open(
            person,
            days=58,
            decision="assessment",
            reason="The family has moved from Westmoor, where the child has been on a child "
            "protection plan (emotional abuse) since last year; transfer-in conference to be "
            "held within 15 working days.",
            referral_source=ReferralSource.OTHER_LA,
            submit={"category": "emotional", "reporter": f"practitioner@{HEALTH}"},
        )
        referral = case.episodes.get().referral_date
        held = workdays.add_working_days(referral, 10)
        # Health (who heard of the move) and the new school; the police know nothing.
        transfer = arrange(world, "transfer_in", [case], held, [health, school])
        child_work.invite_family(world, transfer, case)
        review_on = working_day_near(workdays.due_date("first_review", held))
        hold(
            world,
            transfer,
            {
                case: {
                    "decision": "plan",
                    "category": Plan.Category.EMOTIONAL,
                    "next_review_on": review_on,
                    "first_core_group_on": workdays.add_working_days(held, 8),
                    "decision_notes": "Westmoor's plan continues here: the risks it addressed "
                    "moved with the family.",
                }
            },
        )
        core = arrange(world, "core_group", [case], workdays.add_working_days(held, 7), [])
        hold(world, core, {})
        child_work.visits(world, case)
        child = case.child
        child.refresh_from_db()
        # Westmoor's plan: the plan before this record (census NumberOfPreviousCPP).
        services.child_update(
            acting_user=world.social_worker,
            child=child,
            expected_version=child.version,
            fields={"cp_plans_before_record": 1},
        )
        return case

    def child_in_need_plans(self, cases: list[Case]) -> list[Plan]:
        """Child in need plans on open cases whose assessment found needs, and a
        review of the longest-running one (its next review moved on)."""
        made = []
        for case in cases:
            if case.is_restricted or case.plans.exists() or case.section47_enquiries.exists():
                continue
            assessment = case.assessments.filter(authorised_on__isnull=False).first()
            if assessment is None:
                continue
            start = workdays.add_working_days(assessment.authorised_on, 3)
            if start >= timezone.localdate():
                continue
            made.append(self._cin_plan(case, start))
            if len(made) == 3:
                break
        reviewed = [p for p in made if p.next_review_on and p.next_review_on <= days_ago(5)]
        for plan in reviewed[:1]:
            held = plan.next_review_on
            since = timezone.now()
            plan_schedule_change(
                acting_user=self.world.social_worker,
                plan=plan,
                next_review_on=workdays.due_date("cin_review", timezone.localdate()),
                reason=f"Child in need review held on {held:%-d %B %Y} with the family and "
                "the school: the plan continues.",
            )
            _date_what_was_made(plan.case, since, held)
        return made

    def meeting_changes(self, cases: list[Case]) -> tuple[Meeting | None, Meeting | None]:
        """One meeting moved (the MDT next week, the school's lead cannot come)
        and one cancelled (a core group no longer needed)."""
        moved = (
            Meeting.objects.filter(
                kind=Meeting.Kind.MDT, lead_agency=self.world.lead, finalised_at__isnull=True
            )
            .order_by("scheduled_at")
            .first()
        )
        if moved is not None:
            day = workdays.add_working_days(workdays.local_date(moved.scheduled_at), 3)
            moved = meetings.meeting_reschedule(
                acting_user=self.world.social_worker,
                meeting=moved,
                scheduled_at=at(day, 14),
                reason="The school's designated safeguarding lead is on a course that day.",
            )
        cancelled = None
        for case in cases:
            if case.is_restricted or case.meeting_links.exists():
                continue
            mdt = arrange(
                self.world,
                "mdt",
                [case],
                workdays.add_working_days(timezone.localdate(), 8),
                [],
                purpose="Housing and school transport.",
            )
            cancelled = meetings.meeting_cancel(
                acting_user=self.world.social_worker,
                meeting=mdt,
                reason="The family has been rehoused and the school transport agreed: the "
                "meeting is no longer needed.",
            )
            break
        return moved, cancelled

    def no_further_action(self) -> list[Concern]:
        """Concerns closed at the front door with no further action this year."""
        made = []
        for days, category in ((160, "neglect"), (64, "emotional")):
            person = self.world.person(ages=(4, 10))
            concern = self.world.submit(person, submitted=at(days_ago(days), 13), category=category)
            made.append(self.world.decide(concern, person, "nfa"))
        return made


def build_year(world, cases: list[Case], factors) -> None:
    """The census year's stories on Northshire (``cases``: its open cases;
    ``factors``: the census factors that fit a case's concerns)."""
    year = Year(world, factors)
    year.closed_after_assessment()
    year.closed_after_child_in_need_plan()
    year.protection_plan_start_to_end()
    year.unborn_child()
    year.moved_in_on_a_plan()
    year.no_further_action()
    fresh = [Case.objects.get(pk=c.pk) for c in cases]
    year.child_in_need_plans(fresh)
    build_referrals(world.built, fresh)
    build_documents(world.built, [c for c in fresh if not c.is_restricted][:4], year.rng)
    year.meeting_changes(fresh)
