import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from safeguard.audit.models import AuditEvent
from tests.factories import PASSWORD, World

pytestmark = [pytest.mark.django_db, pytest.mark.two_factor]


@pytest.fixture
def world(settings):
    settings.TWO_FACTOR_REQUIRED = True
    return World()


def sign_in(client, user):
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return response


def code_for(user) -> str:
    device = TOTPDevice.objects.get(user=user)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_first_sign_in_sets_up_an_authenticator_then_every_sign_in_asks_for_a_code(client, world):
    sign_in(client, world.social_worker)
    response = client.get("/cases/")
    assert response.status_code == 302 and response["Location"].startswith(
        "/accounts/two-factor/setup/"
    )
    page = client.get(response["Location"])
    assert "Set up two-factor sign-in" in page.content.decode() and "<svg" in page.content.decode()

    wrong = client.post("/accounts/two-factor/setup/", {"code": "000000", "next": "/cases/"})
    assert "The code is not right" in wrong.content.decode()
    # Each failure makes the next try wait a little longer (throttling); skip the wait.
    TOTPDevice.objects.get(user=world.social_worker).throttle_reset()
    right = client.post(
        "/accounts/two-factor/setup/", {"code": code_for(world.social_worker), "next": "/cases/"}
    )
    assert right["Location"] == "/cases/"
    assert client.get("/cases/").status_code == 200
    assert AuditEvent.objects.filter(
        event="two_factor_set_up", username=world.social_worker.username
    ).exists()

    client.post("/accounts/logout/")
    sign_in(client, world.social_worker)
    response = client.get("/cases/")
    assert response["Location"].startswith("/accounts/two-factor/?next=")
    # A wrong code is refused.
    assert "not right" in client.post("/accounts/two-factor/", {"code": "123456"}).content.decode()
    device = TOTPDevice.objects.get(user=world.social_worker)
    device.last_t = -1  # let the test reuse the current time step
    device.save()
    device.throttle_reset()
    ok = client.post(
        "/accounts/two-factor/", {"code": code_for(world.social_worker), "next": "/cases/"}
    )
    assert ok["Location"] == "/cases/"


def test_roles_without_case_data_do_not_need_it(client, world):
    sign_in(client, world.la_admin)
    assert client.get("/").status_code == 200


def test_the_api_needs_it_for_sessions_but_not_for_issued_tokens(client, world):
    sign_in(client, world.teacher)
    response = client.get("/api/v1/concerns/")
    assert response.status_code == 403 and "Two-factor" in response.json()["detail"]
    key = Token.objects.create(user=world.teacher).key
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/concerns/").status_code == 200


def test_next_cannot_send_people_elsewhere(client, world):
    sign_in(client, world.teacher)
    client.get("/accounts/two-factor/setup/")
    response = client.post(
        "/accounts/two-factor/setup/",
        {"code": code_for(world.teacher), "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_a_token_cannot_be_issued_without_two_factor(client, world):
    sign_in(client, world.teacher)
    response = client.post("/accounts/profile/", {"action": "issue"})
    assert response.status_code == 302 and "/accounts/two-factor/" in response["Location"]
    assert not Token.objects.filter(user=world.teacher).exists()


def test_profile_issues_and_revokes_a_token(client, world, settings):
    settings.TWO_FACTOR_REQUIRED = False
    sign_in(client, world.teacher)
    response = client.post("/accounts/profile/", {"action": "issue"})
    key = Token.objects.get(user=world.teacher).key
    assert key in response.content.decode()
    assert AuditEvent.objects.filter(
        event="api_token_issued", username="practitioner@school"
    ).exists()
    client.post("/accounts/profile/", {"action": "revoke"})
    assert not Token.objects.filter(user=world.teacher).exists()
