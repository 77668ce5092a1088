"""/healthz: the state of the database, Redis and the workers, as JSON.

    {"status": "ok" | "degraded",
     "database": {"ok": true, "detail": "sqlite"},
     "redis":    {"ok": true, "detail": "..."},
     "workers":  {"ok": true | false | null, "detail": "...", "last_seen_seconds": 12},
     "beat":     {"ok": true | false | null, "detail": "ok" | "stale" | "never seen",
                  "age_seconds": 12}}

Workers answer a ping over Redis; on the filesystem transport (no broadcast)
they are judged by their heartbeat row instead. Beat is alive when the
``heartbeat`` task it schedules every minute has run lately (which also needs a
worker). "never seen" (null) is not a failure: a web tier may run before any
worker has; "stale" is.

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


def read_heartbeats() -> dict:
    try:
        from safeguard.notifications.heartbeat import heartbeats

        return heartbeats()
    except Exception:  # noqa: BLE001 - the database check reports the database
        return {}


def check_beat(seen: dict) -> dict:
    from safeguard.notifications.heartbeat import heartbeat_state

    return heartbeat_state("beat", seen)


def check_workers(*, redis_ok: bool, seen: dict | None = None) -> dict:
    seen = seen or {}
    if not settings.REDIS_URL:
        # The filesystem transport has no broadcast to answer a ping: the
        # worker's heartbeat row says whether one ran lately.
        from safeguard.notifications.heartbeat import heartbeat_state

        state = heartbeat_state("worker", seen)
        if state["ok"] is None:
            return {"ok": None, "detail": "unknown (filesystem transport)"}
        return {
            "ok": state["ok"],
            "detail": f"heartbeat {state['detail']}",
            "last_seen_seconds": state["age_seconds"],
        }
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
    state = {"ok": True, "detail": f"{len(replies)} answered", "count": len(replies)}
    if "worker" in seen:
        from safeguard.notifications.heartbeat import heartbeat_state

        state["last_seen_seconds"] = heartbeat_state("worker", seen)["age_seconds"]
    return state


@never_cache
@require_safe
@transaction.non_atomic_requests
def healthz(request: HttpRequest) -> JsonResponse:
    database = check_database()
    redis_state = check_redis()
    seen = read_heartbeats() if database["ok"] else {}
    workers = check_workers(redis_ok=bool(redis_state["ok"]), seen=seen)
    beat = check_beat(seen)
    healthy = (
        database["ok"]
        and redis_state["ok"]
        and workers["ok"] is not False
        and beat["ok"] is not False
    )
    return JsonResponse(
        {
            "status": "ok" if healthy else "degraded",
            "database": database,
            "redis": redis_state,
            "workers": workers,
            "beat": beat,
        },
        status=200 if database["ok"] else 503,
    )
