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
