"""Celery tasks for the CIN census: thin wrappers over services, safe to run twice."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from census import services

log = logging.getLogger(__name__)

TOO_LONG_REASON = "The return took too long to build. Tell your system administrator."


@shared_task(bind=True, acks_late=True, max_retries=2)
def build_census_return(self, return_id: str) -> str:
    try:
        return services.census_render(return_id)
    except SoftTimeLimitExceeded:
        services.census_fail(return_id, TOO_LONG_REASON)
        return "failed: too long"
    except Exception as exc:
        if self.request.retries < self.max_retries:
            services.census_release(return_id)
            raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc
        log.exception("CIN census return %s could not be built", return_id)
        services.census_fail(return_id, services.GAVE_UP_REASON)
        return "failed"


@shared_task(acks_late=True)
def sweep_census_returns() -> int:
    """Re-dispatch returns whose message was lost (broker down, worker killed)."""
    return services.census_redispatch_stuck()
