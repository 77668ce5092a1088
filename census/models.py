"""A CIN census return: the request, its progress, the XML and its checks.

The row in status ``queued`` is the outbox (as ``summaries.CaseSummary``): the
build task only executes it, and a periodic sweep hands rows whose message was
lost back to a worker.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from agencies.models import Agency


def census_upload_to(instance: CensusReturn, filename: str) -> str:
    # Nothing in the name says whose return it is or can be guessed from another.
    return f"census-returns/{timezone.now():%Y/%m}/{secrets.token_urlsafe(24)}.xml"


class CensusReturn(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        BUILDING = "building", "Being built"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="census_returns")
    # The census year by its first year: 2026 is 1 April 2026 to 31 March 2027.
    year_start = models.PositiveSmallIntegerField()
    la_code = models.CharField(max_length=3)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="per cent")
    progress_message = models.CharField(max_length=200, blank=True)
    failure_reason = models.CharField(max_length=300, blank=True)
    audit_reference = models.CharField(max_length=40, blank=True)
    file = models.FileField(upload_to=census_upload_to, blank=True, max_length=200)
    sha256 = models.CharField(max_length=64, blank=True)
    child_count = models.PositiveIntegerField(null=True, blank=True)
    schema_valid = models.BooleanField(null=True, blank=True)
    # What the checks found, kept with the return so the report is the one the
    # file was checked against: [{"message", "path"}], [{"rule", "type",
    # "message", "la_child_id", "case_reference", "case_id", "table", "field",
    # "value"}], and the data items the record cannot give yet.
    schema_errors = models.JSONField(default=list, blank=True)
    breaches = models.JSONField(default=list, blank=True)
    return_level_breaches = models.JSONField(default=list, blank=True)
    gaps = models.JSONField(default=list, blank=True)
    # Children whose record lacks an item the census needs, with where to fix it.
    needed = models.JSONField(default=list, blank=True)
    rules_checked = models.PositiveIntegerField(null=True, blank=True)
    rules_failed_to_run = models.JSONField(default=list, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    redispatched_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["agency", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"CIN census {self.year_label} for {self.agency_id} ({self.status})"

    @property
    def year_label(self) -> str:
        return f"{self.year_start}-{(self.year_start + 1) % 100:02d}"

    @property
    def reference(self) -> str:
        # What the audit log shows in its "Record" column.
        return f"CIN census {self.year_label}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.READY, self.Status.FAILED)

    @property
    def is_downloadable(self) -> bool:
        # Offered only once it is valid against the schema (SPEC 3.11).
        return self.status == self.Status.READY and bool(self.file) and bool(self.schema_valid)

    @property
    def error_count(self) -> int:
        return sum(1 for b in self.breaches if b.get("type") == "error")

    @property
    def query_count(self) -> int:
        return sum(1 for b in self.breaches if b.get("type") == "query")
