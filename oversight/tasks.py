"""Celery tasks for oversight: thin wrappers over services, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from oversight import caseloads, summary
from safeguard.queue import enqueue_on_commit

REFRESH_TASK = "oversight.tasks.refresh_compliance_figures"


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def refresh_compliance_figures(agency_ids: list[str] | None = None) -> int:
    """Count the lead agencies' timescale figures again (all of them, on the
    beat; or those a dashboard found never counted). Each agency is one
    transaction that replaces its figures whole under its refresh row's lock:
    a second run, a run beside it or one after a killed worker only counts
    again."""
    return summary.refresh(agency_ids)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def compact_open_case_counts() -> int:
    """Fold the open-case counts' appended rows into one per agency and
    worker (``oversight.caseloads.compact``): one statement, under a lock two
    runs take in turn; running it again finds one row a key and changes
    nothing."""
    return caseloads.compact()


def request_refresh(agencies) -> None:
    """Figures a dashboard (page or API) found never counted were counted
    live, slowly at scale: ask the worker for them, after the view's audit
    row commits."""
    enqueue_on_commit(REFRESH_TASK, [str(a.pk) for a in agencies])
