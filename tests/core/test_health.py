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
    assert set(body) == {"status", "database", "redis", "workers"}
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["redis"] == {"ok": True, "detail": "not configured (filesystem transport)"}
    assert body["workers"] == {"ok": None, "detail": "unknown (filesystem transport)"}


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
