import pytest
from django.urls import reverse

from tests.factories import World, make_user, open_case_from_concern, submit_concern

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = World()
    w.case = open_case_from_concern(w, submit_concern(w))
    w.other_auditor = make_user("auditor@other-la", w.other_la, "auditor")
    return w


def test_auditor_searches_their_authoritys_audit_log(client, world):
    client.force_login(world.social_worker)
    client.get(reverse("case_detail", args=[world.case.pk]))
    client.force_login(world.auditor)
    response = client.get(reverse("audit_search"), {"username": "social_worker@la"})
    assert response.status_code == 200
    events = {row.event for row in response.context["page"]}
    assert "case_viewed" in events
    assert {row.username for row in response.context["page"]} == {"social_worker@la"}
    by_reference = client.get(reverse("audit_search"), {"reference": world.case.reference})
    assert all(r.object_reference == world.case.reference for r in by_reference.context["page"])
    assert by_reference.context["page"].paginator.count >= 2


def test_other_authoritys_auditor_sees_none_of_it(client, world):
    client.force_login(world.other_auditor)
    response = client.get(reverse("audit_search"), {"reference": world.case.reference})
    assert response.context["page"].paginator.count == 0
    assert "No audit records match" in response.content.decode()


@pytest.mark.parametrize("who", ["social_worker", "manager", "la_admin", "teacher"])
def test_only_auditors_reach_the_audit_search(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get(reverse("audit_search")).status_code == 404


def test_bad_dates_are_refused_next_to_the_field(client, world):
    client.force_login(world.auditor)
    response = client.get(
        reverse("audit_search"), {"date_from_0": "31", "date_from_1": "2", "date_from_2": "2026"}
    )
    assert "must be a real date" in response.content.decode()
