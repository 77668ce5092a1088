"""What the API tests of the case record share: a case the school and the
police take part in, and clients signed in as anyone."""

from __future__ import annotations

from rest_framework.test import APIClient

from cases import services
from cases.services.case import involvement_start
from safeguard.audit.models import AuditEvent
from tests.factories import World, open_case_from_concern, submit_concern


def case_world() -> World:
    world = World()
    world.case = open_case_from_concern(world, submit_concern(world))
    involvement_start(
        acting_user=world.social_worker,
        case=world.case,
        agency=world.police,
        level="involved",
        reason="added",
    )
    return world


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def end_police_involvement(world: World) -> None:
    involvement = world.case.involvements.get(agency=world.police, ended_at__isnull=True)
    services.case_end_involvement(
        acting_user=world.social_worker,
        involvement=involvement,
        reason="The police no longer work with the family",
    )


def audit_rows(event: str, user) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(event=event, username=user.username).order_by("id"))


def assert_error(response, status: int, *fields: str) -> dict:
    """The API's one error body, naming ``fields``."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) >= {"detail", "errors"}, body
    for field in fields:
        assert field in body["errors"], body
    return body
