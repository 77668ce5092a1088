"""The Celery app; the beat schedule comes from the apps (``safeguard.beat``).

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
    # Read when beat starts its scheduler, after Django has loaded the apps
    # (Celery's Django fix-up), so every app's ready() has registered.
    from safeguard.beat import AppSchedule

    sender.conf.beat_schedule = AppSchedule()
