"""/healthz: 200 while the database answers (Redis down only degrades), 503 when it does not."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def test_healthz_is_ok_with_the_database_up_and_no_redis(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    body = response.json()
    assert set(body) == {"status", "database", "redis", "workers", "beat"}
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["redis"] == {"ok": True, "detail": "not configured (filesystem transport)"}
    assert body["workers"] == {"ok": None, "detail": "unknown (filesystem transport)"}
    assert body["beat"] == {"ok": None, "detail": "never seen"}


def test_healthz_answers_anonymous_head_requests(client, settings):
    settings.REDIS_URL = ""
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


def test_a_redis_outage_degrades_but_keeps_the_web_tier_in(client, settings):
    settings.REDIS_URL = UNREACHABLE_REDIS
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["database"]["ok"] is True
    assert body["redis"]["ok"] is False
    assert body["workers"]["ok"] is False
    # Public endpoint: the kind of failure, never the address or credentials.
    assert "127.0.0.1" not in response.content.decode()


def test_no_answering_worker_degrades(client, settings):
    settings.REDIS_URL = UNREACHABLE_REDIS
    with (
        mock.patch("safeguard.core.health.check_redis", return_value={"ok": True, "detail": "x"}),
        mock.patch("safeguard.celery.app.control.ping", return_value=[]) as ping,
    ):
        body = client.get("/healthz").json()
    ping.assert_called_once_with(timeout=1.0)
    assert body["status"] == "degraded"
    assert body["workers"]["ok"] is False


def test_an_answering_worker_is_ok(client, settings):
    settings.REDIS_URL = UNREACHABLE_REDIS
    with (
        mock.patch("safeguard.core.health.check_redis", return_value={"ok": True, "detail": "x"}),
        mock.patch(
            "safeguard.celery.app.control.ping", return_value=[{"celery@web": {"ok": "pong"}}]
        ),
    ):
        body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["workers"]["ok"] is True
    assert body["workers"]["count"] == 1


def test_healthz_is_503_when_the_database_does_not_answer(client, settings):
    settings.REDIS_URL = ""
    broken = mock.MagicMock()
    broken.cursor.side_effect = OperationalError("connection refused")
    with mock.patch("safeguard.core.health.connection", broken):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["database"] == {"ok": False, "detail": "unreachable (OperationalError)"}


def test_beat_and_worker_heartbeats_are_reported_with_their_age(client, settings):
    """The heartbeat task beat schedules, run by a worker, makes both show as alive."""
    from safeguard.notifications.tasks import heartbeat

    settings.REDIS_URL = ""
    heartbeat.delay()
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["beat"]["ok"] is True and body["beat"]["detail"] == "ok"
    assert body["beat"]["age_seconds"] < 5
    assert body["workers"]["ok"] is True
    assert body["workers"]["last_seen_seconds"] < 5


def test_a_stale_beat_degrades_but_keeps_the_web_tier_in(client, settings):
    import datetime as dt

    from django.utils import timezone

    from safeguard.notifications.models import Heartbeat

    settings.REDIS_URL = ""
    settings.HEARTBEAT_STALE_SECONDS = 180
    long_ago = timezone.now() - dt.timedelta(minutes=10)
    Heartbeat.objects.create(name="beat", seen_at=long_ago)
    Heartbeat.objects.create(name="worker", seen_at=long_ago)
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["beat"] == {"ok": False, "detail": "stale", "age_seconds": 600}
    assert body["workers"]["ok"] is False and body["workers"]["detail"] == "heartbeat stale"
