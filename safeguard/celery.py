"""The Celery app and the beat schedule.

Tasks only execute: the database holds the work to do (outbox rows), so a lost
message is recovered by the periodic sweep rather than by the broker.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguard.settings")

app = Celery("safeguard")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["safeguard.notifications"])

app.conf.beat_schedule = {
    "notifications-redispatch-stuck": {
        "task": "safeguard.notifications.tasks.sweep_outbox",
        "schedule": 60.0,
    },
}

# PDF case summaries (cases.summaries): the queued rows are the outbox.
app.conf.beat_schedule.update(
    {
        "cases-summaries-redispatch-stuck": {
            "task": "cases.tasks.sweep_case_summaries",
            "schedule": 60.0,
        },
        "cases-summaries-delete-expired": {
            "task": "cases.tasks.expire_case_summaries",
            "schedule": 300.0,
        },
    }
)
