"""Restricted cases and break-glass access (SPEC 2)."""

import datetime as dt

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from cases import selectors
from cases.access import desired_group_grants, desired_user_grants, explain_access
from cases.models import BreakGlass, CaseGroupObjectPermission, CaseUserObjectPermission
from cases.services.restrictions import case_break_glass, case_lift_restriction, case_restrict
from safeguard.audit.models import AuditEvent
from safeguard.notifications.models import Notification
from tests.factories import World, make_user, open_case_from_concern, submit_concern

pytestmark = pytest.mark.django_db

REASON = "Child of a member of staff in the duty team."
GLASS = "Police report the child missing tonight; I need the safety plan now."


@pytest.fixture
def world():
    w = World()
    w.manager2 = make_user("manager2@la", w.la, "manager")
    w.named_worker = make_user("named_worker@la", w.la, "social_worker")
    w.case = open_case_from_concern(w, submit_concern(w))
    case_restrict(
        acting_user=w.manager, case=w.case, reason=REASON, named_users=[w.manager, w.named_worker]
    )
    w.case.refresh_from_db()
    return w


def sees(user, case):
    return selectors.cases_for(user).filter(pk=case.pk).exists()


def test_only_named_people_see_a_restricted_case(world, client):
    case = world.case
    assert sees(world.manager, case) and sees(world.named_worker, case)
    for user in (world.social_worker, world.manager2, world.teacher, world.other_social_worker):
        assert not sees(user, case), user
        with pytest.raises(Http404):
            selectors.get_case_for(user, case.pk)
    assert case.restriction_review_due == timezone.localdate() + dt.timedelta(days=90)
    grants = (
        set(
            CaseGroupObjectPermission.objects.filter(content_object=case).values_list(
                "group_id", "permission__codename"
            )
        ),
        set(
            CaseUserObjectPermission.objects.filter(content_object=case).values_list(
                "user_id", "permission__codename"
            )
        ),
    )
    assert grants == (desired_group_grants(case), desired_user_grants(case))
    assert grants[0] == set()


def test_colleagues_are_told_it_exists_and_nothing_more(world, client):
    client.force_login(world.social_worker)
    response = client.get(reverse("case_detail", args=[world.case.pk]))
    assert response.status_code == 403
    page = response.content.decode()
    assert "This is a restricted record" in page and world.case.reference in page
    assert "Amelia" not in page and "Hart" not in page
    listing = client.get(reverse("case_list")).content.decode()
    assert world.case.reference in listing and "Amelia" not in listing
    # Not even that much for an agency with nothing to do with the case.
    client.force_login(world.other_social_worker)
    assert client.get(reverse("case_detail", args=[world.case.pk])).status_code == 404
    assert world.case.reference not in client.get(reverse("case_list")).content.decode()


def test_break_glass_needs_a_reason_and_a_manager(world, client):
    client.force_login(world.manager2)
    url = reverse("case_break_glass", args=[world.case.pk])
    response = client.post(url, {"reason": "need it"})
    assert response.status_code == 400
    assert "Explain in a sentence or two" in response.content.decode()
    assert not BreakGlass.objects.exists()
    client.force_login(world.social_worker)
    assert client.post(url, {"reason": GLASS}).status_code == 404
    assert not BreakGlass.objects.exists()


def test_break_glass_gives_time_limited_audited_access(world, client):
    client.force_login(world.manager2)
    response = client.post(reverse("case_break_glass", args=[world.case.pk]), {"reason": GLASS})
    assert response["Location"] == reverse("case_detail", args=[world.case.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Amelia Hart" in page and "break-glass access until" in page
    assert selectors.has_lead_access(world.manager2, world.case)
    views = AuditEvent.objects.filter(username="manager2@la", event="case_viewed_break_glass")
    assert views.get().reason == GLASS
    # The lead agency's other managers are told at once.
    assert Notification.objects.filter(recipient=world.manager, kind="break_glass").exists()
    assert not Notification.objects.filter(recipient=world.manager2, kind="break_glass").exists()
    rules = [r.rule for r in explain_access(world.manager2, world.case)]
    assert rules == ["break_glass"]
    # When the time is up, so is the access.
    BreakGlass.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert not sees(world.manager2, world.case)
    assert client.get(reverse("case_detail", args=[world.case.pk])).status_code == 403
    assert explain_access(world.manager2, world.case) == []


def test_the_default_break_glass_lasts_four_hours(world):
    glass = case_break_glass(acting_user=world.manager2, case=world.case, reason=GLASS)
    assert glass.expires_at - glass.started_at == dt.timedelta(hours=4)


def test_explainer_names_the_named(world):
    assert [r.rule for r in explain_access(world.named_worker, world.case)] == ["named"]
    assert explain_access(world.social_worker, world.case) == []


def test_lifting_the_restriction_restores_access(world):
    case_lift_restriction(acting_user=world.manager, case=world.case, reason="Staff member left.")
    world.case.refresh_from_db()
    assert sees(world.social_worker, world.case) and sees(world.teacher, world.case)
    assert not sees(world.other_social_worker, world.case)


def test_only_lead_managers_restrict(world, client):
    client.force_login(world.named_worker)
    assert client.get(reverse("case_restrict", args=[world.case.pk])).status_code == 404
    client.force_login(world.manager)
    assert client.get(reverse("case_restrict", args=[world.case.pk])).status_code == 200


def test_a_restriction_names_someone(world):
    from django.core.exceptions import ValidationError

    other = open_case_from_concern(world, submit_concern(world, child_first_name="Bo"))
    with pytest.raises(ValidationError):
        case_restrict(acting_user=world.manager, case=other, reason=REASON, named_users=[])


def test_a_restricted_child_is_not_offered_at_triage_only_flagged(client, world):
    new = submit_concern(world)  # same child's name and date of birth
    client.force_login(world.social_worker)
    response = client.get(reverse("concern_triage", args=[new.pk]))
    assert response.context["candidates"] == []
    assert response.context["restricted_match"] is True
    page = response.content.decode()
    assert "A restricted record may match" in page
    assert world.case.child.reference not in page
    # Someone named on the case sees the candidate itself.
    client.force_login(world.named_worker)
    response = client.get(reverse("concern_triage", args=[new.pk]))
    assert [c.child.pk for c in response.context["candidates"]] == [world.case.child_id]
    assert response.context["restricted_match"] is False
