"""A broker outage costs a page milliseconds, and the e-mails still go out once.

The README promises exactly what this measures: with Redis refusing
connections, adding an action that notifies 20 people answers within 100 ms of
the time the same page takes with Redis up; when Redis is back, the outbox
sweep sends each of those e-mails exactly once.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from pathlib import Path

import pytest
from django.utils import timezone

from safeguard import queue
from safeguard.celery import app
from safeguard.notifications.models import OutboundEmail
from tests.factories import PASSWORD, World, make_user, open_case_from_concern, submit_concern
from tests.integration.processes import (
    celery_env,
    count_by_recipient_and_subject,
    start_beat,
    start_worker,
    wait_for,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

RECIPIENTS = 20
TIMES = 7
CLOSED_PORT_URL = "redis://127.0.0.1:9/0"  # the discard port: nothing listens


def _point_broker_at(url: str) -> None:
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None
    # A fresh start each time: each request pays a failed publish (the worst
    # case), not the free pass the memory of the last failure gives.
    queue.forget_broker()


def _add_action(client, case, school, n: int) -> float:
    due = timezone.localdate() + dt.timedelta(days=14)
    started = time.monotonic()
    response = client.post(
        f"/cases/{case.pk}/actions/",
        {
            "description": f"Share attendance records ({n})",
            "agency": school.pk,
            "owner": "",
            "due_on_0": due.day,
            "due_on_1": due.month,
            "due_on_2": due.year,
        },
    )
    took = time.monotonic() - started
    assert response.status_code == 302, response.content[:800]
    return took


def test_redis_down_costs_an_action_for_20_people_under_100ms_and_mails_go_once(
    tmp_path: Path, processes, redis_6390, client
):
    world = World()
    case = open_case_from_concern(world, submit_concern(world))
    # The school is on the case (it raised the concern); an action for "anyone
    # there" tells all its practitioners: the teacher and 19 colleagues.
    for i in range(RECIPIENTS - 1):
        make_user(f"practitioner{i}@school", world.school, "practitioner")
    assert client.login(username=world.social_worker.username, password=PASSWORD)
    _add_action(client, case, world.school, 0)  # warm up: imports, templates, connection

    # Up and down alternate, so the load on a shared machine weighs on both
    # alike: down means the broker's port refuses, or the server is stopped.
    up, down = [], []
    live_url = app.conf.broker_url
    for n in range(1, TIMES + 1):
        up.append(_add_action(client, case, world.school, 2 * n - 1))
        _point_broker_at(CLOSED_PORT_URL)
        down.append(_add_action(client, case, world.school, 2 * n))
        _point_broker_at(live_url)
    redis_6390.stop()
    queue.breaker.reset()
    down.append(_add_action(client, case, world.school, 2 * TIMES + 1))
    assert not queue.publish([("safeguard.notifications.tasks.send_emails", [[]], {})])

    difference = statistics.median(down) - statistics.median(up)
    assert difference < 0.1, f"Redis up {up}, down {down}: {difference * 1000:.0f} ms slower"
    emails = OutboundEmail.objects.filter(notification__kind="action_assigned")
    actions = 2 * TIMES + 2
    assert emails.count() == RECIPIENTS * actions
    assert emails.filter(status="pending").count() == emails.count()  # no worker yet

    redis_6390.start()  # empty: whatever was published before the outage is gone too
    mail_dir = tmp_path / "mail"
    env = celery_env(
        mail_dir,
        REDIS_URL=redis_6390.url,
        OUTBOX_SWEEP_SECONDS="2",
        OUTBOX_PENDING_GRACE_SECONDS="1",
    )
    processes.append(start_worker(env, tmp_path / "worker.log", name="outage20"))
    processes.append(start_beat(env, tmp_path, name="beat"))
    assert wait_for(lambda: emails.filter(status="sent").count() == emails.count(), 120), (
        tmp_path / "worker.log"
    ).read_text()[-3000:]
    time.sleep(5)  # more sweeps: still nothing doubled

    subject = f"Safeguard: {case.reference}"
    counts = count_by_recipient_and_subject(mail_dir, subject)
    assert len(counts) == RECIPIENTS
    assert set(counts.values()) == {actions}, counts  # each action's e-mail, once each
    assert set(emails.values_list("attempts", flat=True)) == {1}
