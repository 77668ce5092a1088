"""Reads for the CIN census: who may see returns, and the case data a return is
built from.

Case data is read through ``cases.models`` and ``meetings.models`` only (the
other modules of ``cases`` are being reorganised). A return covers the lead
agency's own cases: every child of the agency with a CIN episode open at some
point in the census year, restricted cases included (the return is statutory).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404

from agencies.models import Agency
from agencies.roles import CENSUS_ROLES
from agencies.selectors import agencies_where
from cases.models import Assessment, Case, Child, Concern, Episode, Plan, Section47Enquiry
from census.models import CensusReturn
from census.years import CensusYear
from meetings.models import Meeting, MeetingCase
from safeguard.workdays import local_date

User = AbstractBaseUser | AnonymousUser


# Who may see returns -----------------------------------------------------------


def census_agencies_for(user: User) -> QuerySet[Agency]:
    """The lead agencies whose returns ``user`` may produce or read: those in
    which they are a manager or an auditor."""
    if not user.is_authenticated:
        return Agency.objects.none()
    return agencies_where(user, CENSUS_ROLES, kind=Agency.Kind.SOCIAL_CARE).filter(is_active=True)


def may_produce_census(user: User) -> bool:
    return census_agencies_for(user).exists()


def get_census_agency_for(user: User, agency_id: uuid.UUID | str | None = None) -> Agency:
    """One agency ``user`` may produce returns for (the first, when they have
    one); 404 for anyone else, as for any object they may not see."""
    agencies = census_agencies_for(user).order_by("name")
    agency = agencies.filter(pk=agency_id).first() if agency_id else agencies.first()
    if agency is None:
        raise Http404("No such page")
    return agency


def returns_for(user: User) -> QuerySet[CensusReturn]:
    """The returns of the agencies ``user`` may produce them for: a return is
    the agency's, so its managers and auditors all see it."""
    return (
        CensusReturn.objects.filter(agency__in=census_agencies_for(user))
        .select_related("agency", "requested_by")
        .order_by("-created_at")
    )


def get_return_for(user: User, return_id: uuid.UUID | str) -> CensusReturn:
    census_return = returns_for(user).filter(pk=return_id).first()
    if census_return is None:
        raise Http404("No such return")
    return census_return


# The case data a return is built from ---------------------------------------------


@dataclass
class EpisodeRecord:
    episode: Episode
    assessments: list[Assessment] = field(default_factory=list)
    section47s: list[Section47Enquiry] = field(default_factory=list)
    cin_plans: list[Plan] = field(default_factory=list)
    cp_plans: list[Plan] = field(default_factory=list)
    # Conferences on the episode's case: (held on, kind, meeting reference).
    conferences: list[tuple[dt.date, str, str]] = field(default_factory=list)


@dataclass
class NfaReferral:
    """A front-door decision of no further action: a census referral of its own
    (ReferralNFA true), made when no case was open for the child."""

    referral_date: dt.date
    referral_source: str
    concern: Concern


@dataclass
class ChildRecord:
    child: Child
    # The latest of the child's cases in the return, for the report's links;
    # None for a child whose only referrals in the year ended in no further action.
    case: Case | None
    episodes: list[EpisodeRecord] = field(default_factory=list)
    nfa_referrals: list[NfaReferral] = field(default_factory=list)
    # CP plans the record holds for the child, by start date: previous plans are counted from it.
    all_cp_plan_starts: list[dt.date] = field(default_factory=list)


def _overlaps(start: dt.date | None, end: dt.date | None, year: CensusYear) -> bool:
    """Open at some point in the census year (an item with no start is kept,
    so the checks can say what is missing)."""
    if start is not None and start > year.end:
        return False
    return end is None or end >= year.start


def _home_episode(episodes: list[Episode], day: dt.date) -> Episode:
    """The episode an activity on ``day`` belongs to: the latest one referred on
    or before it, else the case's first (so an activity dated before its referral
    is still returned, and the checks report it)."""
    earlier = [e for e in episodes if e.referral_date <= day]
    return earlier[-1] if earlier else episodes[0]


def census_records(agency: Agency, year: CensusYear) -> list[ChildRecord]:
    """The children of ``agency``'s return for ``year``, with what their cases hold."""
    episodes = list(
        Episode.objects.filter(case__lead_agency=agency, referral_date__lte=year.end)
        .filter(Q(closure_date__isnull=True) | Q(closure_date__gte=year.start))
        .filter(case__child__merged_into__isnull=True)
        .select_related("case__child")
        .order_by("case__child__reference", "referral_date", "id")
    )
    nfa = _nfa_referrals(agency, year)
    if not episodes and not nfa:
        return []
    case_ids = {e.case_id for e in episodes}
    child_ids = {e.case.child_id for e in episodes}
    # Every episode of those cases (one outside the year still owns its activity).
    case_episodes: dict[uuid.UUID, list[Episode]] = defaultdict(list)
    for episode in Episode.objects.filter(case_id__in=case_ids).order_by("referral_date", "id"):
        case_episodes[episode.case_id].append(episode)

    by_episode: dict[uuid.UUID, EpisodeRecord] = {}
    for episode in episodes:
        by_episode[episode.pk] = EpisodeRecord(episode)

    def place(case_id: uuid.UUID, day: dt.date) -> EpisodeRecord | None:
        home = _home_episode(case_episodes[case_id], day)
        return by_episode.get(home.pk)

    for assessment in Assessment.objects.filter(case_id__in=case_ids).order_by("started_on"):
        if _overlaps(assessment.started_on, assessment.authorised_on, year):
            record = place(assessment.case_id, assessment.started_on)
            if record:
                record.assessments.append(assessment)
    enquiries = Section47Enquiry.objects.filter(case_id__in=case_ids).select_related("conference")
    for enquiry in enquiries.order_by("started_on"):
        if _overlaps(enquiry.started_on, enquiry.completed_on, year):
            record = place(enquiry.case_id, enquiry.started_on)
            if record:
                record.section47s.append(enquiry)
    cp_starts: dict[uuid.UUID, list[dt.date]] = defaultdict(list)
    plans = Plan.objects.filter(case__child_id__in=child_ids).select_related("case")
    for plan in plans.order_by("start_date"):
        if plan.kind == Plan.Kind.CHILD_PROTECTION:
            cp_starts[plan.case.child_id].append(plan.start_date)
        if plan.case_id not in case_ids or not _overlaps(plan.start_date, plan.end_date, year):
            continue
        record = place(plan.case_id, plan.start_date)
        if record is None:
            continue
        if plan.kind == Plan.Kind.CHILD_PROTECTION:
            record.cp_plans.append(plan)
        else:
            record.cin_plans.append(plan)
    conferences = (
        MeetingCase.objects.filter(
            case_id__in=case_ids,
            # A transfer-in conference is the census's initial conference for a
            # child who arrives on another authority's plan: it starts the plan.
            meeting__kind__in=[Meeting.Kind.ICPC, Meeting.Kind.TRANSFER_IN, Meeting.Kind.RCPC],
        )
        .filter(Q(meeting__finalised_at__isnull=False) | ~Q(decision=""))
        .select_related("meeting")
        .order_by("meeting__scheduled_at")
    )
    for place_ in conferences:
        held = local_date(place_.meeting.scheduled_at)
        record = place(place_.case_id, held)
        if record is not None:
            record.conferences.append((held, place_.meeting.kind, place_.meeting.reference))

    children: dict[uuid.UUID, ChildRecord] = {}
    for episode in episodes:
        child = episode.case.child
        record = children.get(child.pk)
        if record is None:
            record = children[child.pk] = ChildRecord(child=child, case=episode.case)
        record.case = episode.case
        record.episodes.append(by_episode[episode.pk])
    for referral in nfa:
        child = referral.concern.child
        record = children.get(child.pk)
        if record is None:
            record = children[child.pk] = ChildRecord(child=child, case=None)
        record.nfa_referrals.append(referral)
    for child_id, record in children.items():
        record.all_cp_plan_starts = sorted(cp_starts.get(child_id, []))
    return sorted(children.values(), key=lambda r: r.child.reference)


def _nfa_referrals(agency: Agency, year: CensusYear) -> list[NfaReferral]:
    """The year's authorised front-door decisions of no further action for a child
    with no case open at the time (with one open, the DfE counts no new referral:
    the concern joined that case). Referral date: the day the concern arrived."""
    concerns = (
        Concern.objects.filter(
            lead_agency=agency,
            status=Concern.Status.COMPLETED,
            decision=Concern.Decision.NO_FURTHER_ACTION,
            case__isnull=True,
            child__isnull=False,
            child__merged_into__isnull=True,
            # A day either side: the local date is checked below.
            submitted_at__date__gte=year.start - dt.timedelta(days=1),
            submitted_at__date__lte=year.end + dt.timedelta(days=1),
        )
        .select_related("child")
        .order_by("submitted_at", "id")
    )
    referrals = []
    for concern in concerns:
        day = local_date(concern.submitted_at)
        if year.start <= day <= year.end:
            referrals.append(
                NfaReferral(
                    referral_date=day,
                    # Decisions from before people chose the source: "10", unknown.
                    referral_source=concern.referral_source or "10",
                    concern=concern,
                )
            )
    return referrals
