"""Settings for the processes the restore drill starts (migrate, seed_demo, the
probe, and backup.sh / restore.sh's own manage.py calls): the project's own,
with Celery's queue in memory, so what seeding and uploading queue goes nowhere
rather than to the Redis that other integration tests' workers consume, or to
the checkout's var/celery."""

from safeguard.settings import *  # noqa: F403

CELERY_BROKER_URL = "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
