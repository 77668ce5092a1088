"""``seed_scale`` builds a county by the application's own rules: every grant it
writes is what the access functions would write, and the audit chain verifies."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F
from django.utils import timezone

from agencies.roles import TRIAGE_ROLES, Role
from agencies.services import role_group
from cases.access import desired_group_grants, desired_user_grants
from cases.dfe_codes import ClosureReason
from cases.models import (
    Assessment,
    Case,
    CaseGroupObjectPermission,
    CaseUserObjectPermission,
    Child,
    ChronologyEntry,
    Concern,
    ConcernGroupObjectPermission,
    ConcernUserObjectPermission,
    Episode,
    Involvement,
    Plan,
    Section47Enquiry,
    StatutoryVisit,
)
from cases.models.visits import visit_due_on
from cases.selectors.cases import cases_for
from cases.selectors.concerns import concerns_for
from cases.services.statutory_rules import AFTER_ASSESSMENT_CLOSURES, open_work, require_closable
from census.services import census_build
from census.years import CensusYear
from demo.scale_work import LONG_CHRONOLOGY
from meetings.grants import desired_meeting_group_grants, desired_meeting_user_grants
from meetings.models import (
    Meeting,
    MeetingCase,
    MeetingGroupObjectPermission,
    MeetingUserObjectPermission,
)
from meetings.selectors import meetings_for
from oversight import caseloads
from safeguard import workdays
from safeguard.audit.models import AuditEvent
from safeguard.audit.verification import verify_chain

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="seed_scale builds cases on PostgreSQL only"
    ),
]

CHILDREN = 300


# Seeding the demo and a county, then checking every row against the access
# functions, takes minutes on a busy shared machine.
@pytest.mark.timeout(1200)
def test_a_small_county_is_built_by_the_access_rules(seed_demo, settings, tmp_path):
    """One county, checked six ways (building it takes a while: it is built once)."""
    settings.AUDIT_CHECKPOINT_DIR = str(tmp_path / "audit-checkpoints")
    seed_demo()
    call_command("seed_scale", children=CHILDREN, seed=7, stdout=StringIO())
    county = Case.objects.filter(reference__startswith="CAS-S07-")
    _counts_are_as_asked_and_every_kind_of_case_is_there(county)
    _every_case_holds_exactly_the_grants_the_access_rules_call_for(county)
    _every_meeting_holds_exactly_the_grants_the_meeting_rules_call_for(county)
    _every_concern_holds_the_grants_submitting_it_gives(county)
    _the_people_see_what_their_agencies_involvements_say(county)
    _the_audit_chain_verifies_with_a_row_for_each_act(county)
    _the_statutory_work_is_in_states_the_rules_allow(county)
    _the_work_has_every_timing_oversight_reports(county)
    _the_census_return_has_no_errors(county)
    _the_dashboards_open_case_counts_match_the_cases()


def _the_dashboards_open_case_counts_match_the_cases() -> None:
    # Written with the trigger off and counted once (oversight.caseloads).
    expected = {
        (row["lead_agency_id"], row["allocated_worker_id"]): row["n"]
        for row in Case.objects.filter(status="open", is_restricted=False)
        .values("lead_agency_id", "allocated_worker_id")
        .annotate(n=Count("pk"))
    }
    agencies = list({lead for lead, _ in expected})
    kept = caseloads.unrestricted_open(agencies, allocated=True)
    kept |= caseloads.unrestricted_open(agencies, allocated=False)
    assert kept == expected


def test_cases_at_scale_need_postgresql_and_a_seeded_lead_agency():
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("seed_scale", children=1, agency="nowhere", stdout=StringIO())


def _stored(model, holder: str, obj) -> set[tuple[int, str]]:
    return set(model.objects.filter(content_object=obj).values_list(holder, "permission__codename"))


def _counts_are_as_asked_and_every_kind_of_case_is_there(county):
    assert Child.objects.filter(reference__startswith="CHI-S07-").count() == CHILDREN
    assert county.count() == CHILDREN
    assert set(county.values_list("child__reference", flat=True)) == set(
        Child.objects.filter(reference__startswith="CHI-S07-").values_list("reference", flat=True)
    )
    # Each has its lead agency's involvement, and its opening is on its timeline.
    assert Involvement.objects.filter(case__in=county, level="lead").count() == CHILDREN
    assert ChronologyEntry.objects.filter(case__in=county, kind="case_opened").count() == CHILDREN
    assert county.filter(is_restricted=True).count() >= 2
    assert county.filter(status="open", allocated_worker__isnull=False).exists()
    assert Meeting.objects.filter(subjects__case__in=county).count() >= 5
    assert Concern.objects.filter(case__in=county, status="completed").exists()
    assert Concern.objects.filter(
        reference__startswith="CON-S07-", status="submitted", case__isnull=True
    ).exists()
    # Ended involvements are there too, and give nothing.
    assert Involvement.objects.filter(case__in=county, ended_at__isnull=False).exists()
    # Cases change at times of their own, as a county's do: a closure that would
    # fall in the future happened yesterday at the case's own minute, never all
    # at one instant (which gave a million-case county 98,350 ties).
    ties = county.values("updated_at").annotate(n=Count("id")).order_by("-n").first()
    assert ties["n"] <= 3, ties


def _every_case_holds_exactly_the_grants_the_access_rules_call_for(county):
    for case in county:
        assert _stored(CaseGroupObjectPermission, "group_id", case) == desired_group_grants(case), (
            case.reference
        )
        assert _stored(CaseUserObjectPermission, "user_id", case) == desired_user_grants(case), (
            case.reference
        )


def _every_meeting_holds_exactly_the_grants_the_meeting_rules_call_for(county):
    meetings = Meeting.objects.filter(subjects__case__in=county).distinct()
    assert meetings.filter(subjects__case__is_restricted=True).exists()
    for meeting in meetings:
        assert _stored(
            MeetingGroupObjectPermission, "group_id", meeting
        ) == desired_meeting_group_grants(meeting), meeting.reference
        assert _stored(
            MeetingUserObjectPermission, "user_id", meeting
        ) == desired_meeting_user_grants(meeting), meeting.reference


def _every_concern_holds_the_grants_submitting_it_gives(county):
    concerns = Concern.objects.filter(reference__startswith="CON-S07-").select_related(
        "lead_agency", "reporting_agency"
    )
    assert concerns.exists()
    for concern in concerns:
        groups = {role_group(agency=concern.lead_agency, role=r).pk for r in TRIAGE_ROLES}
        if concern.reporting_agency_id != concern.lead_agency_id:
            groups.add(role_group(agency=concern.reporting_agency, role=Role.MANAGER).pk)
        assert _stored(ConcernGroupObjectPermission, "group_id", concern) == {
            (g, "view_concern") for g in groups
        }
        assert _stored(ConcernUserObjectPermission, "user_id", concern) == {
            (concern.reported_by_id, "view_concern")
        }


def _the_people_see_what_their_agencies_involvements_say(county):
    users = {u.username: u for u in get_user_model().objects.all()}
    social_worker = users["social_worker@northshire-csc"]
    health = users["practitioner@northshire-health"]
    police = users["practitioner@northshire-police"]
    # The lead's social worker sees every case but the restricted ones they are not named on.
    hidden = county.filter(is_restricted=True).exclude(named_access__user=social_worker)
    assert hidden.exists()
    assert set(cases_for(social_worker).filter(pk__in=county)) == set(county.exclude(pk__in=hidden))
    # Health sees the cases it is involved in, unless restricted.
    involved = county.filter(
        involvements__agency__slug="northshire-health", involvements__ended_at__isnull=True
    )
    assert set(cases_for(health).filter(pk__in=county)) == set(involved.filter(is_restricted=False))
    # The police's ended involvements give it nothing; nor does an invitation alone.
    police_now = Involvement.objects.filter(
        agency__slug="northshire-police", ended_at__isnull=True
    ).values("case_id")
    ended = county.filter(involvements__agency__slug="northshire-police").exclude(pk__in=police_now)
    assert ended.exists()
    assert not cases_for(police).filter(pk__in=ended).exists()
    invited_only = Meeting.objects.filter(
        subjects__case__in=ended, invitations__agency__slug="northshire-police"
    )
    assert invited_only.exists()
    assert not meetings_for(police).filter(pk__in=invited_only).exists()
    # A reporter follows what they reported.
    assert concerns_for(health).filter(reference__endswith="H").exists()


def _the_audit_chain_verifies_with_a_row_for_each_act(county):
    assert AuditEvent.objects.filter(
        event="case_opened", case_id__in=county.values("pk")
    ).count() == (CHILDREN)
    assert AuditEvent.objects.filter(position__isnull=True).count() == 0
    report = verify_chain()
    assert report.ok, report.problems
    call_command("verify_audit", stdout=StringIO())


def _the_statutory_work_is_in_states_the_rules_allow(county):
    """Each case's episode, assessment, enquiry, conferences, plans and visits,
    held to the checks the statutory services make before they write."""
    today = timezone.localdate()
    for case in county.prefetch_related(
        "episodes", "assessments", "section47_enquiries", "plans", "visits"
    ):
        (episode,) = case.episodes.all()
        (assessment,) = case.assessments.all()
        referral = episode.referral_date
        assert workdays.local_date(case.opened_at) >= referral, case.reference
        # As a front-door decision opens it: due 45 working days after the referral.
        assert assessment.started_on >= referral
        assert assessment.due_on == workdays.due_date("assessment", referral)
        if assessment.completed_on:
            assert assessment.started_on <= assessment.completed_on <= today
            assert assessment.factors and assessment.wishes_summary != "Not recorded"
            assert episode.primary_need != "N0"
        if assessment.authorised_on:
            assert assessment.completed_on <= assessment.authorised_on <= today
        plans = sorted(case.plans.all(), key=lambda p: p.start_date)
        for plan in plans:
            assert plan.start_date >= referral
            assert plan.end_date is None or plan.end_date >= plan.start_date
            if plan.kind == Plan.Kind.CHILD_PROTECTION:
                _started_by_an_initial_conference(case, plan)
        # Never a child in need plan and a child protection plan at once (they
        # may meet on the day one ends and the other starts: rules 4001, 4016, 4017).
        for cin in (p for p in plans if p.kind == Plan.Kind.CHILD_IN_NEED):
            for cp in (p for p in plans if p.kind == Plan.Kind.CHILD_PROTECTION):
                cin_end = cin.end_date or dt.date.max
                cp_end = cp.end_date or dt.date.max
                assert cin_end <= cp.start_date or cp_end <= cin.start_date, case.reference
        for enquiry in case.section47_enquiries.all():
            _enquiry_follows_its_strategy_discussion(case, enquiry)
        seen_before = None
        for visit in sorted(case.visits.all(), key=lambda v: v.visited_on):
            (cp,) = [p for p in plans if p.kind == Plan.Kind.CHILD_PROTECTION]
            assert cp.start_date < visit.visited_on <= (cp.end_date or today)
            assert visit.child_seen or visit.not_seen_reason
            # The clock the service stores on the day, so "visits on time" counts them.
            assert visit.due_on == visit_due_on(cp, seen_before), case.reference
            if visit.child_seen:
                seen_before = visit.visited_on
        if case.status == Case.Status.CLOSED:
            # Closed with a reason the service would have accepted, nothing open.
            assert episode.closure_date == workdays.local_date(case.closed_at)
            assert episode.closure_reason in ClosureReason.values
            require_closable(case, episode.closure_reason)
            assert open_work(case) == [], case.reference
            if episode.closure_reason in AFTER_ASSESSMENT_CLOSURES:
                assert assessment.authorised_on and not plans
        else:
            assert episode.closure_date is None and not episode.closure_reason
    # One enquiry open at a time, one current plan of each kind (also constraints).
    assert (
        Section47Enquiry.objects.filter(case__in=county, completed_on__isnull=True)
        .values("case")
        .distinct()
        .count()
        == Section47Enquiry.objects.filter(case__in=county, completed_on__isnull=True).count()
    )


def _started_by_an_initial_conference(case, plan):
    """A CP plan starts only by an ICPC's decision, on its day (rules 2883, 2885),
    with the reviews at 3 then 6 months as ``meetings.clocks`` counts them."""
    icpc = MeetingCase.objects.select_related("meeting").get(
        case=case, meeting__kind=Meeting.Kind.ICPC
    )
    held = workdays.local_date(icpc.meeting.scheduled_at)
    assert icpc.decision == MeetingCase.Decision.PLAN and icpc.meeting.is_finalised
    assert plan.start_date == held and plan.category == icpc.category
    assert icpc.first_core_group_on == workdays.due_date("first_core_group", held)
    reviews = list(
        Meeting.objects.filter(subjects__case=case, kind=Meeting.Kind.RCPC).order_by("scheduled_at")
    )
    last = held
    for n, review in enumerate(reviews):
        assert review.due_on == workdays.due_date(
            "first_review" if n == 0 else "later_review", last
        )
        assert review.is_late == bool(review.late_reason), review.reference
        last = workdays.local_date(review.scheduled_at)
        decision = review.subjects.get().decision
        if decision == MeetingCase.Decision.END_PLAN:
            assert plan.end_date == last
    if plan.end_date is None:
        assert plan.next_review_on and plan.next_review_on >= held
    core_groups = Meeting.objects.filter(subjects__case=case, kind=Meeting.Kind.CORE_GROUP)
    first = core_groups.order_by("scheduled_at").first()
    assert first.due_on == workdays.due_date("first_core_group", held)
    assert first.is_late == bool(first.late_reason)


def _enquiry_follows_its_strategy_discussion(case, enquiry):
    strategy = enquiry.strategy_meeting
    assert strategy.kind == Meeting.Kind.STRATEGY and strategy.is_finalised
    assert strategy.subjects.get(case=case).decision == MeetingCase.Decision.SECTION_47
    assert enquiry.started_on == workdays.local_date(strategy.scheduled_at)
    icpc = Meeting.objects.filter(subjects__case=case, kind=Meeting.Kind.ICPC).first()
    if icpc is not None:
        # The ICPC clock: 15 working days from the discussion, a reason when late.
        assert icpc.follows_id == strategy.pk
        assert icpc.due_on == workdays.due_date("icpc", enquiry.started_on)
        assert icpc.is_late == bool(icpc.late_reason)
    if enquiry.conference_id:
        held = workdays.local_date(enquiry.conference.scheduled_at)
        assert enquiry.outcome == Section47Enquiry.Outcome.ICPC
        assert enquiry.completed_on == held >= enquiry.started_on
    elif enquiry.completed_on:
        assert enquiry.outcome in ("cin", "not_substantiated")
        assert enquiry.completed_on >= enquiry.started_on


def _the_work_has_every_timing_oversight_reports(county):
    """On time and late, open and done, allocated and not: the dashboard's figures
    all have something to count, and the bench has its long case."""
    assessments = Assessment.objects.filter(case__in=county)
    done = assessments.filter(completed_on__isnull=False)
    assert done.filter(completed_on__lte=F("due_on")).exists()
    assert done.filter(completed_on__gt=F("due_on")).exists()
    assert assessments.filter(completed_on__isnull=True).exists()
    assert Episode.objects.filter(case__in=county, closure_date__isnull=False).exists()
    assert county.filter(status="open", allocated_worker__isnull=True).exists()
    assert county.filter(allocated_worker__isnull=False, team__isnull=False).exists()
    assert Section47Enquiry.objects.filter(case__in=county).exists()
    assert Plan.objects.filter(case__in=county, kind=Plan.Kind.CHILD_IN_NEED).exists()
    assert StatutoryVisit.objects.filter(case__in=county).exists()
    conferences = Meeting.objects.filter(subjects__case__in=county, kind=Meeting.Kind.ICPC)
    assert conferences.exists()
    lengths = (
        ChronologyEntry.objects.filter(case__in=county)
        .values("case")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    assert lengths[0]["n"] == LONG_CHRONOLOGY


def _the_census_return_has_no_errors(county):
    """The lead agency's CIN census return, the demo's children and the county's,
    passes the schema and every DfE rule that is an error (queries are the DfE's
    "please check", as late work is meant to be)."""
    today = timezone.localdate()
    year = CensusYear(today.year if today.month >= 4 else today.year - 1)
    lead = county.first().lead_agency
    built = census_build(agency=lead, year=year, la_code="990")
    assert built.schema_valid, built.schema_errors
    errors = [b for b in built.breaches + built.return_level if b["type"] == "error"]
    assert errors == []
    # The county's children are in it (LAchildID: the reference without hyphens).
    assert b"<LAchildID>CHIS07" in built.content
