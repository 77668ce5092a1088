"""The household, its risk flags, and siblings as linked cases."""

import pytest
from django.urls import reverse

from cases.models import HouseholdMember
from tests.factories import World, open_case_from_concern, submit_concern

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = World()
    w.case = open_case_from_concern(w, submit_concern(w))
    w.brother_case = open_case_from_concern(
        w, submit_concern(w, child_first_name="Leo", child_last_name="Hart")
    )
    return w


def add(client, case, **fields):
    data = {"name": "", "relationship": "sibling", "flags": []}
    data.update(fields)
    return client.post(reverse("case_household_add", args=[case.pk]), data)


def test_household_members_with_risk_flags(client, world):
    client.force_login(world.social_worker)
    response = add(
        client,
        world.case,
        name="Dean Hart",
        relationship="father",
        lives_with_child="on",
        has_parental_responsibility="on",
        flags=["domestic_abuse"],
    )
    assert response.status_code == 302
    client.force_login(world.teacher)  # involved agencies see the household (SPEC 2)
    page = client.get(reverse("case_detail", args=[world.case.pk])).content.decode()
    assert "Dean Hart" in page and "Domestic abuse" in page


def test_a_sibling_on_record_links_the_cases_both_ways(client, world):
    client.force_login(world.social_worker)
    response = add(client, world.case, sibling_reference=world.brother_case.child.reference)
    assert response.status_code == 302
    assert HouseholdMember.objects.filter(
        child=world.brother_case.child, sibling=world.case.child
    ).exists()
    page = client.get(reverse("case_detail", args=[world.case.pk])).content.decode()
    assert world.brother_case.reference in page
    other = client.get(reverse("case_detail", args=[world.brother_case.pk])).content.decode()
    assert world.case.reference in other


def test_bad_household_input_is_refused(client, world):
    client.force_login(world.social_worker)
    response = add(client, world.case, name="", relationship="father")
    assert response.status_code == 400 and "Enter the person" in response.content.decode()
    response = add(client, world.case, relationship="father", sibling_reference="CHI-2026-999999")
    assert response.status_code == 400
    client.force_login(world.teacher)
    assert add(client, world.case, name="X", relationship="mother").status_code == 404
