"""The sealer on the beat schedule (``apps.py``): thin, idempotent, and safe
to run twice at once (``services.audit_seal`` takes the sealers' lock)."""

from __future__ import annotations

from celery import shared_task

from safeguard.audit.services import audit_seal


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def seal_audit_log() -> int:
    # A backlog (after an outage, say) is sealed over several runs, well
    # within the task time limit; each batch commits on its own.
    return audit_seal(max_seconds=120).sealed
