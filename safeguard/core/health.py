"""/healthz: the state of the database, Redis and the workers, as JSON.

Answers 200 while the database is up, even with Redis down: pages keep
working without Redis, so a load balancer must not take the web tier out for
it. 503 only when the database is unreachable.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache


def _database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # noqa: BLE001 - report any failure, never raise
        return {"ok": False, "detail": type(exc).__name__}


def _redis() -> dict:
    if not settings.REDIS_URL:
        return {"ok": True, "detail": "not configured: Celery uses the filesystem transport"}
    try:
        import redis

        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
        )
        client.ping()
        return {"ok": True}
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "detail": type(exc).__name__}


def _workers(redis_ok: bool) -> dict:
    if not settings.REDIS_URL:
        return {"ok": None, "detail": "not checked on the filesystem transport"}
    if not redis_ok:
        return {"ok": False, "detail": "broker unreachable"}
    try:
        from safeguard.celery import app

        replies = app.control.ping(timeout=1.0) or []
        return {"ok": bool(replies), "count": len(replies)}
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "detail": type(exc).__name__}


@never_cache
@transaction.non_atomic_requests
def healthz(request: HttpRequest) -> JsonResponse:
    database = _database()
    redis_state = _redis()
    workers = _workers(bool(redis_state["ok"]))
    healthy = database["ok"] and redis_state["ok"] and workers["ok"] is not False
    return JsonResponse(
        {
            "status": "ok" if healthy else "degraded",
            "database": database,
            "redis": redis_state,
            "workers": workers,
        },
        status=200 if database["ok"] else 503,
    )
