"""A real Celery worker on real Redis delivers the duty team's alert, once."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from safeguard.notifications.models import OutboundEmail
from tests.factories import World, submit_concern

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(tmp_path: Path):
    mail_dir = tmp_path / "mail"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "EMAIL_URL": "filemail://",
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    log = (tmp_path / "worker.log").open("w")
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
            "--hostname",
            f"test-{os.getpid()}@%h",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield mail_dir
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


def _wait_for(predicate, seconds: float = 45.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return False


def test_immediate_risk_alert_is_emailed_by_the_worker_once(worker):
    world = World()
    concern = submit_concern(world, immediate_risk=True, actions_taken="Called 999.")
    emails = OutboundEmail.objects.filter(notification__kind="immediate_risk")
    assert emails.count() == 2  # the lead agency's social worker and manager

    assert _wait_for(lambda: emails.filter(status="sent").count() == 2), list(
        emails.values_list("status", "last_error")
    )
    files = list(worker.glob("*.log"))
    text = "".join(f.read_text() for f in files)
    assert text.count(f"Subject: URGENT: Safeguard: {concern.reference}") == 2
    # E-mails carry a reference and a link, never case details.
    assert "Amelia" not in text and "Hart" not in text and "dad shouts" not in text

    # A second dispatch of the same rows (a retry, a sweep) sends nothing more.
    from safeguard.notifications.tasks import send_email

    for email in emails:
        send_email.apply_async(args=[str(email.pk)])
    time.sleep(3)
    text = "".join(f.read_text() for f in worker.glob("*.log"))
    assert text.count(f"Subject: URGENT: Safeguard: {concern.reference}") == 2
