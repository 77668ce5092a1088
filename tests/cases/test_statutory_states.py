"""The strict statutory state model (issue 12): each state the law and the DfE
CIN census 2025-26 validation rules do not allow is refused, on the page (the
reason beside the field) and over the API (409, the one error body)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Case, Plan, Section47Enquiry
from cases.services.statutory_rules import StateRefused
from meetings.clocks import meeting_clock
from meetings.models import Meeting
from meetings.reminders import icpcs_to_arrange
from safeguard import workdays
from tests.cases.test_api import api
from tests.factories import World, open_case_from_concern, submit_concern
from tests.meetings.meeting_helpers import (
    STRATEGY_DAY,
    held_meeting,
    held_strategy_discussion_alone,
    on_protection_plan,
    plan_decision,
    travel,
)

pytestmark = pytest.mark.django_db

ICPC_AT = STRATEGY_DAY + dt.timedelta(days=7)  # Monday 14 December 2026
REVIEW_AT = ICPC_AT + dt.timedelta(days=28)  # Monday 11 January 2027


@pytest.fixture
def world():
    w = World()
    w.case = open_case_from_concern(w, submit_concern(w), decision="strategy")
    w.referral = w.case.episodes.get().referral_date
    return w


def dates(prefix: str, day: dt.date) -> dict:
    return {f"{prefix}_0": day.day, f"{prefix}_1": day.month, f"{prefix}_2": day.year}


def page_post(client, user, name: str, case: Case, step: str, data: dict) -> tuple[int, str]:
    client.force_login(user)
    response = client.post(reverse(name, args=[case.pk, step] if step else [case.pk]), data)
    return response.status_code, response.content.decode()


def test_a_protection_plan_starts_and_ends_only_by_a_conference(client, world):
    # Directly, on the page: refused, the reason in the form.
    status, page = page_post(
        client,
        world.social_worker,
        "case_plan",
        world.case,
        "start",
        {"kind": "cp", "category": "NEG", **dates("start_date", world.referral)},
    )
    assert status == 400 and "starts only by the decision of an initial" in page
    # Over the API: 409, the field named.
    url = f"/api/v1/cases/{world.case.pk}/plans/"
    response = api(world.social_worker).post(
        url, {"kind": "cp", "start_date": world.referral.isoformat()}
    )
    assert response.status_code == 409
    body = response.json()
    assert "rules 2883, 2885" in body["detail"] and "kind" in body["errors"]
    # And a caller of the service without a conference is refused too.
    with pytest.raises(StateRefused):
        services.plan_open(
            acting_user=world.social_worker,
            case=world.case,
            kind="cp",
            category="NEG",
            start_date=world.referral,
        )
    assert not Plan.objects.exists()

    _, icpc = on_protection_plan(world, world.case, ICPC_AT)
    plan = Plan.objects.get(kind="cp")
    assert plan.start_date == ICPC_AT.date()
    with travel(ICPC_AT + dt.timedelta(days=1)):
        client.force_login(world.social_worker)
        page = client.get(reverse("case_detail", args=[world.case.pk])).content.decode()
        assert 'data-testid="cp-plan-ends"' in page and "End this plan" not in page
        status, page = page_post(
            client,
            world.social_worker,
            "case_plan",
            world.case,
            "end",
            {"plan": plan.pk, **dates("end_date", timezone.localdate())},
        )
        assert status == 400 and "ends only by a review conference" in page
        response = api(world.social_worker).post(
            f"/api/v1/cases/{world.case.pk}/plans/{plan.pk}/end/",
            {"end_date": timezone.localdate().isoformat()},
        )
        assert response.status_code == 409 and "end_date" in response.json()["errors"]
    plan.refresh_from_db()
    assert plan.end_date is None


def test_a_transfer_in_conference_starts_the_plan_of_a_child_who_moved_here(world):
    held_meeting(world, world.case, "transfer_in", ICPC_AT, plan_decision(ICPC_AT.date(), "EMO"))
    plan = Plan.objects.get()
    assert (plan.kind, plan.category, plan.start_date) == ("cp", "EMO", ICPC_AT.date())
    # Its first review is due as an initial conference's is: within three months.
    clock = meeting_clock(Meeting.Kind.RCPC, [world.case])
    assert clock.due_on <= workdays.due_date("first_review", ICPC_AT.date())


def test_strategy_to_icpc_to_plan_to_review_to_end(client, world):
    strategy = held_strategy_discussion_alone(world, world.case)
    enquiry = Section47Enquiry.objects.get()
    assert enquiry.strategy_meeting == strategy and enquiry.started_on == STRATEGY_DAY.date()
    # A child in need plan before the conference: ended the day the CP plan starts.
    with travel(STRATEGY_DAY + dt.timedelta(days=1)):
        cin = services.plan_start(
            acting_user=world.social_worker,
            case=world.case,
            kind="cin",
            start_date=timezone.localdate(),
        )
    clock = meeting_clock(Meeting.Kind.ICPC, [world.case])
    assert clock.runs_from == strategy
    assert clock.due_on == workdays.due_date("icpc", STRATEGY_DAY.date())

    icpc = held_meeting(world, world.case, "icpc", ICPC_AT, plan_decision(ICPC_AT.date()))
    plan = Plan.objects.get(kind="cp")
    assert plan.start_date == ICPC_AT.date() and plan.end_date is None
    cin.refresh_from_db()
    assert cin.end_date == ICPC_AT.date()  # never two plans at once (4001, 4017)
    # The enquiry is concluded by its conference, linked to it, and not offered again.
    enquiry.refresh_from_db()
    assert enquiry.conference == icpc and enquiry.outcome == "icpc"
    assert enquiry.completed_on == ICPC_AT.date()
    assert meeting_clock(Meeting.Kind.ICPC, [world.case]).due_on is None
    with travel(ICPC_AT + dt.timedelta(days=1)):
        client.force_login(world.social_worker)
        page = client.get(reverse("case_detail", args=[world.case.pk])).content.decode()
        s47 = page[page.index(f'id="section47-{enquiry.pk}"') :].split("</div>", 1)[0]
        assert icpc.reference in s47 and strategy.reference in s47
        assert "Record the outcome" not in s47
        listed = api(world.social_worker).get(f"/api/v1/cases/{world.case.pk}/section-47/")
        assert listed.json()[0]["conference"] == icpc.reference

    review = held_meeting(world, world.case, "rcpc", REVIEW_AT, {"decision": "end_plan"})
    plan.refresh_from_db()
    assert plan.end_date == REVIEW_AT.date()
    assert world.case.chronology.filter(
        source_reference=review.reference, title="Child protection plan ended"
    ).exists()
    # A child in need plan may start the day the CP plan ended (rule 4016 allows it).
    with travel(REVIEW_AT + dt.timedelta(hours=3)):
        response = api(world.social_worker).post(
            f"/api/v1/cases/{world.case.pk}/plans/",
            {"kind": "cin", "start_date": REVIEW_AT.date().isoformat()},
        )
    assert response.status_code == 201, response.json()


def test_nothing_starts_before_the_referral(client, world):
    before = world.referral - dt.timedelta(days=1)
    status, page = page_post(
        client,
        world.social_worker,
        "case_section47",
        world.case,
        "start",
        dates("started_on", before),
    )
    assert status == 400 and "census rule 2889" in page
    status, page = page_post(
        client,
        world.social_worker,
        "case_plan",
        world.case,
        "start",
        {"kind": "cin", **dates("start_date", before)},
    )
    assert status == 400 and "census rule 1105" in page
    client_api = api(world.social_worker)
    response = client_api.post(
        f"/api/v1/cases/{world.case.pk}/section-47/", {"started_on": before.isoformat()}
    )
    assert response.status_code == 409 and "2889" in response.json()["errors"]["started_on"][0]
    response = client_api.post(
        f"/api/v1/cases/{world.case.pk}/plans/", {"kind": "cin", "start_date": before.isoformat()}
    )
    assert response.status_code == 409 and "1105" in response.json()["errors"]["start_date"][0]
    assert not Section47Enquiry.objects.exists() and not Plan.objects.exists()


def test_no_child_in_need_plan_while_on_a_protection_plan(client, world):
    on_protection_plan(world, world.case, ICPC_AT)
    with travel(ICPC_AT + dt.timedelta(days=2)):
        today = timezone.localdate()
        status, page = page_post(
            client,
            world.social_worker,
            "case_plan",
            world.case,
            "start",
            {"kind": "cin", **dates("start_date", today)},
        )
        assert status == 400 and "rules 4001, 4016" in page
        response = api(world.social_worker).post(
            f"/api/v1/cases/{world.case.pk}/plans/", {"kind": "cin", "start_date": today}
        )
    assert response.status_code == 409 and "4016" in response.json()["detail"]
    assert not Plan.objects.filter(kind="cin").exists()


def test_a_protection_plan_never_starts_and_ends_on_one_day(client, world):
    same_day_review = ICPC_AT + dt.timedelta(hours=4)
    with travel(ICPC_AT - dt.timedelta(hours=2)):
        from meetings import services as meetings

        review = meetings.meeting_schedule(
            acting_user=world.social_worker,
            kind="rcpc",
            cases=[world.case],
            chair=world.chair,
            scheduled_at=same_day_review,
            location="Civic Centre, room 2",
        )
    on_protection_plan(world, world.case, ICPC_AT)
    with travel(same_day_review + dt.timedelta(hours=1)):
        review.refresh_from_db()
        meetings.meeting_record(
            acting_user=world.chair,
            meeting=review,
            version=review.version,
            attendance={},
            minutes={},
            decisions={str(review.subjects.get().pk): {"decision": "end_plan"}},
        )
        client.force_login(world.chair)
        response = client.post(reverse("meeting_finalise", args=[review.pk]))
        assert response.status_code == 400 and "census rule 8840" in response.content.decode()
        response = api(world.chair).post(f"/api/v1/meetings/{review.pk}/finalise/")
        assert response.status_code == 400 and "8840" in response.json()["detail"]
    assert Plan.objects.get(kind="cp").end_date is None


def test_one_section_47_enquiry_at_a_time(client, world):
    today = timezone.localdate()
    status, _ = page_post(
        client,
        world.social_worker,
        "case_section47",
        world.case,
        "start",
        dates("started_on", today),
    )
    assert status == 302
    status, page = page_post(
        client,
        world.social_worker,
        "case_section47",
        world.case,
        "start",
        dates("started_on", today),
    )
    assert status == 400 and "census rule 8890" in page
    response = api(world.social_worker).post(
        f"/api/v1/cases/{world.case.pk}/section-47/", {"started_on": today.isoformat()}
    )
    assert response.status_code == 409 and "8890" in response.json()["detail"]
    assert Section47Enquiry.objects.count() == 1


def test_a_strategy_discussion_cannot_open_a_second_enquiry(client, world):
    with travel(STRATEGY_DAY - dt.timedelta(days=1)):
        services.section47_start(
            acting_user=world.social_worker, case=world.case, started_on=timezone.localdate()
        )
    with pytest.raises(ValidationError, match="8890"):
        held_strategy_discussion_alone(world, world.case)
    assert Section47Enquiry.objects.count() == 1


def test_a_case_with_open_work_cannot_close(client, world):
    case = open_case_from_concern(world, submit_concern(world))  # with its assessment
    assessment = case.assessments.get()
    today = timezone.localdate()
    enquiry = services.section47_start(acting_user=world.social_worker, case=case, started_on=today)
    plan = services.plan_start(
        acting_user=world.social_worker, case=case, kind="cin", start_date=today
    )
    closing = {"reason": "RC7", "explanation": "Needs met."}
    status, page = page_post(client, world.social_worker, "case_close", case, "request", closing)
    assert status == 400 and "census rules 8867, 8868, 8565" in page
    listed = page[page.index('data-testid="open-work"') :]
    for anchor in (f"#assessment-{assessment.pk}", f"#section47-{enquiry.pk}", f"#plan-{plan.pk}"):
        assert anchor in listed
    response = api(world.social_worker).post(f"/api/v1/cases/{case.pk}/closure/", closing)
    assert response.status_code == 409
    assert [item["kind"] for item in response.json()["open_work"]] == [
        "assessment",
        "section47",
        "plan",
    ]
    # "Closed after assessment" cannot follow an enquiry (rule 2990).
    response = api(world.social_worker).post(
        f"/api/v1/cases/{case.pk}/closure/", {"reason": "RC8", "explanation": "NFA."}
    )
    assert response.status_code == 409 and "2990" in response.json()["errors"]["reason"][0]

    # Each closed or ended: the case closes.
    services.assessment_complete(
        child_wishes="She wants things to calm down at home",
        acting_user=world.social_worker,
        assessment=assessment,
        summary="Needs met by the family.",
        primary_need="N1",
        factors=["21"],
    )
    services.assessment_authorise(acting_user=world.manager, assessment=assessment)
    services.section47_complete(
        child_wishes="She wants things to calm down at home",
        acting_user=world.social_worker,
        enquiry=enquiry,
        outcome="cin",
    )
    services.plan_end(acting_user=world.social_worker, plan=plan, end_date=today)
    assert (
        api(world.social_worker).post(f"/api/v1/cases/{case.pk}/closure/", closing).status_code
        == 202
    )
    response = api(world.manager).post(f"/api/v1/cases/{case.pk}/closure/authorise/")
    assert response.status_code == 200 and response.json()["status"] == "closed"


def test_closing_ends_a_protection_plan_only_where_the_law_does(client, world):
    on_protection_plan(world, world.case, ICPC_AT)
    with travel(ICPC_AT + dt.timedelta(days=1)):
        # Services simply ceasing: a review conference must end the plan first.
        response = api(world.social_worker).post(
            f"/api/v1/cases/{world.case.pk}/closure/", {"reason": "RC7", "explanation": "Ceased."}
        )
        assert response.status_code == 409
        assert response.json()["open_work"][0]["kind"] == "plan"
        # Moved to another authority, whose transfer-in conference takes the plan on.
        client.force_login(world.social_worker)
        moved = {"reason": "RC5", "explanation": "The family moved to Other LA."}
        status, _ = page_post(
            client, world.social_worker, "case_close", world.case, "request", moved
        )
        assert status == 302
        client.force_login(world.manager)
        client.post(reverse("case_close", args=[world.case.pk, "authorise"]))
    plan = Plan.objects.get(kind="cp")
    assert plan.end_date == (ICPC_AT + dt.timedelta(days=1)).date()
    assert Case.objects.get(pk=world.case.pk).status == "closed"


def test_second_and_later_assessments_one_at_a_time(client, world):
    case = open_case_from_concern(world, submit_concern(world))
    first = case.assessments.get()
    today = timezone.localdate()
    status, page = page_post(
        client,
        world.social_worker,
        "case_assessment_start",
        case,
        "",
        dates("started_on", today),
    )
    assert status == 400 and "is still open" in page
    services.assessment_complete(
        child_wishes="She wants things to calm down at home",
        acting_user=world.social_worker,
        assessment=first,
        summary="Done.",
        primary_need="N1",
        factors=["21"],
    )
    services.assessment_authorise(acting_user=world.manager, assessment=first)
    url = f"/api/v1/cases/{case.pk}/assessments/"
    response = api(world.social_worker).post(url, {"started_on": today.isoformat()})
    assert response.status_code == 201
    assert response.json()["due_on"] == workdays.due_date("assessment", today).isoformat()
    response = api(world.social_worker).post(url, {"started_on": today.isoformat()})
    assert response.status_code == 409 and "started_on" in response.json()["errors"]
    assert case.assessments.count() == 2


def test_a_strategy_discussion_deciding_no_enquiry_does_not_restart_the_icpc_clock(world):
    first = held_strategy_discussion_alone(world, world.case)
    later = held_strategy_discussion_alone(
        world, world.case, STRATEGY_DAY + dt.timedelta(days=3), s47=False
    )
    clock = meeting_clock(Meeting.Kind.ICPC, [world.case])
    assert clock.runs_from == first
    # Even when the conference is arranged from the later discussion's page.
    assert meeting_clock(Meeting.Kind.ICPC, [world.case], follows=later).runs_from == first
    assert clock.due_on == workdays.due_date("icpc", STRATEGY_DAY.date())
    # Nor the reminder to arrange the conference.
    due = list(icpcs_to_arrange(dt.date(2027, 6, 1)))
    assert [item.due_on for item in due] == [clock.due_on]


def test_an_unborn_child_is_recorded_as_such(client, world):
    child = world.case.child
    services.child_update(
        acting_user=world.social_worker,
        child=child,
        expected_version=child.version,
        fields={"date_of_birth": None, "expected_date_of_birth": dt.date(2027, 3, 1), "sex": "U"},
    )
    child.refresh_from_db()
    with pytest.raises(ValidationError, match="8750"):
        services.child_update(
            acting_user=world.social_worker,
            child=child,
            expected_version=child.version,
            fields={"sex": "F"},
        )
    client.force_login(world.social_worker)
    page = client.get(reverse("case_detail", args=[world.case.pk])).content.decode()
    assert "Unborn: expected 1 March 2027" in page
    # Born: the date of birth replaces the expected one (never both, rule 8525Q).
    services.child_update(
        acting_user=world.social_worker,
        child=child,
        expected_version=child.version,
        fields={"date_of_birth": timezone.localdate()},
    )
    child.refresh_from_db()
    assert child.date_of_birth and child.expected_date_of_birth is None


def test_upgrading_links_and_concludes_the_enquiries_of_earlier_releases(world):
    """Before this release an enquiry stayed open after its ICPC and knew neither
    meeting; the migration finds both, as finalising the ICPC now would."""
    import importlib

    from django.apps import apps

    strategy, icpc = on_protection_plan(world, world.case, ICPC_AT)
    Section47Enquiry.objects.update(
        strategy_meeting=None, conference=None, completed_on=None, outcome=""
    )
    migration = importlib.import_module("cases.migrations.0023_statutory_states")
    migration.link_enquiries_to_their_meetings(apps, None)
    enquiry = Section47Enquiry.objects.get()
    assert (enquiry.strategy_meeting, enquiry.conference) == (strategy, icpc)
    assert (enquiry.completed_on, enquiry.outcome) == (ICPC_AT.date(), "icpc")
