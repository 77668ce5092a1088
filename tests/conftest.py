"""Test policy and shared fixtures.

Integration tests need PostgreSQL, Redis and a Celery worker; browser tests
need Debian's Chromium and the built front end. In CI (``CI`` set) nothing is
skipped: a missing service fails the run. On a laptop without them those tests
are skipped with the reason shown.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# CI=true (or any value but false/0/empty): nothing may be skipped.
IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]

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
    if not Path(CHROMIUM).exists():
        return f"needs Debian's chromium at {CHROMIUM} (apt-get install chromium)"
    if not (ROOT / "static" / "build" / "app.css").exists():
        return "needs the built front end in static/build/ (npm run build)"
    if not AXE.exists():
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
        # Debian's Chromium, never a downloaded one: do not run `playwright install`.
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
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


def assert_no_axe_violations(page) -> None:
    """Run axe-core (WCAG 2.2 A/AA) on the page as it is now; fail with each
    violation's id, help text and target nodes.

    axe is evaluated over the DevTools protocol, not with ``page.add_script_tag``:
    that inserts an inline <script>, which our Content Security Policy (no
    'unsafe-inline') rightly refuses. The one implementation lives in
    tests/e2e/helpers.py (``assert_accessible``).
    """
    from tests.e2e.helpers import assert_accessible

    assert_accessible(page)


@pytest.fixture
def axe():
    """``def test_x(page, axe): ...; axe(page)`` checks the page with axe-core."""
    return assert_no_axe_violations


@pytest.fixture(autouse=True)
def _fast_password_hashing(request, settings):
    """Argon2 is deliberately slow; tests sign in thousands of times. The
    production hasher is checked by tests marked ``real_hasher``."""
    if "real_hasher" not in request.keywords:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
