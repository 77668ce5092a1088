"""/healthz: the state of the database, Redis and the workers, as JSON.

    {"status": "ok" | "degraded",
     "database": {"ok": true, "detail": "sqlite"},
     "redis":    {"ok": true, "detail": "..."},
     "workers":  {"ok": true | false | null, "detail": "..."}}

HTTP 200 while the database answers, even with Redis or the workers down:
pages keep working without Redis (background work waits in the outbox), so a
load balancer must not take the web tier out for it. HTTP 503 only when the
database does not answer. Details name the kind of failure, never a host,
password or stack trace: the endpoint is public.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

TIMEOUT_SECONDS = 1.0


def _failure(exc: Exception) -> dict:
    return {"ok": False, "detail": f"unreachable ({type(exc).__name__})"}


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - report any failure, never raise
        return _failure(exc)
    return {"ok": True, "detail": connection.vendor}


def check_redis() -> dict:
    if not settings.REDIS_URL:
        return {"ok": True, "detail": "not configured (filesystem transport)"}
    try:
        import redis

        client = redis.Redis.from_url(
            settings.REDIS_URL,
            socket_connect_timeout=TIMEOUT_SECONDS,
            socket_timeout=TIMEOUT_SECONDS,
        )
        try:
            client.ping()
        finally:
            client.close()
    except Exception as exc:  # noqa: BLE001
        return _failure(exc)
    return {"ok": True, "detail": "ping answered"}


def check_workers(*, redis_ok: bool) -> dict:
    if not settings.REDIS_URL:
        # The filesystem transport has no broadcast to answer a ping.
        return {"ok": None, "detail": "unknown (filesystem transport)"}
    if not redis_ok:
        # A ping through a dead broker would retry for a long time: don't.
        return {"ok": False, "detail": "unknown: the broker is unreachable"}
    try:
        from safeguard.celery import app

        replies = app.control.ping(timeout=TIMEOUT_SECONDS) or []
    except Exception as exc:  # noqa: BLE001
        return _failure(exc)
    if not replies:
        return {"ok": False, "detail": "no worker answered", "count": 0}
    return {"ok": True, "detail": f"{len(replies)} answered", "count": len(replies)}


@never_cache
@require_safe
@transaction.non_atomic_requests
def healthz(request: HttpRequest) -> JsonResponse:
    database = check_database()
    redis_state = check_redis()
    workers = check_workers(redis_ok=bool(redis_state["ok"]))
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
