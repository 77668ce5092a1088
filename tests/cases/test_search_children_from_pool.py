"""The header search makes the children it found from the matcher's pool
rather than reading them again (cases.selectors.search): each result still
shows the child's reference, name, age and lead agency, the agency coming
from the child's cases or, for a child with no case the person sees, from
one read for the page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from cases import services
from cases.models import Child
from tests.factories import World, open_case_from_concern, submit_concern

pytestmark = pytest.mark.django_db

NHS = "9434765919"


@pytest.fixture
def world():
    w = World()
    w.case = open_case_from_concern(w, submit_concern(w))
    Child.objects.filter(pk=w.case.child_id).update(nhs_number=NHS)
    # Known to the front door, with no case: found by its staff only.
    w.caseless = services.child_create(
        acting_user=w.social_worker, lead_agency=w.la, first_name="Ruby", last_name="Zephyr"
    )
    return w


def page(client, user, text: str) -> tuple[str, int]:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("search"), {"q": text})
    assert response.status_code == 200
    return response.content.decode(), len(queries.captured_queries)


def test_a_result_shows_the_childs_own_facts_and_lead_agency(world, client):
    for text, child in (("Amelia Hart", world.case.child), ("Ruby Zephyr", world.caseless)):
        shown, _ = page(client, world.social_worker, text)
        assert child.reference in shown and child.full_name in shown, text
        assert escape(world.la.name) in shown, text
    assert "No case you can see" in page(client, world.social_worker, "Zephyr")[0]

    body = client.get("/api/v1/search/", {"q": "Zephyr"}).json()
    (ruby,) = body["results"]
    assert ruby["child"]["reference"] == world.caseless.reference
    assert ruby["lead_agency"]["slug"] == world.la.slug and ruby["case"] is None
    body = client.get("/api/v1/search/", {"q": "Amelia Hart"}).json()
    (amelia,) = body["results"]
    assert amelia["case"]["reference"] == world.case.reference
    assert amelia["child"] == {
        "id": str(world.case.child_id),
        "reference": world.case.child.reference,
        "first_name": "Amelia",
        "last_name": "Hart",
        "date_of_birth": "2016-05-04",
    }
    # The school sees Amelia by her case, and not Ruby.
    assert world.case.child.reference in page(client, world.teacher, "Amelia Hart")[0]
    assert world.caseless.reference not in page(client, world.teacher, "Zephyr")[0]


def test_a_child_with_no_case_costs_one_read_of_agencies_for_the_page(world, client):
    for text in (NHS, "Zephyr"):  # compile what the search compiles
        page(client, world.social_worker, text)
    _, with_case = page(client, world.social_worker, NHS)  # Amelia, with her case
    _, caseless = page(client, world.social_worker, "Zephyr")
    # Ruby's lead agency is read for the page, and nothing else more.
    assert caseless == with_case + 1
    for name in ("Zoe", "Ava", "Mia"):
        other = services.child_create(
            acting_user=world.social_worker,
            lead_agency=world.la,
            first_name=name,
            last_name="Zephyr",
        )
        shown, count = page(client, world.social_worker, "Zephyr")
        assert other.reference in shown and count == caseless
