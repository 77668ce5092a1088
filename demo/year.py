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
import zlib
from struct import pack

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases import services
from cases.dfe_codes import ClosureReason, Disability, ReferralSource
from cases.models import (
    Assessment,
    Case,
    CaseDocument,
    CaseNote,
    ChronologyEntry,
    Concern,
    Episode,
    Involvement,
    InvolvementReason,
    Plan,
)
from cases.services.record import document_upload
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
from demo.meetings import arrange, hold, working_day_near
from meetings import services as meetings
from meetings.models import Meeting
from referrals.models import Referral
from referrals.services import referral_send, referral_transition, response_due
from safeguard import workdays
from safeguard.notifications.models import Notification

NORTHSHIRE = "northshire-csc"
POLICE = "northshire-police"
HEALTH = "northshire-health"
HILLSIDE = "hillside-primary"


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def _days_ago(days: int) -> dt.date:
    """The working day ``days`` back from today (or the one before it)."""
    return working_day_near(timezone.localdate() - dt.timedelta(days=days))


def _date_what_was_made(case: Case, since: dt.datetime, day: dt.date, hour: int = 15) -> None:
    """The chronology a service just wrote ("now"), moved to the day it happened."""
    ChronologyEntry.objects.filter(case=case, created_at__gte=since).update(
        occurred_at=_at(day, hour)
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

    def _open(self, person, *, days_ago: int, decision: str, **extra) -> Case:
        submitted = _at(_days_ago(days_ago), 9)
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
        Case.objects.filter(pk=case.pk).update(closed_at=_at(day, 16))
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
        case = self._open(person, days_ago=225, decision="assessment")
        done = _days_ago(190)
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
        case = self._open(person, days_ago=210, decision="assessment")
        done = _days_ago(175)
        self._assess(
            case,
            done,
            summary="Young carer for a parent with low mood; a child in need plan agreed.",
        )
        start = workdays.add_working_days(done, 5)
        self._cin_plan(case, start, end=_days_ago(40))
        self._close(
            case,
            ClosureReason.CEASED_OTHER,
            "The plan's goals are met: adult services support the parent and the child has a "
            "young carers' group place. No longer a child in need.",
            _days_ago(37),
        )
        return case

    def protection_plan_start_to_end(self) -> Case:
        """Strategy discussion, enquiry, initial conference, core group, two
        reviews (the second ends the plan), a step-down child in need plan, closed RC7."""
        world, agencies = self.world, self.agencies
        police, health, school = agencies[POLICE], agencies[HEALTH], agencies[HILLSIDE]
        person = world.person(ages=(6, 9))
        person.school = "Hillside Primary School"
        case = self._open(
            person,
            days_ago=235,
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
        core = arrange(world, "core_group", [case], workdays.add_working_days(icpc_day, 7), [])
        hold(world, core, {})
        second_review = working_day_near(first_review + dt.timedelta(days=70))
        review = arrange(world, "rcpc", [case], first_review, [police, health, school])
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
        review = arrange(world, "rcpc", [case], second_review, [police, health, school])
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
        self._cin_plan(case, second_review, end=_days_ago(12))
        self._close(
            case,
            ClosureReason.CEASED_OTHER,
            "Child in need plan completed; the family support worker's work has ended and the "
            "school will offer early help if needed.",
            _days_ago(10),
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
        weeks = 40 - (expected - _days_ago(30)).days // 7
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
        submitted = _at(_days_ago(30), 11)
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
        police, health, school = agencies[POLICE], agencies[HEALTH], agencies[HILLSIDE]
        person = world.person(ages=(5, 8))
        person.school = "Hillside Primary School"
        case = self._open(
            person,
            days_ago=58,
            decision="assessment",
            reason="The family has moved from Westmoor, where the child has been on a child "
            "protection plan (emotional abuse) since last year; transfer-in conference to be "
            "held within 15 working days.",
            referral_source=ReferralSource.OTHER_LA,
            submit={"category": "emotional", "reporter": f"practitioner@{HEALTH}"},
        )
        referral = case.episodes.get().referral_date
        held = workdays.add_working_days(referral, 10)
        transfer = arrange(world, "transfer_in", [case], held, [police, health, school])
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
        reviewed = [p for p in made if p.next_review_on and p.next_review_on <= _days_ago(5)]
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

    def referrals(self, cases: list[Case]) -> list[Referral]:
        """Referrals between agencies at every stage: the lead agency sends and
        receives, and so do its partners."""
        sw = self.users[f"social_worker@{NORTHSHIRE}"]
        school = self.users[f"practitioner@{HILLSIDE}"]
        nurse = self.users[f"practitioner@{HEALTH}"]
        officer = self.users[f"practitioner@{POLICE}"]
        a = self.agencies
        involved = {
            c.pk: set(
                c.involvements.filter(ended_at__isnull=True).values_list("agency__slug", flat=True)
            )
            for c in cases
        }
        open_cases = [c for c in cases if not c.is_restricted]

        def on(*slugs: str) -> list[Case]:
            return [c for c in open_cases if set(slugs) <= involved[c.pk]]

        stories = [
            # (sender, from, to, case, steps [(actor, action, reason)], days ago sent, reason, ask)
            (
                sw,
                NORTHSHIRE,
                HEALTH,
                on(HILLSIDE),
                [(nurse, "acknowledge", ""), (nurse, "accept", ""), (sw, "close", "")],
                150,
                "Persistent low mood and sleeping badly since the home move.",
                "Please assess for the CAMHS waiting list.",
            ),
            (
                sw,
                NORTHSHIRE,
                POLICE,
                on(POLICE),
                [(officer, "acknowledge", "")],
                6,
                "Mother reports the former partner has been outside the house twice.",
                "Please flag the address and consider a welfare visit.",
            ),
            (
                sw,
                NORTHSHIRE,
                HILLSIDE,
                on(HILLSIDE),
                [],
                0,
                "The child is moving to Hillside from January.",
                "Please arrange a transition meeting with the family and the current school.",
            ),
            (
                school,
                HILLSIDE,
                NORTHSHIRE,
                on(HILLSIDE),
                [],
                0,
                "Attendance has dropped to 70% this half term and the child is often hungry.",
                "Please consider whether the plan needs review.",
            ),
            (
                officer,
                POLICE,
                NORTHSHIRE,
                on(POLICE),
                [(sw, "acknowledge", ""), (sw, "accept", "")],
                70,
                "Missing from home overnight; found with older youths in Castlebridge.",
                "Please hold a return home interview and review the exploitation risk.",
            ),
            (
                nurse,
                HEALTH,
                NORTHSHIRE,
                on(HEALTH),
                [
                    (
                        sw,
                        "decline",
                        "Already open to the assessment team: the information is on "
                        "the case and the allocated worker will act on it.",
                    )
                ],
                110,
                "Missed immunisations and two missed health visitor contacts.",
                "Please consider a child and family assessment.",
            ),
            (
                nurse,
                HEALTH,
                HILLSIDE,
                on(HEALTH, HILLSIDE),
                [(nurse, "withdraw", "Sent for the wrong child; re-sent.")],
                95,
                "Enuresis clinic starting; the child may need a discreet toilet pass.",
                "Please agree a toilet pass with the family.",
            ),
            (
                school,
                HILLSIDE,
                HEALTH,
                on(HILLSIDE, HEALTH),
                [(nurse, "accept", ""), (school, "close", "")],
                200,
                "The child has lost weight and seems low in mood this term.",
                "Please assess whether a referral to CAMHS is needed.",
            ),
            (
                school,
                HILLSIDE,
                HEALTH,
                on(HILLSIDE, HEALTH),
                [(nurse, "decline", "CAMHS criteria not met; GP review offered instead.")],
                45,
                "Frequent headaches in class; the family says the GP is hard to reach.",
                "Please offer a school nurse review.",
            ),
            (
                officer,
                POLICE,
                HEALTH,
                on(POLICE, HEALTH),
                [(nurse, "acknowledge", ""), (nurse, "accept", "")],
                20,
                "Witnessed a serious domestic incident; nightmares since, says the mother.",
                "Please offer trauma-informed support through the school nursing team.",
            ),
        ]
        made: list[Referral] = []
        used: dict[tuple[str, str], int] = {}
        for sender, source, target, candidates, steps, days, reason, ask in stories:
            if not candidates:
                continue
            # A different case for each story between the same two agencies.
            n = used.get((source, target), 0)
            used[(source, target)] = n + 1
            case = candidates[(len(made) + n) % len(candidates)]
            since = timezone.now()
            referral = referral_send(
                acting_user=sender,
                case=case,
                from_agency=a[source],
                to_agency=a[target],
                reason=reason,
                request=ask,
                urgency="urgent" if days < 7 else "routine",
                sharing_basis="consent",
            )
            for actor, action, why in steps:
                referral = referral_transition(
                    acting_user=actor, referral=referral, action=action, reason=why
                )
            sent = timezone.now() - dt.timedelta(hours=2) if days == 0 else _at(_days_ago(days), 10)
            self._date_referral(referral, sent, since)
            made.append(referral)
        return made

    @staticmethod
    def _date_referral(referral: Referral, sent: dt.datetime, since: dt.datetime) -> None:
        """Sent on ``sent``; each answer a working day after the one before."""
        ack = sent + dt.timedelta(hours=3)
        answered = _at(workdays.add_working_days(workdays.local_date(sent), 1), 11)
        ended = _at(workdays.add_working_days(workdays.local_date(answered), 10), 12)
        ended = min(ended, timezone.now() - dt.timedelta(minutes=10))
        now = timezone.now()
        if answered > now:
            answered = ack = max(sent, now - dt.timedelta(minutes=30))
        Referral.objects.filter(pk=referral.pk).update(
            sent_at=sent,
            response_due_at=response_due(referral.to_agency, sent),
            acknowledged_at=ack if referral.acknowledged_at else None,
            responded_at=answered if referral.responded_at else None,
            ended_at=(answered if referral.status == Referral.Status.WITHDRAWN else ended)
            if referral.ended_at
            else None,
        )
        made = ChronologyEntry.objects.filter(case=referral.case, created_at__gte=since)
        made.filter(title__startswith="Referral from").update(occurred_at=sent)
        made.filter(title__endswith=" acknowledged").update(occurred_at=ack)
        made.filter(title__endswith=" closed").update(occurred_at=ended)
        made.filter(title__regex=r" (accepted|declined|withdrawn)$").update(occurred_at=answered)
        # Accepting made the receiving agency involved, that day.
        Involvement.objects.filter(case=referral.case, started_at__gte=since).update(
            started_at=answered
        )
        InvolvementReason.objects.filter(
            involvement__case=referral.case, added_at__gte=since
        ).update(added_at=answered)
        if sent < now - dt.timedelta(days=7):
            # Told and read at the time; only the last week's are still new.
            Notification.objects.filter(reference=referral.reference).update(
                created_at=sent, read_at=sent + dt.timedelta(hours=4)
            )

    def documents(self, cases: list[Case]) -> list[CaseDocument]:
        """Small files uploaded through the document service (stored where
        MEDIA_ROOT says): a signed plan, a health report, a child's drawing."""
        made = []
        plans = [
            (
                NORTHSHIRE,
                "social_worker",
                "Safety plan signed by the family",
                "pdf",
                CaseNote.Sensitivity.SHARED,
            ),
            (
                HEALTH,
                "practitioner",
                "Health visitor's report to conference",
                "pdf",
                CaseNote.Sensitivity.SHARED,
            ),
            (HILLSIDE, "practitioner", "Drawing: my family", "png", CaseNote.Sensitivity.SHARED),
            (
                NORTHSHIRE,
                "social_worker",
                "Legal advice (lead agency only)",
                "pdf",
                CaseNote.Sensitivity.RESTRICTED,
            ),
        ]
        for i, (slug, role, title, kind, sensitivity) in enumerate(plans):
            case = cases[i % len(cases)]
            if not case.involvements.filter(agency__slug=slug, ended_at__isnull=True).exists():
                continue
            content = _png(self.rng) if kind == "png" else _pdf(title)
            document = document_upload(
                acting_user=self.users[f"{role}@{slug}"],
                case=case,
                agency=self.agencies[slug],
                title=title,
                upload=SimpleUploadedFile(f"{title}.{kind}", content),
                sensitivity=sensitivity,
            )
            at = min(case.opened_at + dt.timedelta(days=20 + 7 * i), timezone.now())
            CaseDocument.objects.filter(pk=document.pk).update(uploaded_at=at)
            made.append(document)
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
                scheduled_at=_at(day, 14),
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
            concern = self.world.submit(
                person, submitted=_at(_days_ago(days), 13), category=category
            )
            made.append(self.world.decide(concern, person, "nfa"))
        return made


def _pdf(title: str) -> bytes:
    """A one-page PDF with the title on it: enough for the document service's
    type check, and readable when downloaded."""
    text = title.replace("(", "[").replace(")", "]")
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _png(rng: random.Random, size: int = 32) -> bytes:
    """A small coloured PNG (a child's drawing stands in as blocks of colour)."""
    colours = [tuple(rng.randint(0, 255) for _ in range(3)) for _ in range(4)]
    rows = b"".join(
        b"\x00" + b"".join(bytes(colours[(x // 8 + y // 8) % 4]) for x in range(size))
        for y in range(size)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return pack(">I", len(data)) + kind + data + pack(">I", zlib.crc32(kind + data))

    header = pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


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
    year.referrals(fresh)
    year.documents([c for c in fresh if not c.is_restricted][:4])
    year.meeting_changes(fresh)
