"""Start and stop real Celery workers, beats and Redis servers for integration tests."""

from __future__ import annotations

import email
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.db import connection


def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def celery_env(mail_dir: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "tests.integration.worker_settings",
        "EMAIL_URL": "filemail://",
        "EMAIL_FILE_PATH": str(mail_dir),
        **extra,
    }


def start_celery(
    args: list[str], env: dict[str, str], log_path: Path, *, name: str
) -> subprocess.Popen:
    log = log_path.open("a")
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "safeguard", *args],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        # Its own process group, so stopping it stops the pool children too.
        start_new_session=True,
    )


def start_worker(env: dict[str, str], log_path: Path, *, name: str, concurrency: int = 1):
    pool = ["--pool=solo"] if concurrency == 1 else ["--pool=prefork", f"-c{concurrency}"]
    return start_celery(
        ["worker", *pool, "--loglevel=INFO", "--hostname", f"{name}-{os.getpid()}@%h"],
        env,
        log_path,
        name=name,
    )


def start_beat(env: dict[str, str], tmp_path: Path, *, name: str):
    return start_celery(
        [
            "beat",
            "--loglevel=INFO",
            "--schedule",
            str(tmp_path / f"{name}-schedule"),
            "--pidfile",
            str(tmp_path / f"{name}.pid"),
        ],
        env,
        tmp_path / f"{name}.log",
        name=name,
    )


def stop(process: subprocess.Popen, *, kill: bool = False) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGKILL if kill else signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def wait_for(predicate, seconds: float = 60.0, every: float = 0.5) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return False


def mailed(mail_dir: Path) -> list[email.message.Message]:
    """Every message the file backend wrote (one file per connection, messages split by dashes)."""
    messages = []
    for path in sorted(mail_dir.glob("*.log")):
        for chunk in path.read_text().split("-" * 79):
            if chunk.strip():
                messages.append(email.message_from_string(chunk.strip()))
    return messages


def count_by_recipient_and_subject(mail_dir: Path, prefix: str) -> Counter:
    return Counter(
        (m["To"], m["Subject"]) for m in mailed(mail_dir) if m["Subject"].startswith(prefix)
    )


class RedisServer:
    """A throwaway redis-server on its own port, to stop and start under a test."""

    def __init__(self, port: int, log_path: Path) -> None:
        self.port = port
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        log = self.log_path.open("a")
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--save", "", "--appendonly", "no"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        import redis

        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        assert wait_for(lambda: _pings(client), 10), "redis-server did not start"

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def _pings(client) -> bool:
    try:
        return bool(client.ping())
    except Exception:  # noqa: BLE001
        return False
