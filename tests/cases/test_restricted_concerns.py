"""A concern linked to a restricted case is as restricted as the case (SPEC 2).

A colleague not named on the case gets 404 for the concern on every page, the
front door, every triage action and the API, and no list shows it; the named
people still see it, and so does its reporter, who follows the outcome of what
they reported but never reaches the case through it.
"""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from cases import selectors
from cases.models import Concern
from cases.services.restrictions import case_lift_restriction, case_restrict
from tests.factories import World, make_user, open_case_from_concern, submit_concern

pytestmark = pytest.mark.django_db

REASON = "Child of a member of staff in the duty team."


@pytest.fixture
def world():
    w = World()
    w.manager2 = make_user("manager2@la", w.la, "manager")
    w.named_worker = make_user("named_worker@la", w.la, "social_worker")
    w.concern = submit_concern(w)
    w.case = open_case_from_concern(w, w.concern)
    w.concern.refresh_from_db()
    return w


def restrict(w):
    case_restrict(
        acting_user=w.manager, case=w.case, reason=REASON, named_users=[w.manager, w.named_worker]
    )
    w.case.refresh_from_db()


def page_gets(concern):
    return [
        reverse("concern_detail", args=[concern.pk]),
        reverse("concern_edit", args=[concern.pk]),
        reverse("concern_submitted", args=[concern.pk]),
        reverse("concern_triage", args=[concern.pk]),
    ]


def page_posts(concern):
    return [
        (reverse("concern_body_map_add", args=[concern.pk]), {"side": "front", "region": "head"}),
        (reverse("concern_autosave", args=[concern.pk]), {"child_first_name": "X"}),
        (reverse("concern_link_child", args=[concern.pk]), {}),
        (reverse("concern_create_child", args=[concern.pk]), {}),
        (reverse("concern_decide", args=[concern.pk]), {"decision": "nfa", "reason": "x"}),
        (reverse("concern_authorise", args=[concern.pk]), {}),
        (reverse("concern_return", args=[concern.pk]), {"reason": "x"}),
    ]


API_POSTS = ["link-child", "decision", "authorise", "return"]


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def api_ids(user):
    return {c["id"] for c in api(user).get("/api/v1/concerns/?page_size=100").json()["results"]}


def test_an_unnamed_colleague_gets_404_for_the_concern_everywhere(world, client):
    concern = world.concern
    restrict(world)
    # The lead social worker who triaged it, and a lead manager, neither named.
    for user in (world.social_worker, world.manager2):
        assert not selectors.concerns_for(user).filter(pk=concern.pk).exists()
        client.force_login(user)
        for url in page_gets(concern):
            assert client.get(url).status_code == 404, (user, url)
        for url, data in page_posts(concern):
            assert client.post(url, data).status_code == 404, (user, url)
        assert concern.reference not in client.get(reverse("concern_list")).content.decode()
        assert concern.reference not in client.get(reverse("front_door")).content.decode()
        # The home page's concern lists (a notification sent before the
        # restriction may still carry the bare reference, never the content).
        assert "Amelia" not in client.get(reverse("home")).content.decode()
        assert api(user).get(f"/api/v1/concerns/{concern.pk}/").status_code == 404
        for action in API_POSTS:
            url = f"/api/v1/concerns/{concern.pk}/{action}/"
            assert api(user).post(url, {}, format="json").status_code == 404, (user, url)
        assert str(concern.pk) not in api_ids(user)


def test_the_front_door_queue_omits_a_waiting_concern_of_a_restricted_case(world, client):
    # However a waiting concern comes to be linked to a restricted case, the
    # queue and the triage pages follow the case.
    waiting = submit_concern(world)
    Concern.objects.filter(pk=waiting.pk).update(case=world.case)
    restrict(world)
    client.force_login(world.social_worker)
    assert client.get(reverse("concern_triage", args=[waiting.pk])).status_code == 404
    assert waiting.reference not in client.get(reverse("front_door")).content.decode()
    assert not selectors.front_door_queue_for(world.social_worker).filter(pk=waiting.pk).exists()
    client.force_login(world.named_worker)
    assert client.get(reverse("concern_triage", args=[waiting.pk])).status_code == 200
    assert selectors.front_door_queue_for(world.named_worker).filter(pk=waiting.pk).exists()


def test_named_people_still_see_the_concern(world, client):
    concern = world.concern
    restrict(world)
    for user in (world.named_worker, world.manager):
        client.force_login(user)
        page = client.get(reverse("concern_detail", args=[concern.pk]))
        assert page.status_code == 200 and "Amelia" in page.content.decode()
        assert client.get(reverse("concern_triage", args=[concern.pk])).status_code == 200
        body = api(user).get(f"/api/v1/concerns/{concern.pk}/").json()
        assert body["case"]["id"] == str(world.case.pk)
        assert body["child"] is not None
        assert str(concern.pk) in api_ids(user)


def test_the_reporter_follows_the_outcome_but_not_the_case(world, client):
    concern = world.concern
    restrict(world)
    client.force_login(world.teacher)
    page = client.get(reverse("concern_detail", args=[concern.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Needs assessment." in text  # the outcome they were promised
    assert world.case.reference not in text
    assert reverse("case_detail", args=[world.case.pk]) not in text
    assert concern.reference in client.get(reverse("concern_list")).content.decode()
    assert client.get(reverse("concern_triage", args=[concern.pk])).status_code == 404
    body = api(world.teacher).get(f"/api/v1/concerns/{concern.pk}/").json()
    assert body["case"] is None and body["child"] is None
    assert body["decision"] == "assessment"
    assert str(concern.pk) in api_ids(world.teacher)


def test_a_reporter_in_the_lead_agency_cannot_triage_it(world):
    # A lead social worker who reported the concern keeps their own report,
    # but not the front door's view of a case they may not see.
    concern = submit_concern(world, reporter=world.social_worker, agency=world.la)
    Concern.objects.filter(pk=concern.pk).update(case=world.case)
    restrict(world)
    concern = selectors.get_concern_for(world.social_worker, concern.pk, audit=False)
    assert not selectors.can_triage(world.social_worker, concern)
    body = api(world.social_worker).get(f"/api/v1/concerns/{concern.pk}/").json()
    assert body["child"] is None and body["case"] is None


def test_restricting_and_lifting_take_effect_on_the_next_request(world, client):
    concern = world.concern
    url = reverse("concern_detail", args=[concern.pk])
    client.force_login(world.social_worker)
    assert client.get(url).status_code == 200
    assert api(world.social_worker).get(f"/api/v1/concerns/{concern.pk}/").status_code == 200
    restrict(world)
    assert client.get(url).status_code == 404
    assert api(world.social_worker).get(f"/api/v1/concerns/{concern.pk}/").status_code == 404
    assert str(concern.pk) not in api_ids(world.social_worker)
    case_lift_restriction(acting_user=world.manager, case=world.case, reason="Staff member left.")
    assert client.get(url).status_code == 200
    assert api(world.social_worker).get(f"/api/v1/concerns/{concern.pk}/").status_code == 200
    assert str(concern.pk) in api_ids(world.social_worker)
