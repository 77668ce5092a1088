"""Agency administration over the API: the pages' selectors and services, and
for anyone but the agency's administrators the agency does not exist (404)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from agencies import services
from agencies.models import Membership, Team
from safeguard.audit.models import AuditEvent
from tests.factories import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def error(response, status: int, *fields: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) >= {"detail", "errors"}
    for field in fields:
        assert field in body["errors"], body
    return body


TEAMS = "/api/v1/agencies/la-csc/teams/"
MEMBERS = "/api/v1/agencies/la-csc/members/"


def test_an_administrator_adds_lists_and_changes_a_team(world):
    client = api(world.la_admin)
    response = client.post(
        TEAMS,
        {
            "name": "Child protection team",
            "manager": world.manager.username,
            "members": [world.social_worker.username, world.manager.username],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["manager"] == "manager@la"
    assert sorted(created["members"]) == ["manager@la", "social_worker@la"]
    listed = client.get(TEAMS).json()
    assert set(listed) >= {"next", "previous", "results"}
    assert [t["name"] for t in listed["results"]] == ["Child protection team"]

    url = f"{TEAMS}{created['id']}/"
    assert client.get(url).json()["id"] == created["id"]
    changed = client.put(
        url, {"name": "Child protection team", "members": [world.manager.username]}, format="json"
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["manager"] is None and changed.json()["members"] == ["manager@la"]
    team = Team.objects.get()
    assert list(team.members.all()) == [world.manager] and team.manager is None
    events = AuditEvent.objects.filter(event__in=["team_created", "team_changed"])
    assert [e.event for e in events.order_by("id")] == ["team_created", "team_changed"]


def test_bad_teams_are_refused_with_the_error_body(world):
    Team.objects.create(agency=world.la, name="Assessment team")
    client = api(world.la_admin)
    error(client.post(TEAMS, {}, format="json"), 400, "name")
    error(client.post(TEAMS, {"name": "assessment TEAM"}, format="json"), 400, "name")
    # A social worker is not a manager; people of other agencies, and accounts
    # that do not exist, read the same.
    error(client.post(TEAMS, {"name": "A", "manager": "social_worker@la"}), 400, "manager")
    for outsider in ("practitioner@school", "nobody@nowhere", "auditor@la"):
        body = {"name": "A", "members": [outsider]}
        error(client.post(TEAMS, body, format="json"), 400, "members")
    assert Team.objects.count() == 1


def test_members_are_listed_for_administrators(world):
    services.membership_deactivate(
        acting_user=world.la_admin, membership=world.auditor.memberships.get()
    )
    response = api(world.la_admin).get(MEMBERS)
    assert response.status_code == 200
    rows = {(m["username"], m["role"]): m["is_active"] for m in response.json()["results"]}
    assert rows[("social_worker@la", "social_worker")] is True
    assert rows[("auditor@la", "auditor")] is False
    assert "practitioner@school" not in {username for username, _ in rows}


def test_nobody_else_finds_the_agency(world):
    team = Team.objects.create(agency=world.la, name="Assessment team")
    outsiders = [world.manager, world.social_worker, world.teacher, world.other_manager]
    for user in outsiders:
        client = api(user)
        error(client.get(MEMBERS), 404)
        error(client.get(TEAMS), 404)
        error(client.post(TEAMS, {"name": "Mine"}, format="json"), 404)
        error(client.get(f"{TEAMS}{team.pk}/"), 404)
        error(client.put(f"{TEAMS}{team.pk}/", {"name": "Mine"}, format="json"), 404)
    # An administrator elsewhere, and the team of another agency.
    assert api(world.la_admin).get("/api/v1/agencies/school/teams/").status_code == 404
    other = Team.objects.create(agency=world.other_la, name="Other team")
    error(api(world.la_admin).get(f"{TEAMS}{other.pk}/"), 404)
    assert Team.objects.filter(name="Mine").count() == 0
    assert APIClient().get(TEAMS).status_code == 401


def test_an_administrator_invites_changes_and_ends_memberships(world):
    client = api(world.la_admin)
    invited = client.post(
        MEMBERS,
        {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "email": "ada@example.org",
            "username": "ada@la",
            "role": "social_worker",
        },
        format="json",
    )
    assert invited.status_code == 201, invited.content
    membership = invited.json()
    assert membership["username"] == "ada@la" and membership["is_active"] is True
    assert AuditEvent.objects.filter(event="member_invited").exists()

    url = f"{MEMBERS}{membership['id']}/"
    changed = client.post(url + "role/", {"role": "manager"}, format="json")
    assert changed.status_code == 200, changed.content
    assert changed.json()["role"] == "manager"
    assert AuditEvent.objects.filter(event="membership_role_changed").exists()

    ended = client.post(url + "deactivate/")
    assert ended.status_code == 200 and ended.json()["is_active"] is False
    assert AuditEvent.objects.filter(event="membership_deactivated").exists()
    error(client.post(url + "deactivate/"), 400, "non_field_errors")


def test_bad_membership_changes_are_refused_with_the_error_body(world):
    client = api(world.la_admin)
    error(client.post(MEMBERS, {"username": "x y"}, format="json"), 400, "username", "email")
    # Someone else's username with another e-mail address: not handed over.
    body = {
        "first_name": "A",
        "last_name": "B",
        "email": "someone@example.org",
        "username": world.teacher.username,
        "role": "social_worker",
    }
    error(client.post(MEMBERS, body, format="json"), 400, "email")
    membership = world.social_worker.memberships.get()
    error(client.post(f"{MEMBERS}{membership.pk}/role/", {"role": "king"}), 400, "role")
    # The last administrator cannot step down.
    admin = world.la_admin.memberships.get()
    error(client.post(f"{MEMBERS}{admin.pk}/deactivate/"), 400)
    assert world.la_admin.memberships.get().is_active


def test_nobody_else_changes_memberships(world):
    membership = world.social_worker.memberships.get()
    for user in (world.manager, world.teacher, world.other_manager):
        client = api(user)
        error(client.post(MEMBERS, {"username": "x"}, format="json"), 404)
        error(client.post(f"{MEMBERS}{membership.pk}/role/", {"role": "manager"}), 404)
        error(client.post(f"{MEMBERS}{membership.pk}/deactivate/"), 404)
    # A membership of another agency, through this agency's routes.
    other = world.teacher.memberships.get()
    error(api(world.la_admin).post(f"{MEMBERS}{other.pk}/deactivate/"), 404)
    assert world.social_worker.memberships.get().is_active
    assert Membership.objects.get(pk=other.pk).is_active
