"""Reminders through real Celery workers and beats on real Redis and PostgreSQL.

Each reminder reaches each person once: when the sweep runs twice, when two
beats run at once, when a worker is killed in the middle of sending, and when
Redis goes away while someone saves a case.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from django.db import connection

from safeguard.notifications.models import OutboundEmail, ReminderDelivery
from tests.factories import PASSWORD, World, open_case_from_concern, submit_concern
from tests.integration.processes import (
    celery_env,
    count_by_recipient_and_subject,
    mailed,
    start_beat,
    start_worker,
    stop,
    wait_for,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

REMINDER = "Safeguard reminder: "


def concerns_awaiting_triage(world: World, n: int) -> list:
    """Submitted concerns: each decision is due the next working day, so today's
    sweep warns the front door's social worker about each one."""
    return [submit_concern(world, child_first_name=f"Child{i}") for i in range(n)]


def reminder_rows():
    return ReminderDelivery.objects.filter(kind="triage_decision")


def test_two_beats_at_once_deliver_each_due_reminder_once(tmp_path: Path, processes):
    world = World()
    concerns = concerns_awaiting_triage(world, 4)
    mail_dir = tmp_path / "mail"
    env = celery_env(
        mail_dir, REMINDER_SWEEP_SECONDS="1", OUTBOX_SWEEP_SECONDS="1", HEARTBEAT_SECONDS="1"
    )
    processes.append(start_worker(env, tmp_path / "worker.log", name="rem", concurrency=2))
    # Two schedulers, as after a botched deploy: each sends a sweep every second.
    processes.append(start_beat(env, tmp_path, name="beat-a"))
    processes.append(start_beat(env, tmp_path, name="beat-b"))

    def all_sent() -> bool:
        sent = OutboundEmail.objects.filter(
            status="sent", subject__startswith=REMINDER, to_address=world.social_worker.email
        )
        return sent.count() == 4

    assert wait_for(all_sent, 90), (tmp_path / "worker.log").read_text()[-3000:]
    time.sleep(6)  # several more sweeps from both beats
    for process in processes[1:]:
        stop(process)

    counts = count_by_recipient_and_subject(mail_dir, REMINDER)
    assert counts == {
        (world.social_worker.email, f"{REMINDER}{concern.reference}"): 1 for concern in concerns
    }
    assert reminder_rows().count() == 4
    assert reminder_rows().filter(status="sent").count() == 4
    # The beats' heartbeat shows in /healthz: both the beat and a worker are alive.
    from django.test import Client

    body = Client().get("/healthz").json()
    assert body["beat"]["ok"] is True and body["workers"]["ok"] is True


def test_two_sweeps_racing_on_postgresql_deliver_once():
    """Two schedulers' sweeps at the very same moment, on two connections."""
    from safeguard.notifications.reminder_sweep import reminders_sweep

    world = World()
    concerns_awaiting_triage(world, 30)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def sweep():
        try:
            barrier.wait()
            results.append(reminders_sweep())
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert sum(r.delivered for r in results) == 30
    assert reminder_rows().filter(status="sent").count() == 30
    emails = OutboundEmail.objects.filter(subject__startswith=REMINDER)
    assert emails.count() == 30
    assert emails.values("to_address", "subject").distinct().count() == 30


def test_a_worker_killed_while_sending_delivers_after_restart_without_duplicates(
    tmp_path: Path, processes
):
    from safeguard.notifications.reminder_sweep import reminders_sweep

    world = World()
    concerns = concerns_awaiting_triage(world, 3)
    mail_dir = tmp_path / "mail"

    # The first worker stalls inside the e-mail backend, as on a slow SMTP relay.
    slow = celery_env(mail_dir, SLOW_EMAIL_SECONDS="120")
    doomed = start_worker(slow, tmp_path / "worker-1.log", name="doomed")
    processes.append(doomed)
    assert reminders_sweep().delivered == 3  # in-app now; e-mails queued after commit

    emails = OutboundEmail.objects.filter(subject__startswith=REMINDER)
    assert wait_for(lambda: emails.filter(status="sending").exists(), 60), (
        tmp_path / "worker-1.log"
    ).read_text()[-3000:]
    stop(doomed, kill=True)  # SIGKILL in the middle of sending
    assert mailed(mail_dir) == []
    assert emails.filter(status="sent").count() == 0

    # Restarted, with beat: the outbox sweep finds the row claimed by the dead
    # worker (stuck past the threshold) and the ones it never reached.
    fast = celery_env(
        mail_dir,
        OUTBOX_SWEEP_SECONDS="1",
        OUTBOX_STUCK_SECONDS="5",
        OUTBOX_PENDING_GRACE_SECONDS="1",
        REMINDER_SWEEP_SECONDS="2",
    )
    processes.append(start_worker(fast, tmp_path / "worker-2.log", name="restarted"))
    processes.append(start_beat(fast, tmp_path, name="beat"))
    assert wait_for(lambda: emails.filter(status="sent").count() == 3, 90), list(
        emails.values_list("status", "claimed_at", "last_error")
    )
    time.sleep(4)  # more sweeps: still nothing doubled
    counts = count_by_recipient_and_subject(mail_dir, REMINDER)
    assert counts == {
        (world.social_worker.email, f"{REMINDER}{concern.reference}"): 1 for concern in concerns
    }


def test_redis_down_while_saving_a_case_keeps_the_page_and_sends_later(
    tmp_path: Path, processes, redis_6390, client
):
    world = World()
    case = open_case_from_concern(world, submit_concern(world))
    mail_dir = tmp_path / "mail"
    env = celery_env(
        mail_dir,
        REDIS_URL=redis_6390.url,
        OUTBOX_SWEEP_SECONDS="2",
        OUTBOX_PENDING_GRACE_SECONDS="1",
    )
    processes.append(start_worker(env, tmp_path / "worker.log", name="outage"))
    processes.append(start_beat(env, tmp_path, name="beat"))

    redis_6390.stop()
    assert client.login(username=world.manager.username, password=PASSWORD)
    started = time.monotonic()
    response = client.post(
        f"/cases/{case.pk}/allocate/", {"worker": world.social_worker.pk, "version": case.version}
    )
    took = time.monotonic() - started
    assert response.status_code == 302, response.content[:500]
    assert took < 5, f"the page waited {took:.1f}s on a dead broker"
    assert "Case allocated" in client.get(response["Location"]).content.decode()
    email = OutboundEmail.objects.get(notification__kind="allocation")
    assert email.status == "pending"  # kept in PostgreSQL, not lost with the message

    time.sleep(3)
    redis_6390.start()  # an empty Redis: the message the page tried to send is gone
    subject = f"Safeguard: {case.reference}"
    assert wait_for(
        lambda: OutboundEmail.objects.filter(pk=email.pk, status="sent").exists(), 120
    ), (tmp_path / "worker.log").read_text()[-3000:]
    time.sleep(3)
    counts = count_by_recipient_and_subject(mail_dir, subject)
    assert counts == {(world.social_worker.email, subject): 1}
