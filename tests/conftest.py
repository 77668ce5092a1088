"""Test policy and shared fixtures.

Integration tests need PostgreSQL, Redis and a Celery worker; browser tests
need Debian's Chromium and the built front end. In CI (``CI`` set) nothing is
skipped: a missing service fails the run. On a laptop without them those tests
are skipped with the reason shown.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
IN_CI = bool(os.environ.get("CI"))

# Playwright's sync API runs an event loop in the test thread; Django would
# then refuse ORM calls from the test itself.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _integration_missing() -> str | None:
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return "needs PostgreSQL (set DATABASE_URL)"
    if not settings.REDIS_URL:
        return "needs Redis (set REDIS_URL)"
    try:
        import redis

        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1).ping()
    except Exception as exc:  # noqa: BLE001
        return f"Redis at REDIS_URL is not reachable ({type(exc).__name__})"
    return None


def _e2e_missing() -> str | None:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        return f"needs Debian's chromium at {CHROMIUM}"
    if not (ROOT / "static" / "build" / "app.css").exists():
        return "needs the built front end (npm run build)"
    if not (ROOT / "node_modules" / "axe-core" / "axe.min.js").exists():
        return "needs axe-core from npm (npm ci)"
    return None


def pytest_collection_modifyitems(config, items):
    checks = {"integration": _integration_missing, "e2e": _e2e_missing}
    reasons = {}
    for item in items:
        for marker, check in checks.items():
            if marker not in item.keywords:
                continue
            if marker not in reasons:
                reasons[marker] = check()
            reason = reasons[marker]
            if reason is None:
                continue
            if IN_CI:
                raise pytest.UsageError(f"CI runs every {marker} test, but this machine {reason}")
            item.add_marker(pytest.mark.skip(reason=f"{marker}: {reason}"))


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-quic",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems: list[str] = []
    # A page that breaks its own Content Security Policy, or throws, fails the test.
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("pageerror", lambda e: problems.append(str(e)))
    yield page
    context.close()
    # HTTP statuses are the tests' own business; scripts and CSP are this check's.
    assert not [p for p in problems if not p.startswith("Failed to load resource")], problems


@pytest.fixture(autouse=True)
def _lockout_only_where_tested(request, settings):
    """django-axes needs the request at sign-in, which the test client's login()
    does not pass; the browser tests and the lockout tests sign in for real."""
    if "e2e" not in request.keywords and "lockout" not in request.keywords:
        settings.AXES_ENABLED = False


@pytest.fixture(autouse=True)
def _two_factor_only_where_tested(request, settings):
    """Most tests are about what happens after sign-in; the two-factor tests
    switch it on as production has it."""
    if "two_factor" not in request.keywords:
        settings.TWO_FACTOR_REQUIRED = False


@pytest.fixture(autouse=True)
def _no_broker_in_unit_tests(request, settings):
    """Unit tests run tasks in-process; integration tests use the real worker."""
    if "integration" not in request.keywords:
        settings.CELERY_TASK_ALWAYS_EAGER = True
        from safeguard.celery import app

        app.conf.task_always_eager = True
        yield
        app.conf.task_always_eager = False
    else:
        yield
