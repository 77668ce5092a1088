"""Actions: set by the lead agency, seen by the agency they are for."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import CaseAction
from cases.services.case import involvement_start
from safeguard.notifications.models import Notification
from tests.factories import World, open_case_from_concern, submit_concern

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = World()
    w.case = open_case_from_concern(w, submit_concern(w))
    involvement_start(
        acting_user=w.social_worker, case=w.case, agency=w.police, level="involved", reason="added"
    )
    return w


def add(client, world, description, agency, owner=None, days=5):
    due = timezone.localdate() + dt.timedelta(days=days)
    return client.post(
        reverse("case_action_add", args=[world.case.pk]),
        {
            "description": description,
            "agency": agency.pk,
            "owner": owner.pk if owner else "",
            "due_on_0": due.day,
            "due_on_1": due.month,
            "due_on_2": due.year,
        },
    )


def test_lead_sets_actions_and_each_agency_sees_its_own(client, world):
    client.force_login(world.social_worker)
    assert (
        add(client, world, "Check attendance daily", world.school, world.teacher).status_code == 302
    )
    assert add(client, world, "Share call-out history", world.police).status_code == 302
    assert Notification.objects.filter(recipient=world.teacher, kind="action_assigned").exists()
    assert Notification.objects.filter(recipient=world.officer, kind="action_assigned").exists()
    client.force_login(world.teacher)
    page = client.get(reverse("case_detail", args=[world.case.pk])).content.decode()
    assert "Check attendance daily" in page and "Share call-out history" not in page
    action = CaseAction.objects.get(description="Check attendance daily")
    client.post(reverse("case_action_done", args=[world.case.pk, action.pk]))
    action.refresh_from_db()
    assert action.status == "done"
    other = CaseAction.objects.get(description="Share call-out history")
    assert (
        client.post(reverse("case_action_done", args=[world.case.pk, other.pk])).status_code == 404
    )


def test_bad_actions_are_refused(client, world):
    client.force_login(world.social_worker)
    response = add(client, world, "Late", world.school, days=-1)
    assert response.status_code == 400 and "today or later" in response.content.decode()
    response = add(client, world, "Wrong owner", world.school, owner=world.officer)
    assert response.status_code == 400 and "must work for that agency" in response.content.decode()
    response = add(client, world, "Not involved", world.other_school)
    assert response.status_code == 400
    assert not CaseAction.objects.exists()


def test_involved_agencies_cannot_set_actions(client, world):
    client.force_login(world.teacher)
    assert add(client, world, "x", world.school).status_code == 404


def test_an_involved_agency_gets_the_same_404_from_the_page_and_the_api(client, world):
    """Setting actions is the lead agency's work: for an agency that takes part
    in the case (and sees it) the page's form and the API's route alike do not
    exist, and nothing is added. The lead agency's worker is answered by both."""
    from rest_framework.test import APIClient

    assert client.get(reverse("case_detail", args=[world.case.pk])).status_code == 302  # signed out
    client.force_login(world.teacher)
    assert client.get(reverse("case_detail", args=[world.case.pk])).status_code == 200
    page = add(client, world, "Check attendance", world.school)
    assert page.status_code == 404
    api = APIClient()
    api.force_authenticate(world.teacher)
    due = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    body = {"description": "Check attendance", "agency": "school", "due_on": due}
    refused = api.post(f"/api/v1/cases/{world.case.pk}/actions/", body, format="json")
    assert refused.status_code == 404
    assert refused.json() == {"detail": "Not found.", "errors": {}}
    assert not CaseAction.objects.filter(case=world.case).exists()

    client.force_login(world.social_worker)
    assert add(client, world, "Check attendance", world.school).status_code == 302
    api.force_authenticate(world.social_worker)
    created = api.post(f"/api/v1/cases/{world.case.pk}/actions/", body, format="json")
    assert created.status_code == 201, created.json()
    assert CaseAction.objects.filter(case=world.case).count() == 2
