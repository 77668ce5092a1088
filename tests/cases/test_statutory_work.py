"""Episodes, the 45-working-day assessment and closing a case (SPEC 3.3)."""

import pytest
from django.urls import reverse

from cases import services
from cases.models import Case, ChronologyEntry, Episode
from safeguard import workdays
from tests.factories import World, open_case_from_concern, submit_concern

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = World()
    w.concern = submit_concern(w)
    w.case = open_case_from_concern(w, w.concern)
    return w


def test_a_case_opened_for_assessment_starts_the_episode_and_the_clock(world):
    episode = Episode.objects.get(case=world.case)
    referral_day = workdays.local_date(world.concern.submitted_at)
    assert episode.referral_date == referral_day
    assert episode.referral_source == "2A"  # a school
    assessment = world.case.assessments.get()
    assert assessment.due_on == workdays.due_date("assessment", referral_day)


def test_assessment_completed_then_authorised(client, world):
    assessment = world.case.assessments.get()
    client.force_login(world.social_worker)
    url = reverse("case_assessment", args=[world.case.pk, assessment.pk, "complete"])
    response = client.post(url, {"summary": "", "primary_need": "N1"})
    page = response.content.decode()
    assert response.status_code == 400 and "Summarise" in page
    assert "Choose the factors identified" in page
    # "No factors" with factors is a contradiction the census would reject.
    response = client.post(
        url, {"summary": "Neglect confirmed.", "primary_need": "N1", "factors": ["21", "16A"]}
    )
    assert response.status_code == 400
    assert "not both" in response.content.decode()
    assert "Neglect confirmed.</textarea>" in response.content.decode()  # nothing typed lost
    client.post(
        url,
        {
            "summary": "Neglect confirmed; CIN plan.",
            "primary_need": "N1",
            "factors": ["3B", "16A", "1B"],
            "child_wishes": "Amelia said she wants her dad to stop shouting.",
        },
    )
    assessment.refresh_from_db()
    assert assessment.completed_on and Episode.objects.get(case=world.case).primary_need == "N1"
    assert assessment.factors == ["1B", "3B", "16A"]  # stored in the census's order
    page = client.get(reverse("case_detail", args=[world.case.pk])).content.decode()
    assert "16A Abuse or neglect: neglect" in page
    # The social worker cannot authorise; the manager can.
    authorise = reverse("case_assessment", args=[world.case.pk, assessment.pk, "authorise"])
    assert client.post(authorise).status_code == 404
    client.force_login(world.manager)
    client.post(authorise)
    assessment.refresh_from_db()
    assert assessment.authorised_by == world.manager
    assert ChronologyEntry.objects.filter(
        case=world.case, title__startswith="Child and family assessment completed"
    ).exists()


def test_closing_needs_a_reason_and_a_manager(client, world):
    # The assessment is authorised first: an open one stops the case closing
    # (rule 8867; tests/cases/test_statutory_states.py).
    assessment = world.case.assessments.get()
    services.assessment_complete(
        child_wishes="She wants things to calm down at home",
        acting_user=world.social_worker,
        assessment=assessment,
        summary="No needs found.",
        primary_need="N9",
        factors=["21"],
    )
    services.assessment_authorise(acting_user=world.manager, assessment=assessment)
    client.force_login(world.social_worker)
    request_url = reverse("case_close", args=[world.case.pk, "request"])
    assert client.post(request_url, {"reason": "RC8", "explanation": ""}).status_code == 400
    client.post(request_url, {"reason": "RC8", "explanation": "Assessment found no needs."})
    assert Case.objects.get(pk=world.case.pk).status == "open"
    assert client.post(reverse("case_close", args=[world.case.pk, "authorise"])).status_code == 404
    client.force_login(world.manager)
    client.post(reverse("case_close", args=[world.case.pk, "authorise"]))
    case = Case.objects.get(pk=world.case.pk)
    assert case.status == "closed" and case.closed_at
    episode = Episode.objects.get(case=case)
    assert episode.closure_reason == "RC8" and episode.closure_date
    assert ChronologyEntry.objects.filter(case=case, kind="case_closed").exists()


def test_involved_agencies_see_no_statutory_work(client, world):
    client.force_login(world.teacher)
    page = client.get(reverse("case_detail", args=[world.case.pk])).content.decode()
    assert "Statutory work" not in page
    assessment = world.case.assessments.get()
    url = reverse("case_assessment", args=[world.case.pk, assessment.pk, "complete"])
    assert client.post(url, {"summary": "x", "primary_need": "N1"}).status_code == 404
