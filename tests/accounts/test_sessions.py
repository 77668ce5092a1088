"""Sessions are read with a statement compiled once per process
(safeguard.core.sessions): each request must still find its own person's
session, and none that has ended."""

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from tests.factories import World

pytestmark = pytest.mark.django_db


def _greeting(client: Client) -> str:
    response = client.get("/concerns/")
    assert response.status_code == 200
    page = response.content.decode()
    return page.split("Signed in as <strong>", 1)[1].split("</strong>", 1)[0]


def test_each_request_reads_its_own_persons_session():
    world = World()
    teacher, officer = Client(), Client()
    teacher.force_login(world.teacher)
    officer.force_login(world.officer)
    expected = {
        teacher: world.teacher.get_full_name() or world.teacher.username,
        officer: world.officer.get_full_name() or world.officer.username,
    }
    assert expected[teacher] != expected[officer]
    # Past the driver's prepare threshold, alternating: a value bound wrongly
    # would greet the first person on the second one's page.
    for _ in range(8):
        for client, name in expected.items():
            assert _greeting(client) == name


def test_a_session_that_has_ended_signs_the_person_out():
    world = World()
    client = Client()
    client.force_login(world.teacher)
    assert client.get("/concerns/").status_code == 200
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    response = client.get("/concerns/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")

    client.force_login(world.teacher)
    assert client.get("/concerns/").status_code == 200
    Session.objects.filter(session_key=client.session.session_key).delete()  # signed out elsewhere
    response = client.get("/concerns/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
