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
from hypothesis import Phase
from hypothesis import settings as hypothesis_settings

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

# Hypothesis (tests/test_access_model.py): random, never derandomized, and a
# failure prints how to replay it (the @reproduce_failure blob and the seed).
# Tests set their own example counts; a profile only says how failures report.
# HYPOTHESIS_PROFILE=dev keeps the example database between local runs.
hypothesis_settings.register_profile(
    "ci", print_blob=True, derandomize=False, database=None, deadline=None
)
hypothesis_settings.register_profile("dev", print_blob=True, derandomize=False, deadline=None)
# No shrinking: the first failing sequence as found, for a quick look on a busy machine.
hypothesis_settings.register_profile(
    "no-shrink",
    parent=hypothesis_settings.get_profile("dev"),
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if IN_CI else "dev"))


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


def _postgres_missing() -> str | None:
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return "needs PostgreSQL (set DATABASE_URL)"
    return None


def _e2e_missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"needs Debian's chromium at {CHROMIUM} (apt-get install chromium)"
    if not (ROOT / "static" / "build" / "app.css").exists():
        return "needs the built front end in static/build/ (npm run build)"
    if not AXE.exists():
        return "needs axe-core from npm (npm ci)"
    return None


def _xdist_group(item) -> str | None:
    """Which tests must share one pytest-xdist worker (``--dist loadgroup``)."""
    if "integration" in item.keywords:
        # One at a time: they share Redis db REDIS_URL and
        # Celery's queues, so two at once would take each other's messages.
        return "integration"
    fixtures = getattr(item, "_fixtureinfo", None)
    for defs in fixtures.name2fixturedefs.values() if fixtures else ():
        # The project's own module-scoped fixtures (plugins' have no baseid) are
        # built once per worker, so their module stays on one worker.
        if any(d.baseid and d.scope in ("module", "class", "package") for d in defs):
            return item.module.__name__
    return None


# tryfirst: the groups must be marked before pytest-xdist reads them, and this
# order (integration first) before pytest-django sorts its categories stably.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    checks = {
        "integration": _integration_missing,
        "postgres": _postgres_missing,
        "e2e": _e2e_missing,
    }
    reasons = {}
    # The integration group is the longest unit of work: among the transactional
    # tests (pytest-django runs them after the others) it goes first.
    items.sort(key=lambda item: "integration" not in item.keywords)
    for item in items:
        group = _xdist_group(item)
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))
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


@pytest.hookimpl(tryfirst=True)
def pytest_collection_finish(session):
    """On a pytest-xdist worker with ``--dist loadgroup``, make sure each test's
    node id carries its group, which is how the controller learns the groups.

    pytest-xdist 3.8 appends ``@group`` by assigning ``item._nodeid``, which
    pytest 9.2's structured node ids no longer read (pytest-xdist issue #1386):
    the groups are then silently ignored and the integration tests would run at
    the same time. Until that is fixed this appends the suffix itself, and
    refuses to run if it cannot.
    """
    if not getattr(session.config.option, "loadgroup", False):
        return
    for item in session.items:
        names = {
            m.args[0] if m.args else m.kwargs.get("name", "default")
            for m in item.iter_markers("xdist_group")
        }
        if not names:
            continue
        suffix = "@" + "_".join(sorted(map(str, names)))
        if item.nodeid.endswith(suffix):
            continue  # pytest-xdist managed it
        if hasattr(item, "_id"):
            item._id = type(item._id).parse(item.nodeid + suffix)
        else:
            item._nodeid = item.nodeid + suffix
        if not item.nodeid.endswith(suffix):
            raise pytest.UsageError(
                f"cannot give {item.nodeid} its pytest-xdist group {suffix[1:]}: "
                "run with PYTEST_WORKERS=0, or fix tests/conftest.py"
            )


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


@pytest.fixture(scope="session", autouse=True)
def _media_root(tmp_path_factory):
    """Files the tests store (the demo's documents among them) go to a folder
    of this session's, never the checkout's var/media; a test that needs its
    own sets ``settings.MEDIA_ROOT`` as before."""
    from django.test import override_settings

    with override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media"))):
        yield


@pytest.fixture(scope="session")
def _demo_snapshot(django_db_setup, django_db_blocker):
    """Northshire seeded once for this test database (per xdist worker), on
    PostgreSQL; None on SQLite. Built the first time a test asks for it,
    between tests."""
    from tests.demo_snapshot import Snapshot, can_snapshot

    with django_db_blocker.unblock():
        snapshot = Snapshot.build() if can_snapshot() else None
    yield snapshot
    if snapshot is not None:
        from django.db import connection

        with django_db_blocker.unblock():
            snapshot.drop()
            # Closed here, not left to the test database's teardown: by now
            # ``connection`` may be another object than the one pytest-django
            # closes before dropping the database (an open session made that
            # drop fail with "is being accessed by other users").
            connection.close()


@pytest.fixture
def seed_demo(_demo_snapshot):
    """``seed_demo()`` leaves the database as ``call_command("seed_demo")`` would,
    with the settings as they are when it is called, but from a copy made once
    (tests/demo_snapshot.py): seeding takes ~12 s, the copy well under one.
    With another DEMO_PASSWORD or hasher than the copy's, or on SQLite, it runs
    the command itself."""
    from django.core.management import call_command

    from tests import demo_snapshot

    def seed() -> None:
        if _demo_snapshot is not None and demo_snapshot.matches_snapshot():
            _demo_snapshot.restore()
        else:
            call_command("seed_demo", verbosity=0)

    seed.password = demo_snapshot.PASSWORD  # the copy's: set DEMO_PASSWORD to it to use the copy
    return seed


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    result = yield
    if "seed_demo" in getattr(item, "fixturenames", ()):
        # A rolled-back copy takes its content type ids with it; forget them.
        from django.contrib.contenttypes.models import ContentType

        ContentType.objects.clear_cache()
    return result


@pytest.fixture(autouse=True)
def _fast_password_hashing(request, settings):
    """Argon2 is deliberately slow; tests sign in thousands of times. The
    production hasher is checked by tests marked ``real_hasher``."""
    if "real_hasher" not in request.keywords:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _nobody_remembered_as_seeing_many():
    """Each test finds out afresh who sees many cases (a process remembers it:
    cases.selectors.many); user ids recur between tests."""
    from cases.selectors.many import forget_many

    forget_many()


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
