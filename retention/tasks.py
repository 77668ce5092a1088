"""Celery tasks for retention: thin wrappers over services, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from retention import services


@shared_task(acks_late=True)
def refresh_retention_review() -> int:
    """Refresh the review queue of records past their date (an upsert per
    council: a second run, or one after a killed worker, changes nothing)."""
    return services.retention_refresh()
