import pytest

from safeguard.audit.models import AuditEvent
from tests.factories import PASSWORD, World

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


def sign_in(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_sign_in_and_out_are_recorded(client, world):
    response = sign_in(client, world.teacher.username, PASSWORD)
    assert response.status_code == 302
    client.post("/accounts/logout/")
    events = list(
        AuditEvent.objects.filter(username=world.teacher.username).values_list("event", flat=True)
    )
    assert events[-2:] == ["signed_in", "signed_out"]


def test_a_wrong_password_says_so_and_is_recorded(client, world):
    response = sign_in(client, world.teacher.username, "wrong")
    assert response.status_code == 200
    assert "Enter a correct username and password" in response.content.decode()
    failed = AuditEvent.objects.get(event="sign_in_failed")
    assert failed.detail == {"username": world.teacher.username}
    assert "wrong" not in failed.canonical()


@pytest.mark.lockout
def test_repeated_failures_lock_the_account(client, world, settings):
    settings.AXES_ENABLED = True
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, world.teacher.username, "guess")
    # Even the right password is refused while the lock lasts.
    response = sign_in(client, world.teacher.username, PASSWORD)
    assert response.status_code == 429
    assert "locked" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Other people signing in from the same office are not locked out.
    assert sign_in(client, world.social_worker.username, PASSWORD).status_code == 302


def test_security_headers(client, world):
    client.force_login(world.teacher)
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_an_idle_session_ends_and_an_active_one_does_not(client, world, settings):
    import time

    settings.SESSION_COOKIE_AGE = 2
    sign_in(client, world.teacher.username, PASSWORD)
    time.sleep(1.2)
    assert client.get("/concerns/").status_code == 200  # activity renews the timer
    time.sleep(1.2)
    assert client.get("/concerns/").status_code == 200
    time.sleep(2.5)
    response = client.get("/concerns/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.real_hasher
def test_passwords_are_stored_with_argon2(world):
    from django.contrib.auth import get_user_model

    world.teacher.set_password("a-long-enough-passphrase")
    world.teacher.save()
    stored = get_user_model().objects.get(pk=world.teacher.pk).password
    assert stored.startswith("argon2$argon2id$")
