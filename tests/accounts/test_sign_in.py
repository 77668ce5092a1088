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


def sign_in_from(client, address, username, password):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


@pytest.mark.lockout
def test_attempts_during_a_lockout_do_not_extend_it(client, world, settings):
    import datetime as dt

    import time_machine

    settings.AXES_ENABLED = True
    start = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(settings.AXES_FAILURE_LIMIT):
            sign_in(client, world.teacher.username, "guess")
        # Someone keeps trying every few minutes, as an attacker holding the lock would.
        for _ in range(5):
            clock.shift(dt.timedelta(minutes=5))
            assert sign_in(client, world.teacher.username, "guess").status_code == 429
        # 30 minutes after the lock began it has lapsed, whatever was tried meanwhile.
        clock.move_to(start + dt.timedelta(minutes=31))
        assert sign_in(client, world.teacher.username, PASSWORD).status_code == 302


@pytest.mark.lockout
def test_a_lockout_from_elsewhere_does_not_lock_out_the_office(client, world, settings):
    settings.AXES_ENABLED = True
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in_from(client, "203.0.113.9", world.teacher.username, "guess")
    assert sign_in_from(client, "203.0.113.9", world.teacher.username, PASSWORD).status_code == 429
    # The teacher, signing in from school, is not locked out by the attacker's attempts.
    response = sign_in_from(client, "198.51.100.20", world.teacher.username, PASSWORD)
    assert response.status_code == 302


@pytest.mark.lockout
def test_a_lockout_tells_the_person_and_their_agency_administrator_once(
    client, world, settings, django_user_model
):
    from agencies.roles import Role
    from agencies.services import membership_add
    from safeguard.notifications.models import Notification

    settings.AXES_ENABLED = True
    admin = django_user_model.objects.create_user("admin@school", password=PASSWORD)
    membership_add(acting_user=None, user=admin, agency=world.school, role=Role.AGENCY_ADMIN)
    outsider = django_user_model.objects.create_user("admin@elsewhere", password=PASSWORD)
    membership_add(acting_user=None, user=outsider, agency=world.police, role=Role.AGENCY_ADMIN)
    for _ in range(settings.AXES_FAILURE_LIMIT + 3):
        sign_in(client, world.teacher.username, "guess")

    mine = Notification.objects.filter(recipient=world.teacher, kind="sign_in_locked")
    assert mine.count() == 1
    assert "locked" in mine.get().title
    told = Notification.objects.filter(kind="member_locked_out")
    assert list(told.values_list("recipient__username", flat=True)) == ["admin@school"]
    assert world.teacher.username in told.get().title
