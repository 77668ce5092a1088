"""Eight people making the same change to one case at the same moment: exactly
one change happens, the others are told it was already made (and by whom), no
one gets a server error, and the grants are exactly what the records call for."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency
from cases import services
from cases.access import desired_group_grants, desired_user_grants
from cases.concurrency import AlreadyDone
from cases.models import (
    Assessment,
    Case,
    CaseGroupObjectPermission,
    CaseUserObjectPermission,
    ChronologyEntry,
    Involvement,
    Plan,
    Section47Enquiry,
)
from referrals.models import Referral
from referrals.services import referral_send, referral_transition
from tests.concurrency.conftest import N, at_once, audit_count
from tests.factories import AgencyFactory, World, make_user, open_case_from_concern, submit_concern

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world():
    w = World()
    w.case = open_case_from_concern(w, submit_concern(w))
    return w


def more_agencies(world) -> list[Agency]:
    """Agencies for the involvement races, each with a working role group."""
    agencies = []
    for i in range(N):
        agency = AgencyFactory(
            slug=f"agency-{i}",
            name=f"Agency {i}",
            kind=Agency.Kind.HEALTH,
            default_lead_agency=world.la,
        )
        make_user(f"practitioner@agency-{i}", agency, "practitioner")
        agencies.append(agency)
    return agencies


def grants_as_derived(case: Case) -> None:
    case = Case.objects.get(pk=case.pk)
    groups = set(
        CaseGroupObjectPermission.objects.filter(content_object=case).values_list(
            "group_id", "permission__codename"
        )
    )
    users = set(
        CaseUserObjectPermission.objects.filter(content_object=case).values_list(
            "user_id", "permission__codename"
        )
    )
    assert groups == desired_group_grants(case)
    assert users == desired_user_grants(case)
    assert CaseGroupObjectPermission.objects.filter(content_object=case).count() == len(groups)


def test_the_same_agency_involved_eight_times_at_once_is_involved_once(world):
    race = at_once(
        [
            lambda: services.case_add_agency(
                acting_user=world.social_worker, case=world.case, agency=world.police
            )
        ]
        * N
    )
    race.assert_only()  # every request succeeds: the later ones find the first
    assert len({involvement.pk for involvement in race.wins}) == 1
    current = Involvement.objects.filter(case=world.case, agency=world.police, ended_at=None)
    assert current.count() == 1
    assert audit_count("involvement_started", detail__agency="police") == 1
    assert ChronologyEntry.objects.filter(case=world.case, title="Police involved").count() == 1
    grants_as_derived(world.case)


def test_starts_and_ends_on_one_case_at_once_leave_exactly_the_derived_grants(world):
    # Half the agencies are involved already; at once, those are ended and the
    # other half are involved. A start that read the involvements before an end
    # committed must not put the ended agency's grant back.
    extra = more_agencies(world)
    ending, starting = extra[: N // 2], extra[N // 2 :]
    involvements = [
        services.case_add_agency(acting_user=world.social_worker, case=world.case, agency=a)
        for a in ending
    ]
    calls = [
        (
            lambda inv=inv: services.case_end_involvement(
                acting_user=world.manager, involvement=inv, reason="No longer needed"
            )
        )
        for inv in involvements
    ] + [
        (
            lambda a=a: services.case_add_agency(
                acting_user=world.social_worker, case=world.case, agency=a
            )
        )
        for a in starting
    ]
    race = at_once(calls)
    race.assert_only()
    still = set(
        Involvement.objects.filter(case=world.case, ended_at=None).values_list("agency", flat=True)
    )
    assert still == {world.la.pk, world.school.pk} | {a.pk for a in starting}
    grants_as_derived(world.case)
    assert audit_count("involvement_ended") == len(ending)


def test_one_involvement_ended_eight_times_at_once_ends_once(world):
    involvement = services.case_add_agency(
        acting_user=world.social_worker, case=world.case, agency=world.police
    )
    race = at_once(
        [
            lambda: services.case_end_involvement(
                acting_user=world.manager,
                involvement=Involvement.objects.get(pk=involvement.pk),
                reason="No longer needed",
            )
        ]
        * N
    )
    race.assert_only(AlreadyDone)
    assert len(race.wins) == 1
    assert all("already ended Police's involvement" in str(e) for e in race.errors)
    assert audit_count("involvement_ended") == 1
    grants_as_derived(world.case)


def test_ending_an_involvement_through_the_page_eight_times_at_once_is_never_a_server_error(
    world,
):
    involvement = services.case_add_agency(
        acting_user=world.social_worker, case=world.case, agency=world.police
    )
    clients = []
    for _ in range(N):
        client = Client()  # raises a view's exception into the test: a 500 fails it
        client.force_login(world.manager)
        clients.append(client)
    url = reverse("case_end_involvement", args=[world.case.pk, involvement.pk])
    race = at_once([(lambda c=c: c.post(url, {"reason": "Done"})) for c in clients], atomic=False)
    race.assert_only()
    statuses = sorted(response.status_code for response in race.wins)
    # Each is redirected back to the case with a message, or (having loaded the
    # page after the end committed) told there is no such involvement to end.
    assert set(statuses) <= {302, 404} and 302 in statuses, statuses
    assert audit_count("involvement_ended") == 1
    grants_as_derived(world.case)


@pytest.fixture
def assessed(world):
    return world.case.assessments.get()


def _complete(world, assessment_pk):
    return services.assessment_complete(
        acting_user=world.social_worker,
        assessment=Assessment.objects.get(pk=assessment_pk),
        summary="Neglect confirmed.",
        primary_need="N1",
        factors=["3B"],
        wishes_not_obtained="too_young",
    )


def test_completions_and_authorisations_at_once_happen_once(world, assessed):
    """Completing and authorising an assessment, completing a section 47 enquiry,
    ending a plan and closing the case: eight at once each, one of each happens."""
    # Completing the assessment.
    race = at_once([lambda: _complete(world, assessed.pk)] * N)
    race.assert_only(AlreadyDone)
    assert len(race.wins) == 1 and len(race.errors) == N - 1
    assert "already completed this assessment on" in str(race.errors[0])
    assert audit_count("assessment_completed") == 1
    assert (
        ChronologyEntry.objects.filter(
            case=world.case, title__startswith="Child and family assessment completed"
        ).count()
        == 1
    )

    # Authorising it.
    race = at_once(
        [
            lambda: services.assessment_authorise(
                acting_user=world.manager, assessment=Assessment.objects.get(pk=assessed.pk)
            )
        ]
        * N
    )
    race.assert_only(AlreadyDone)
    assert len(race.wins) == 1
    assert all("already authorised this assessment" in str(e) for e in race.errors)
    assert audit_count("assessment_authorised") == 1
    assert ChronologyEntry.objects.filter(title="Assessment authorised by a manager").count() == 1

    # A section 47 enquiry completed.
    enquiry = services.section47_start(
        acting_user=world.social_worker, case=world.case, started_on=timezone.localdate()
    )
    race = at_once(
        [
            lambda: services.section47_complete(
                acting_user=world.social_worker,
                enquiry=Section47Enquiry.objects.get(pk=enquiry.pk),
                outcome="cin",
                child_wishes="I feel safe at school.",
            )
        ]
        * N
    )
    race.assert_only(AlreadyDone)
    assert len(race.wins) == 1
    assert audit_count("section47_completed") == 1
    assert (
        ChronologyEntry.objects.filter(title__startswith="Section 47 enquiry completed").count()
        == 1
    )

    # A plan started twice at once is one plan; ended at once, ends once.
    race = at_once(
        [
            lambda: services.plan_start(
                acting_user=world.social_worker,
                case=world.case,
                kind="cin",
                start_date=timezone.localdate(),
            )
        ]
        * N
    )
    race.assert_only(ValidationError)
    assert len(race.wins) == 1
    assert all("already a current child in need plan" in " ".join(e.messages) for e in race.errors)
    plan = Plan.objects.get(case=world.case)
    race = at_once(
        [
            lambda: services.plan_end(
                acting_user=world.social_worker,
                plan=Plan.objects.get(pk=plan.pk),
                end_date=timezone.localdate(),
            )
        ]
        * N
    )
    race.assert_only(AlreadyDone)
    assert len(race.wins) == 1
    assert audit_count("plan_ended") == 1

    # Closing the case.
    services.case_closure_request(
        acting_user=world.social_worker,
        case=world.case,
        reason="RC7",  # not RC8: an enquiry and a plan followed the assessment (rule 2990)
        explanation="The plan has ended; no further needs.",
    )
    race = at_once(
        [lambda: services.case_closure_authorise(acting_user=world.manager, case=world.case)] * N
    )
    race.assert_only(AlreadyDone)
    assert len(race.wins) == 1
    assert all("already closed" in str(e) for e in race.errors)
    assert audit_count("case_closed") == 1
    assert ChronologyEntry.objects.filter(case=world.case, kind="case_closed").count() == 1


def test_completing_an_assessment_twice_through_the_page_shows_a_message_not_an_error(
    world, assessed
):
    clients = []
    for _ in range(N):
        client = Client()
        client.force_login(world.social_worker)
        clients.append(client)
    url = reverse("case_assessment", args=[world.case.pk, assessed.pk, "complete"])
    form = {
        "summary": "Neglect confirmed.",
        "primary_need": "N1",
        "factors": ["3B"],
        "wishes_not_obtained": "declined",
    }
    race = at_once([(lambda c=c: c.post(url, form)) for c in clients], atomic=False)
    race.assert_only()
    assert {r.status_code for r in race.wins} == {302}
    assert audit_count("assessment_completed") == 1
    # The people who lost the race are told who completed it, on the case page.
    told = 0
    for client in clients:
        page = client.get(reverse("case_detail", args=[world.case.pk])).content.decode()
        told += "already completed this assessment" in page
    assert told == N - 1


def test_a_referral_accepted_eight_times_at_once_is_accepted_once(world):
    health = AgencyFactory(slug="health", name="Health Trust", kind=Agency.Kind.HEALTH)
    nurse = make_user("practitioner@health", health, "practitioner")
    referral = referral_send(
        acting_user=world.teacher,
        case=world.case,
        from_agency=world.school,
        to_agency=health,
        reason="Low mood and weight loss noticed over a term.",
        request="Please assess for CAMHS support.",
        urgency="routine",
        sharing_basis="consent",
    )
    race = at_once(
        [
            lambda: referral_transition(
                acting_user=nurse, referral=Referral.objects.get(pk=referral.pk), action="accept"
            )
        ]
        * N
    )
    race.assert_only(ValidationError)
    assert len(race.wins) == 1
    assert Referral.objects.get(pk=referral.pk).status == "accepted"
    assert Involvement.objects.filter(case=world.case, agency=health, ended_at=None).count() == 1
    assert (
        ChronologyEntry.objects.filter(title=f"Referral {referral.reference} accepted").count() == 1
    )
    grants_as_derived(world.case)


def test_two_section_47_enquiries_started_at_once_make_one(world):
    """The case's lock holds "no enquiry open" (census rule 8890) from the check
    to the write; the partial unique index backs it."""
    race = at_once(
        [
            lambda: services.section47_start(
                acting_user=world.social_worker, case=world.case, started_on=timezone.localdate()
            )
        ]
        * N
    )
    race.assert_only(ValidationError)
    assert len(race.wins) == 1
    assert all("8890" in " ".join(e.messages) for e in race.errors)
    assert Section47Enquiry.objects.filter(case=world.case).count() == 1
