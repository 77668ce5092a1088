"""Referrals between agencies (SPEC 3.4): the state machine and its effect on access."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from agencies.models import Agency
from cases import selectors as case_selectors
from cases.models import ChronologyEntry
from referrals.models import Referral
from referrals.services import referral_send, referral_transition, response_due
from safeguard.notifications.models import Notification
from tests.factories import AgencyFactory, World, make_user, open_case_from_concern, submit_concern

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = World()
    w.health = AgencyFactory(slug="health", name="Health Trust", kind=Agency.Kind.HEALTH)
    w.nurse = make_user("practitioner@health", w.health, "practitioner")
    w.case = open_case_from_concern(w, submit_concern(w))
    return w


def send(world, **overrides):
    fields = {
        "acting_user": world.teacher,
        "case": world.case,
        "from_agency": world.school,
        "to_agency": world.health,
        "reason": "Low mood and weight loss noticed over a term.",
        "request": "Please assess for CAMHS support.",
        "urgency": "routine",
        "sharing_basis": "consent",
    }
    fields.update(overrides)
    return referral_send(**fields)


def test_a_school_refers_to_health_and_health_accepts(client, world):
    referral = send(world)
    assert referral.reference.startswith("REF-")
    assert Notification.objects.filter(recipient=world.nurse, kind="referral_received").exists()
    assert not case_selectors.cases_for(world.nurse).filter(pk=world.case.pk).exists()

    client.force_login(world.nurse)
    inbox = client.get(reverse("referral_list")).content.decode()
    assert referral.reference in inbox and "Amelia Hart" in inbox
    client.post(reverse("referral_act", args=[referral.pk, "acknowledge"]))
    client.post(reverse("referral_act", args=[referral.pk, "accept"]))
    referral.refresh_from_db()
    assert referral.status == "accepted" and referral.responded_by == world.nurse
    # Accepting makes health an involved agency: it now sees the case.
    assert case_selectors.cases_for(world.nurse).filter(pk=world.case.pk).exists()
    kinds = ChronologyEntry.objects.filter(case=world.case, kind="referral").values_list(
        "title", flat=True
    )
    assert {
        f"Referral {referral.reference} acknowledged",
        f"Referral {referral.reference} accepted",
    } <= set(kinds)
    assert Notification.objects.filter(recipient=world.teacher, kind="referral_accepted").exists()


def test_declining_needs_a_reason_tells_the_sender_and_gives_no_access(client, world):
    referral = send(world)
    client.force_login(world.nurse)
    response = client.post(reverse("referral_act", args=[referral.pk, "decline"]), {"reason": ""})
    assert response.status_code == 400
    assert "Enter why the referral is declined" in response.content.decode()
    client.post(reverse("referral_act", args=[referral.pk, "decline"]), {"reason": "Not our area."})
    referral.refresh_from_db()
    assert referral.status == "declined"
    assert not case_selectors.cases_for(world.nurse).filter(pk=world.case.pk).exists()
    client.force_login(world.teacher)
    page = client.get(reverse("referral_detail", args=[referral.pk])).content.decode()
    assert "Not our area." in page
    assert Notification.objects.filter(recipient=world.teacher, kind="referral_declined").exists()


@pytest.mark.parametrize(
    ("steps", "actor", "action", "error"),
    [
        (["decline"], "nurse", "accept", ValidationError),
        (["accept"], "teacher", "withdraw", ValidationError),
        ([], "teacher", "accept", PermissionDenied),
        ([], "nurse", "withdraw", PermissionDenied),
        (["withdraw"], "nurse", "acknowledge", ValidationError),
        ([], "nurse", "close", ValidationError),
    ],
)
def test_illegal_transitions_are_refused(world, steps, actor, action, error):
    referral = send(world)
    for step in steps:
        who = world.teacher if step == "withdraw" else world.nurse
        referral = referral_transition(acting_user=who, referral=referral, action=step, reason="r")
    before = Referral.objects.get(pk=referral.pk).status
    with pytest.raises(error):
        referral_transition(
            acting_user=getattr(world, actor), referral=referral, action=action, reason="r"
        )
    assert Referral.objects.get(pk=referral.pk).status == before


def test_the_page_refuses_an_illegal_transition_too(client, world):
    referral = send(world)
    client.force_login(world.teacher)
    assert client.post(reverse("referral_act", args=[referral.pk, "accept"])).status_code == 404
    assert Referral.objects.get(pk=referral.pk).status == "sent"


def test_response_due_dates_follow_the_clocks(world):
    sent = dt.datetime(2026, 12, 24, 10, 0, tzinfo=dt.UTC)
    assert response_due(world.la, sent).date() == dt.date(2026, 12, 29)  # one working day
    assert response_due(world.health, sent).date() == dt.date(2027, 1, 5)  # five working days


def test_outsiders_see_nothing(client, world):
    referral = send(world)
    for user in (world.other_social_worker, world.other_teacher, world.officer):
        client.force_login(user)
        assert client.get(reverse("referral_detail", args=[referral.pk])).status_code == 404
        assert referral.reference not in client.get(reverse("referral_list")).content.decode()


def test_only_agencies_on_the_case_refer(world):
    with pytest.raises(PermissionDenied):
        send(world, acting_user=world.nurse, from_agency=world.health, to_agency=world.police)


def test_the_referral_form_keeps_what_was_typed(client, world):
    client.force_login(world.teacher)
    response = client.post(
        reverse("referral_create", args=[world.case.pk]),
        {
            "to_agency": world.health.pk,
            "reason": "Typed reason",
            "request": "",
            "urgency": "routine",
            "sharing_basis": "consent",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Say what you are asking the agency to do" in page and "Typed reason" in page


def test_the_api_sends_and_moves_referrals_with_the_same_rules(world):
    from rest_framework.test import APIClient

    teacher = APIClient()
    teacher.force_authenticate(world.teacher)
    response = teacher.post(
        "/api/v1/referrals/",
        {
            "case": str(world.case.pk),
            "to_agency": "health",
            "reason": "Low mood",
            "request": "Assess",
            "urgency": "routine",
            "sharing_basis": "consent",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    referral_id = response.json()["id"]
    nurse = APIClient()
    nurse.force_authenticate(world.nurse)
    listed = nurse.get("/api/v1/referrals/").json()
    assert len(listed["results"]) == 1 and listed["results"][0]["case"] is None  # not yet involved
    illegal = teacher.post(f"/api/v1/referrals/{referral_id}/transition/", {"action": "accept"})
    assert illegal.status_code == 403
    declined = nurse.post(f"/api/v1/referrals/{referral_id}/transition/", {"action": "decline"})
    assert declined.status_code == 400 and "reason" in declined.json()["errors"]
    accepted = nurse.post(f"/api/v1/referrals/{referral_id}/transition/", {"action": "accept"})
    assert accepted.json()["status"] == "accepted"
    assert accepted.json()["case"] == str(world.case.pk)
    again = nurse.post(
        f"/api/v1/referrals/{referral_id}/transition/", {"action": "decline", "reason": "x"}
    )
    assert again.status_code == 400
    outsider = APIClient()
    outsider.force_authenticate(world.other_social_worker)
    assert outsider.get(f"/api/v1/referrals/{referral_id}/").status_code == 404
    assert outsider.get("/api/v1/referrals/").json()["results"] == []
