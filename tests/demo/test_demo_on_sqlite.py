"""``make run`` serves the demo from SQLite, which CI's PostgreSQL never
exercises: a query SQLite refuses (an ORDER BY inside a UNION, once) would
break the demo's lists with nobody told. So: migrate and seed a SQLite
database in a process of its own, and open every list, search and a case and
meeting page as each kind of demo user. No page may answer with a server error.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

WALK = textwrap.dedent(
    """
    import django
    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from cases.models import Case
    from django.utils import timezone
    from meetings.models import Meeting

    settings.ALLOWED_HOSTS = ["*"]
    month = f"{timezone.localdate():%Y-%m}"
    case, meeting = Case.objects.first(), Meeting.objects.first()
    urls = [
        "/", "/cases/", "/cases/?allocated=unallocated", "/concerns/", "/meetings/",
        "/front-door/", "/search/?q=Hart", "/search/?q=NS1", "/notifications/",
        f"/cases/{case.pk}/", f"/meetings/{meeting.pk}/", "/census/", "/audit/",
        "/dashboard/", "/dashboard/cases/?worker=none", "/dashboard/conferences/",
        *(f"/dashboard/timescales/{m}/?month={month}" for m in
          ("triage", "assessments", "icpcs", "core-groups", "reviews", "visits")),
    ]
    people = [
        "social_worker@northshire-csc", "manager@northshire-csc", "chair@northshire-csc",
        "auditor@northshire-csc", "practitioner@hillside-primary",
        "practitioner@northshire-police", "agency_admin@northshire-police",
    ]
    failed = []
    for name in people:
        client = Client(raise_request_exception=False)
        client.force_login(get_user_model().objects.get(username=name))
        for url in urls:
            status = client.get(url).status_code
            if status >= 500:
                failed.append(f"{name} {url} {status}")
    print("\\n".join(failed) or "ok")
    """
)


@pytest.mark.timeout(600)
def test_the_make_run_demo_serves_every_list_on_sqlite(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "PYTHONPATH", "CI")
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        DJANGO_SETTINGS_MODULE="safeguard.settings",
        MEDIA_ROOT=str(tmp_path / "media"),
    )

    def run(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        return done.stdout

    run("manage.py", "migrate", "--no-input", "-v0")
    run("manage.py", "seed_demo", "-v0")
    assert run("-c", WALK).strip().splitlines()[-1] == "ok"
