"""`manage.py check --deploy` is clean with production settings (README, "Deploy")."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

from django.conf import settings

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "AUDIT_KEYS": "1:" + secrets.token_urlsafe(48),
    "ALLOWED_HOSTS": "safeguard.example.org",
    "SITE_URL": "https://safeguard.example.org",
    "SECURE_COOKIES": "true",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_PRELOAD": "true",
}


def test_deploy_check_passes_with_production_settings():
    env = {**os.environ, **PRODUCTION_ENV}
    # Set by tests/conftest.py for the browser tests; production never has it.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    # Whatever the surrounding shell says, production never runs the demo's settings.
    for name in ("TWO_FACTOR_REQUIRED", "CELERY_TASK_ALWAYS_EAGER"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout, result.stdout + result.stderr


def test_deploy_check_refuses_the_built_in_secret_key():
    env = {**os.environ, **PRODUCTION_ENV}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.pop("SECRET_KEY")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "ERROR"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "safeguard.E001" in result.stderr + result.stdout
    assert "SECRET_KEY is the built-in development default" in result.stderr + result.stdout
