"""A PDF case summary: the request, its progress and the file it produced.

The row in status ``queued`` is the outbox: the render task is only its
executor, and a periodic sweep hands rows whose message was lost back to a
worker (ARCHITECTURE.md, "PostgreSQL is the source of truth for work to do").
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone

from cases.models import Case


def summary_upload_to(instance: CaseSummary, filename: str) -> str:
    # Not derived from the case, the child or the summary id: a leaked storage
    # listing or URL says nothing and cannot be guessed from another.
    return f"case-summaries/{timezone.now():%Y/%m}/{secrets.token_urlsafe(24)}.pdf"


# What an absent meeting or date stands for in the pending-request index.
NO_MEETING = uuid.UUID(int=0)
NO_DATE = dt.date(1, 1, 1)


class CaseSummary(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RENDERING = "rendering", "Being produced"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    class Purpose(models.TextChoices):
        CASE = "case", "Case summary"
        # Meetings (cases/meetings*) will request packs for their invitees.
        MEETING_PACK = "meeting_pack", "Meeting pack"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="summaries")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField(max_length=20, choices=Purpose.choices, default=Purpose.CASE)
    # A plain id, not a foreign key, until the meeting models land: the
    # meetings work turns this into a relation when it wires meeting packs.
    meeting_id = models.UUIDField(null=True, blank=True)
    date_from = models.DateField(null=True, blank=True)
    date_to = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    failure_reason = models.CharField(max_length=300, blank=True)
    # The audit row of the request: printed in the footer so a paper copy leads
    # back to who asked for it and when.
    audit_reference = models.CharField(max_length=40, blank=True)
    file = models.FileField(upload_to=summary_upload_to, blank=True, max_length=200)
    sha256 = models.CharField(max_length=64, blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # When the sweep last handed a queued row out again: a long queue behind a
    # busy worker is not re-sent every minute.
    redispatched_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        db_table = "cases_casesummary"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["case", "requested_by", "created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(date_to__isnull=True)
                | models.Q(date_from__isnull=True)
                | models.Q(date_to__gte=models.F("date_from")),
                name="summary_range_ends_after_it_starts",
            ),
            # A double click (or two tabs) asking for the same summary while the
            # first is still being made is one request: the second insert fails
            # here and ``summary_request`` returns the first. Absent dates and
            # meeting are compared as equal (COALESCE), unlike NULLs in an index.
            models.UniqueConstraint(
                "case",
                "requested_by",
                "purpose",
                Coalesce(
                    "meeting_id", models.Value(uuid.UUID(int=0)), output_field=models.UUIDField()
                ),
                Coalesce(
                    "date_from", models.Value(dt.date(1, 1, 1)), output_field=models.DateField()
                ),
                Coalesce(
                    "date_to", models.Value(dt.date(1, 1, 1)), output_field=models.DateField()
                ),
                condition=models.Q(status__in=["queued", "rendering"]),
                name="one_pending_summary_per_request",
            ),
        ]
        verbose_name_plural = "case summaries"

    def __str__(self) -> str:
        return f"Summary of {self.case_id} ({self.status})"

    @property
    def reference(self) -> str:
        # What the audit log shows in its "Record" column: the case's reference.
        return self.case.reference

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_downloadable(self) -> bool:
        return self.status == self.Status.READY and bool(self.file) and not self.is_expired

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.READY, self.Status.FAILED)
