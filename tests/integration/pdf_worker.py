"""A real Celery worker for the "pdf" queue, on the test database and Redis,
for tests that watch a case summary being rendered by a separate process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection


def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@contextmanager
def pdf_worker(tmp_path: Path, media_root: str) -> Iterator[Path]:
    """Start a solo worker consuming ``pdf`` (as the pdf-worker service does)
    that stores files where the test's web server reads them; yield its log."""
    log_path = tmp_path / "pdf-worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "MEDIA_ROOT": media_root,
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "safeguard",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "-Q",
                "pdf",
                "--hostname",
                f"pdf-test-{os.getpid()}@%h",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield log_path
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
