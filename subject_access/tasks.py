"""Celery tasks for subject access requests: thin wrappers, safe to run twice.

``render_subject_access_bundle`` runs on the ``pdf`` queue (CELERY_TASK_ROUTES),
beside the case summaries, for WeasyPrint's time and memory.
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from subject_access import bundle

log = logging.getLogger(__name__)

TOO_LONG_REASON = "The bundle took too long to produce. Tell your system administrator."


@shared_task(bind=True, acks_late=True, max_retries=2)
def render_subject_access_bundle(self, bundle_id: str) -> str:
    try:
        return bundle.bundle_render(bundle_id)
    except SoftTimeLimitExceeded:
        bundle.bundle_fail(bundle_id, TOO_LONG_REASON)
        return "failed: too long"
    except Exception as exc:
        if self.request.retries < self.max_retries:
            bundle.bundle_release(bundle_id)
            raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc
        log.exception("Subject access bundle %s could not be produced", bundle_id)
        bundle.bundle_fail(bundle_id, bundle.GAVE_UP_REASON)
        return "failed"


@shared_task(acks_late=True)
def sweep_subject_access_bundles() -> int:
    """Re-dispatch bundles whose message was lost (broker down, worker killed)."""
    return bundle.bundles_redispatch_stuck()
