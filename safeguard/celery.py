"""The Celery app and the beat schedule.

Tasks only execute: the database holds the work to do (outbox and reminder
rows), so a lost message is recovered by the periodic sweeps rather than by
the broker, and a second beat only repeats work the unique keys make a no-op.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguard.settings")

app = Celery("safeguard")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["safeguard.notifications"])


@app.on_after_configure.connect
def _beat_schedule(sender, **kwargs) -> None:
    from django.conf import settings

    # Messages beat sends expire rather than pile up while no worker runs:
    # the next tick sends a fresh one.
    sender.conf.beat_schedule = {
        "notifications-redispatch-stuck": {
            "task": "safeguard.notifications.tasks.sweep_outbox",
            "schedule": settings.OUTBOX_SWEEP_SECONDS,
            "options": {"expires": settings.OUTBOX_SWEEP_SECONDS},
        },
        "reminders-sweep": {
            "task": "safeguard.notifications.tasks.sweep_reminders",
            "schedule": settings.REMINDER_SWEEP_SECONDS,
            "options": {"expires": settings.REMINDER_SWEEP_SECONDS},
        },
        "reminders-daily-digest": {
            "task": "safeguard.notifications.tasks.send_reminder_digests",
            "schedule": 15 * 60.0,
            "options": {"expires": 15 * 60.0},
        },
        # PDF case summaries (cases.summaries): the queued rows are the outbox.
        "cases-summaries-redispatch-stuck": {
            "task": "cases.tasks.sweep_case_summaries",
            "schedule": 60.0,
            "options": {"expires": 60.0},
        },
        "cases-summaries-delete-expired": {
            "task": "cases.tasks.expire_case_summaries",
            "schedule": 300.0,
            "options": {"expires": 300.0},
        },
        "heartbeat": {
            "task": "safeguard.notifications.tasks.heartbeat",
            "schedule": settings.HEARTBEAT_SECONDS,
            "options": {"expires": settings.HEARTBEAT_SECONDS},
        },
    }
