"""The demo tells a census year's whole story (issue 12 item 5, issue 14 item
10, SPEC 5): closed cases, an unborn child, a child who moved in, plans with
their reviews, referrals at every stage, documents, a moved and a cancelled
meeting, concerns closed with no further action, all in the past and all as
the services left them. Uses the shared seeded copy (tests/conftest.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases.dfe_codes import ClosureReason
from cases.models import Case, CaseDocument, Child, Concern, Episode, Plan, StatutoryVisit
from cases.services.statutory_rules import open_work
from census.years import CensusYear
from meetings.models import Meeting, MeetingCase
from referrals.models import Referral

pytestmark = pytest.mark.django_db

LEAD = "northshire-csc"
PARTNERS = {"northshire-police", "northshire-health", "hillside-primary"}


@pytest.fixture
def demo(settings, seed_demo):
    settings.DEMO_PASSWORD = seed_demo.password
    seed_demo()


def user(username: str):
    return get_user_model().objects.get(username=username)


def this_census_year() -> CensusYear:
    today = timezone.localdate()
    return CensusYear(today.year if today.month >= 4 else today.year - 1)


def test_closed_cases_closed_lawfully_with_their_reasons(demo):
    closed = Case.objects.filter(lead_agency__slug=LEAD, status=Case.Status.CLOSED)
    assert closed.count() >= 3
    today = timezone.localdate()
    reasons = set()
    for case in closed:
        episode = Episode.objects.get(case=case)
        assert episode.closure_reason in ClosureReason.values
        assert episode.closure_reason != ClosureReason.DIED  # no death is invented
        assert episode.closure_date < today
        assert timezone.localdate(case.closed_at) == episode.closure_date
        # Nothing was left open: the services refused closing otherwise.
        assert open_work(case) == [], case.reference
        assert not case.plans.filter(end_date__isnull=True).exists()
        assert all(p.end_date <= episode.closure_date for p in case.plans.all())
        reasons.add(episode.closure_reason)
    assert {ClosureReason.NFA_AFTER_ASSESSMENT, ClosureReason.CEASED_OTHER} <= reasons


def test_a_protection_plan_from_strategy_discussion_to_the_review_that_ended_it(demo):
    ended = Plan.objects.filter(
        case__lead_agency__slug=LEAD, kind=Plan.Kind.CHILD_PROTECTION, end_date__isnull=False
    ).first()
    assert ended is not None
    case = ended.case
    held = Meeting.objects.filter(subjects__case=case, finalised_at__isnull=False)
    kinds = list(held.order_by("scheduled_at").values_list("kind", flat=True))
    assert kinds == ["strategy", "icpc", "rcpc", "rcpc"]
    decisions = list(
        MeetingCase.objects.filter(case=case, meeting__kind=Meeting.Kind.RCPC)
        .order_by("meeting__scheduled_at")
        .values_list("decision", flat=True)
    )
    assert decisions == ["continue_plan", "end_plan"]
    last_review = held.filter(kind=Meeting.Kind.RCPC).order_by("scheduled_at").last()
    assert ended.end_date == timezone.localdate(last_review.scheduled_at)
    # The enquiry was concluded by, and linked to, its initial conference.
    icpc = held.get(kind=Meeting.Kind.ICPC)
    assert case.section47_enquiries.get().conference == icpc
    assert ended.start_date == timezone.localdate(icpc.scheduled_at)
    # Stepped down to a child in need plan the day the review ended the protection plan.
    assert case.plans.filter(kind=Plan.Kind.CHILD_IN_NEED, start_date=ended.end_date).exists()


def test_an_unborn_child_is_recorded_as_unborn(demo):
    unborn = Child.objects.get(lead_agency__slug=LEAD, expected_date_of_birth__isnull=False)
    assert unborn.date_of_birth is None  # rule 8525Q
    assert unborn.sex == "U"  # rule 8750
    assert unborn.expected_date_of_birth > timezone.localdate()
    case = unborn.cases.get()
    assert case.status == Case.Status.OPEN
    assert case.assessments.filter(completed_on__isnull=True).exists()  # pre-birth assessment


def test_a_child_who_moved_in_on_a_plan_had_a_transfer_in_conference(demo):
    transfer = Meeting.objects.get(kind=Meeting.Kind.TRANSFER_IN, finalised_at__isnull=False)
    case = transfer.subjects.get().case
    plan = case.plans.get(kind=Plan.Kind.CHILD_PROTECTION)
    assert plan.start_date == timezone.localdate(transfer.scheduled_at)
    assert plan.end_date is None
    assert case.child.cp_plans_before_record == 1  # the other authority's plan
    assert Episode.objects.get(case=case).referral_source == "5C"  # another authority
    assert StatutoryVisit.objects.filter(case=case).exists()


def test_plans_reviews_visits_and_the_childs_wishes(demo):
    plans = Plan.objects.filter(case__lead_agency__slug=LEAD)
    assert plans.filter(kind=Plan.Kind.CHILD_IN_NEED, end_date__isnull=True).count() >= 3
    assert plans.filter(kind=Plan.Kind.CHILD_IN_NEED, end_date__isnull=False).count() >= 2
    assert plans.filter(kind=Plan.Kind.CHILD_PROTECTION, end_date__isnull=True).count() >= 2
    assert all(p.next_review_on for p in plans.filter(end_date__isnull=True))
    visits = StatutoryVisit.objects.filter(case__lead_agency__slug=LEAD)
    assert visits.filter(seen=StatutoryVisit.Seen.SEEN_ALONE).exists()
    assert visits.filter(seen=StatutoryVisit.Seen.NOT_SEEN).exists()
    assert Case.objects.filter(assessments__child_wishes__gt="").distinct().count() >= 3


def test_referrals_at_every_stage_between_the_lead_agency_and_its_partners(demo):
    referrals = Referral.objects.select_related("from_agency", "to_agency")
    assert set(referrals.values_list("status", flat=True)) == set(Referral.Status.values)
    pairs = {(r.from_agency.slug, r.to_agency.slug) for r in referrals}
    assert any(a == LEAD for a, _ in pairs), "the lead agency sends"
    assert any(b == LEAD for _, b in pairs), "the lead agency receives"
    assert any(a in PARTNERS and b in PARTNERS for a, b in pairs), "partners refer to each other"
    declined = referrals.filter(status=Referral.Status.DECLINED)
    assert all(r.decline_reason for r in declined)
    now = timezone.now()
    assert all(r.sent_at <= now for r in referrals)
    # Each case a referral was accepted for has the receiving agency involved.
    for referral in referrals.filter(status__in=["accepted", "closed"]):
        assert referral.case.involvements.filter(agency=referral.to_agency).exists()


def test_the_lead_social_worker_sees_referrals_sent_and_received_in_the_api(demo):
    api = APIClient()
    api.force_authenticate(user(f"social_worker@{LEAD}"))
    response = api.get("/api/v1/referrals/")
    assert response.status_code == 200
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    references = {row["reference"] for row in rows}
    lead = Referral.objects.filter(Q(from_agency__slug=LEAD) | Q(to_agency__slug=LEAD))
    assert lead.filter(from_agency__slug=LEAD).exists() and lead.filter(to_agency__slug=LEAD)
    assert set(lead.values_list("reference", flat=True)) <= references
    # Referrals between partners only are not the lead agency's to see.
    between_partners = Referral.objects.exclude(from_agency__slug=LEAD).exclude(
        to_agency__slug=LEAD
    )
    assert between_partners.exists()
    assert not references & set(between_partners.values_list("reference", flat=True))


def test_documents_are_stored_where_media_root_says(demo):
    documents = CaseDocument.objects.filter(case__lead_agency__slug=LEAD)
    assert documents.count() >= 3
    assert {d.content_type for d in documents} >= {"application/pdf", "image/png"}
    root = Path(django_settings.MEDIA_ROOT).resolve()
    for document in documents:
        path = Path(document.file.path).resolve()
        assert path.is_relative_to(root)
        assert path.stat().st_size == document.size


def test_a_meeting_was_moved_and_one_cancelled_with_reasons(demo):
    cancelled = Meeting.objects.get(cancelled_at__isnull=False)
    assert cancelled.cancellation_reason
    moved = Meeting.objects.filter(moves__isnull=False).distinct().get()
    assert moved.moves.get().reason
    assert moved.scheduled_at == moved.moves.get().moved_to


def test_concerns_closed_with_no_further_action_this_census_year(demo):
    year = this_census_year()
    nfa = Concern.objects.filter(
        lead_agency__slug=LEAD,
        decision=Concern.Decision.NO_FURTHER_ACTION,
        authorised_at__isnull=False,
        case__isnull=True,
    )
    in_year = [c for c in nfa if year.start <= timezone.localdate(c.submitted_at) <= year.end]
    assert len(in_year) >= 2


def test_the_story_happened_in_the_past(demo):
    today = timezone.localdate()
    now = timezone.now()
    lead = Case.objects.filter(lead_agency__slug=LEAD)
    assert not Plan.objects.filter(case__in=lead, start_date__gt=today).exists()
    assert not Plan.objects.filter(case__in=lead, end_date__gt=today).exists()
    assert not Meeting.objects.filter(finalised_at__gt=now).exists()
    assert not Meeting.objects.filter(finalised_at__isnull=False, scheduled_at__gt=now).exists()
    assert not StatutoryVisit.objects.filter(visited_on__gt=today).exists()
    assert not Episode.objects.filter(closure_date__gt=today).exists()


def test_the_case_page_of_a_case_with_three_meetings_lists_each_agency_once(demo, settings):
    """Issue 14: each invitation used to add an involvement, so an agency was
    listed once per meeting."""
    case = (
        Case.objects.filter(lead_agency__slug=LEAD, is_restricted=False)
        .annotate(
            meetings=Count("meeting_links", filter=Q(meeting_links__meeting__cancelled_at=None))
        )
        .filter(meetings__gte=3)
        .order_by("-meetings")
        .first()
    )
    assert case is not None, "the demo has a case with three meetings"
    invited = set(
        case.meeting_links.values_list("meeting__invitations__agency__name", flat=True)
    ) - {None}
    assert len(invited) >= 2
    client = Client()
    client.force_login(user(f"social_worker@{LEAD}"))
    response = client.get(reverse("case_detail", args=[case.pk]))
    assert response.status_code == 200
    listed = re.findall(
        r'data-testid="involved-agency"><strong>([^<]+)</strong>', response.content.decode()
    )
    assert len(listed) == len(set(listed)), listed
    assert invited <= {name.replace("&#x27;", "'") for name in listed}
