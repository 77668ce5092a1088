"""The oversight tests' year of work (``oversight_world.build``), built once per
module and handed to each test as its own copy.

Building it through the services takes two to three seconds, and some forty
tests read it: built for each, it was about a minute and a half of CI. Each
test still runs in its own savepoint inside the module's transaction, so what
one test changes in the database is gone for the next, and it gets a deep copy
of the objects as built, so what one test changed in memory is gone too. A test
that needs real commits (``transaction=True``) builds its own, in a module
without this fixture (the module's transaction would hold its rows back)."""

from __future__ import annotations

import copy

import pytest
from django.db import transaction
from django.test import override_settings

from tests.oversight.oversight_world import build

# What the function-scoped autouse fixtures of tests/conftest.py set for each
# test, set here for the build, which runs before any of them.
AS_EACH_TEST_HAS_IT = {
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "AXES_ENABLED": False,
    "TWO_FACTOR_REQUIRED": False,
    "CELERY_TASK_ALWAYS_EAGER": True,
}


@pytest.fixture(scope="module")
def _year_built(django_db_setup, django_db_blocker):
    from safeguard.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        with (
            django_db_blocker.unblock(),
            override_settings(**AS_EACH_TEST_HAS_IT),
            transaction.atomic(),
        ):
            yield build()
            transaction.set_rollback(True)
    finally:
        app.conf.task_always_eager = eager


@pytest.fixture
def year(_year_built, db):
    return copy.deepcopy(_year_built)
