"""Celery tasks for cases: thin wrappers over services, safe to run twice.

``render_case_summary`` runs on the ``pdf`` queue (``CELERY_TASK_ROUTES``),
served by workers with low concurrency and recycled children, because
WeasyPrint is slow and its memory grows with each render.
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from summaries import services as summaries
from summaries.pdf import summary_render

log = logging.getLogger(__name__)

TOO_LONG_REASON = (
    "The summary took too long to produce. Try a shorter date range for the chronology."
)


@shared_task(bind=True, acks_late=True, max_retries=2)
def render_case_summary(self, summary_id: str) -> str:
    try:
        return summary_render(summary_id=summary_id)
    except SoftTimeLimitExceeded:
        summaries.summary_fail(summary_id, TOO_LONG_REASON)
        return "failed: too long"
    except Exception as exc:
        if self.request.retries < self.max_retries:
            summaries.summary_release(summary_id)
            raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc
        log.exception("Case summary %s could not be rendered", summary_id)
        summaries.summary_fail(summary_id, summaries.GAVE_UP_REASON)
        return "failed"


@shared_task(acks_late=True)
def sweep_case_summaries() -> int:
    """Re-dispatch summaries whose message was lost (broker down, worker killed)."""
    return summaries.summaries_redispatch_stuck()


@shared_task(acks_late=True)
def expire_case_summaries() -> int:
    """Delete the files of summaries past their expiry."""
    return summaries.summaries_expire()
