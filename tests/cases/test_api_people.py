"""Household and named professionals over the API: the page's services,
permissions and audit (SPEC 2, 3.3, 6; issue 16 item 1)."""

import pytest

from cases.models import CaseProfessional, HouseholdMember
from safeguard.audit.models import AuditEvent
from tests.cases.api_world import api, assert_error, audit_rows, case_world, end_police_involvement
from tests.factories import open_case_from_concern, submit_concern

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return case_world()


def household_url(world):
    return f"/api/v1/cases/{world.case.pk}/household/"


def professionals_url(world):
    return f"/api/v1/cases/{world.case.pk}/professionals/"


MOTHER = {
    "name": "Sarah Hart",
    "relationship": "mother",
    "lives_with_child": True,
    "has_parental_responsibility": True,
    "flags": ["mental_health"],
}


# Household ----------------------------------------------------------------------


def test_the_lead_agency_adds_to_the_household_and_everyone_on_the_case_reads_it(world):
    response = api(world.social_worker).post(household_url(world), MOTHER, format="json")
    assert response.status_code == 201, response.content
    member = HouseholdMember.objects.get(pk=response.json()["id"])
    assert member.child == world.case.child and member.flags == ["mental_health"]
    assert response.json()["sibling_reference"] is None
    assert AuditEvent.objects.filter(event="household_member_added", case_id=world.case.pk)

    listed = api(world.officer).get(household_url(world))
    assert listed.status_code == 200
    assert [m["name"] for m in listed.json()["results"]] == ["Sarah Hart"]
    (row,) = audit_rows("household_listed", world.officer)
    assert row.case_id == world.case.pk and row.detail["ids"] == [str(member.pk)]


def test_a_sibling_on_record_is_linked_both_ways(world):
    sibling_case = open_case_from_concern(
        world, submit_concern(world, child_first_name="Noah", child_last_name="Hart")
    )
    response = api(world.social_worker).post(
        household_url(world),
        {"relationship": "sibling", "sibling_reference": sibling_case.child.reference},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["sibling_reference"] == sibling_case.child.reference
    assert response.json()["name"] == sibling_case.child.full_name
    assert sibling_case.child.household.filter(sibling=world.case.child).exists()


def test_only_the_lead_agency_changes_the_household(world):
    for user in (world.teacher, world.officer):
        assert_error(api(user).post(household_url(world), MOTHER, format="json"), 404)
    assert not HouseholdMember.objects.exists()


def test_bad_household_members_are_refused_with_the_error_body(world):
    client = api(world.social_worker)
    assert_error(
        client.post(household_url(world), {"name": "X"}, format="json"), 400, "relationship"
    )
    assert_error(
        client.post(household_url(world), {"relationship": "mother"}, format="json"), 400, "name"
    )
    assert_error(
        client.post(household_url(world), MOTHER | {"flags": ["astrology"]}, format="json"),
        400,
        "flags.0",
    )
    assert_error(
        client.post(
            household_url(world), MOTHER | {"sibling_reference": "CHI-1999-000001"}, format="json"
        ),
        400,
        "sibling_reference",
    )
    assert_error(
        client.post(
            household_url(world),
            {"relationship": "sibling", "sibling_reference": "CHI-1999-000001"},
            format="json",
        ),
        400,
        "sibling_reference",
    )
    assert not HouseholdMember.objects.exists()


def test_a_household_you_cannot_see_does_not_exist(world):
    for user in world.unrelated_users():
        assert_error(api(user).get(household_url(world)), 404)
        assert_error(api(user).post(household_url(world), MOTHER, format="json"), 404)
    end_police_involvement(world)
    assert_error(api(world.officer).get(household_url(world)), 404)
    assert not AuditEvent.objects.filter(event="household_listed").exists()


# Professionals ------------------------------------------------------------------

HEALTH_VISITOR = {"name": "Jo Bloggs", "role": "Neighbourhood officer", "agency": "police"}


def test_the_lead_agency_names_professionals_and_everyone_on_the_case_sees_them(world):
    client = api(world.social_worker)
    response = client.post(
        professionals_url(world),
        HEALTH_VISITOR | {"username": world.officer.username, "email": "jo@example.org"},
        format="json",
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["username"] == world.officer.username and created["ended_at"] is None
    assert AuditEvent.objects.filter(event="professional_added", case_id=world.case.pk)

    listed = api(world.teacher).get(professionals_url(world)).json()["results"]
    assert [p["id"] for p in listed] == [created["id"]]
    (row,) = audit_rows("professionals_listed", world.teacher)
    assert row.case_id == world.case.pk and row.detail["ids"] == [created["id"]]

    end = f"{professionals_url(world)}{created['id']}/end/"
    ended = client.post(end)
    assert ended.status_code == 200 and ended.json()["ended_at"] is not None
    assert AuditEvent.objects.filter(event="professional_ended", case_id=world.case.pk)
    # Taken off: no longer listed, and not there to end again.
    assert api(world.teacher).get(professionals_url(world)).json()["results"] == []
    assert_error(client.post(end), 404)
    assert CaseProfessional.objects.get().ended_by == world.social_worker


def test_bad_professionals_are_refused_with_the_error_body(world):
    client = api(world.social_worker)
    assert_error(client.post(professionals_url(world), {}, format="json"), 400, "name", "role")
    assert_error(
        client.post(professionals_url(world), HEALTH_VISITOR | {"agency": "other-la"}),
        400,
        "agency",
    )
    assert_error(
        client.post(professionals_url(world), HEALTH_VISITOR | {"email": "not-an-address"}),
        400,
        "email",
    )
    # An account that does not work for an agency on the case, or for the one chosen.
    assert_error(
        client.post(
            professionals_url(world),
            HEALTH_VISITOR | {"username": world.other_teacher.username},
        ),
        400,
        "username",
    )
    assert_error(
        client.post(
            professionals_url(world), HEALTH_VISITOR | {"username": world.teacher.username}
        ),
        400,
        "username",
    )
    assert not CaseProfessional.objects.exists()


def test_only_the_lead_agency_changes_professionals(world):
    added = api(world.social_worker).post(professionals_url(world), HEALTH_VISITOR).json()
    for user in (world.teacher, world.officer, *world.unrelated_users()):
        client = api(user)
        assert_error(client.post(professionals_url(world), HEALTH_VISITOR), 404)
        assert_error(client.post(f"{professionals_url(world)}{added['id']}/end/"), 404)
    for user in world.unrelated_users():
        assert_error(api(user).get(professionals_url(world)), 404)
    end_police_involvement(world)
    assert_error(api(world.officer).get(professionals_url(world)), 404)
    assert CaseProfessional.objects.get().ended_at is None
