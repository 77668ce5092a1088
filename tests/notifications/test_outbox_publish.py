"""E-mails are handed to the broker once per transaction, and a dead broker is
tried once, then left to the outbox sweep for a while.

The timing on real services is in tests/integration/test_broker_outage.py;
these check the shape that makes it hold: one publish per transaction,
whatever the number of recipients or of notify() calls.
"""

from __future__ import annotations

import pytest
from django.db import transaction

from safeguard import queue
from safeguard.notifications.models import OutboundEmail
from safeguard.notifications.services import notify
from tests.factories import World, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(monkeypatch):
    calls: list[list] = []

    def fake_publish(messages):
        calls.append(list(messages))
        return True

    monkeypatch.setattr(queue, "publish", fake_publish)
    # Earlier tests on this connection never commit (each rolls back), so ids
    # they gathered would ride along with this test's publish, as the ids of a
    # rolled-back transaction do in production: start from an empty batch.
    queue._pending().items.clear()
    return calls


def _people(world: World, n: int) -> list:
    return [make_user(f"practitioner{i}@school", world.school, "practitioner") for i in range(n)]


def test_one_publish_per_transaction_however_many_recipients_and_calls(
    published, django_capture_on_commit_callbacks
):
    world = World()
    people = _people(world, 150)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notify(recipients=people[:100], kind="a", dedupe_key="k1", title="First")
        notify(recipients=people[100:], kind="b", dedupe_key="k2", title="Second")
        notify(recipients=people[:10], kind="a", dedupe_key="k1", title="Again: no-op")
    assert len(published) == 1
    messages = published[0]
    # 150 e-mails, 100 to a message: two messages in the one publish.
    assert [len(args[0]) for _name, args, _options in messages] == [100, 50]
    sent_ids = {i for _name, args, _options in messages for i in args[0]}
    assert sent_ids == {str(pk) for pk in OutboundEmail.objects.values_list("pk", flat=True)}


def test_nothing_is_published_for_a_transaction_that_rolls_back(
    published, django_capture_on_commit_callbacks
):
    world = World()
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                notify(recipients=_people(world, 3), kind="a", dedupe_key="k", title="T")
                raise RuntimeError("the user's action failed")
        except RuntimeError:
            pass
    assert published == []
    assert not OutboundEmail.objects.exists()


def test_a_dead_broker_is_tried_once_then_left_to_the_sweep(settings):
    """Not eager, pointed at a port nothing listens on: the first publish
    fails fast, and the next ones within BROKER_RETRY_AFTER_SECONDS do not
    try at all (the outbox rows wait for the sweep)."""
    from safeguard.celery import app

    app.conf.task_always_eager = False
    previous = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:9/0"
    queue.forget_broker()
    attempts = []
    real = queue._new_connection

    def counting():
        attempts.append(1)
        return real()

    try:
        queue._new_connection = counting
        message = ("safeguard.notifications.tasks.send_emails", [["x"]], {})
        assert queue.publish([message]) is False
        assert queue.publish([message]) is False
        assert queue.publish([message, message]) is False
        assert len(attempts) == 1
        queue.breaker.reset()
        assert queue.publish([message]) is False
        assert len(attempts) == 2
    finally:
        queue._new_connection = real
        app.conf.broker_url = previous
        queue.forget_broker()
        app.conf.task_always_eager = True
