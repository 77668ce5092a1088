"""Agency administrators manage their agency's teams; nobody else can."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agencies.models import Team
from safeguard.audit.models import AuditEvent
from tests.factories import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


def test_an_administrator_adds_a_team_and_changes_its_members(client, world):
    client.force_login(world.la_admin)
    url = reverse("agency_teams", args=[world.la.slug])
    response = client.post(
        url,
        {
            "name": "Child protection team",
            "manager": world.manager.pk,
            "members": [world.social_worker.pk, world.manager.pk],
        },
    )
    assert response.status_code == 302
    team = Team.objects.get(agency=world.la)
    assert set(team.members.all()) == {world.social_worker, world.manager}
    page = client.get(url).content.decode()
    assert "Child protection team" in page
    edit = reverse("agency_team_edit", args=[world.la.slug, team.pk])
    client.post(edit, {"name": "Child protection team", "members": [world.manager.pk]})
    team.refresh_from_db()
    assert list(team.members.all()) == [world.manager] and team.manager is None
    events = AuditEvent.objects.filter(event__in=["team_created", "team_changed"])
    assert events.count() == 2


def test_bad_input_is_refused_next_to_the_field_and_kept(client, world):
    Team.objects.create(agency=world.la, name="Assessment team")
    client.force_login(world.la_admin)
    url = reverse("agency_teams", args=[world.la.slug])
    response = client.post(
        url, {"name": "assessment TEAM", "manager": world.manager.pk, "members": []}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "There is already a team with that name" in page
    assert 'value="assessment TEAM"' in page
    # A practitioner of another agency cannot be put in the team.
    response = client.post(url, {"name": "Duty", "members": [world.teacher.pk]})
    assert response.status_code == 400 and Team.objects.count() == 1


def test_only_the_agencys_administrators_reach_its_teams(client, world):
    team = Team.objects.create(agency=world.la, name="Assessment team")
    for user in [world.manager, world.social_worker, world.other_manager, world.auditor]:
        client.force_login(user)
        assert client.get(reverse("agency_teams", args=[world.la.slug])).status_code == 404
        edit = reverse("agency_team_edit", args=[world.la.slug, team.pk])
        assert client.post(edit, {"name": "Renamed"}).status_code == 404
    team.refresh_from_db()
    assert team.name == "Assessment team"
