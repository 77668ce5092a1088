"""Retention: the review queue of records past their date, legal holds,
officers' extensions and the certificates that outlive destroyed records.

A *record* in retention terms is either a child (their identity and every case,
concern and meeting about them, kept as one file) or a concern that never led
to a child's record. The queue (``RetentionReview``) holds only records whose
date has passed; a beat task refreshes it with set-based queries, and every
officer's action updates its row at once.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from agencies.models import Agency
from cases.models import Case, Child, Concern


class RetentionReview(models.Model):
    """A record past its retention date, waiting for an officer's decision."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    # Exactly one of the two: the record under review.
    child = models.OneToOneField(
        Child, null=True, blank=True, on_delete=models.CASCADE, related_name="retention_review"
    )
    concern = models.OneToOneField(
        Concern, null=True, blank=True, on_delete=models.CASCADE, related_name="retention_review"
    )
    rule = models.CharField(max_length=30)
    due_on = models.DateField()
    held = models.BooleanField(default=False)
    refreshed_at = models.DateTimeField()

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["agency", "due_on", "id"], name="retention_queue_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(child__isnull=True) ^ models.Q(concern__isnull=True),
                name="retention_review_one_record",
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule} due {self.due_on}"


class LegalHold(models.Model):
    """Stops a record's destruction (litigation, an inquiry, a complaint) until
    lifted. An active hold protects its record in the database too: the row it
    points at cannot be deleted while it exists."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    # Exactly one of the three.
    child = models.ForeignKey(
        Child, null=True, blank=True, on_delete=models.PROTECT, related_name="legal_holds"
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="legal_holds"
    )
    concern = models.ForeignKey(
        Concern, null=True, blank=True, on_delete=models.PROTECT, related_name="legal_holds"
    )
    reason = models.TextField()
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField()
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lift_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-placed_at"]
        indexes = [
            models.Index(
                fields=["agency", "placed_at"],
                condition=models.Q(lifted_at__isnull=True),
                name="retention_active_hold_idx",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(child__isnull=False, case__isnull=True, concern__isnull=True)
                    | models.Q(child__isnull=True, case__isnull=False, concern__isnull=True)
                    | models.Q(child__isnull=True, case__isnull=True, concern__isnull=False)
                ),
                name="legal_hold_one_record",
            )
        ]

    def __str__(self) -> str:
        return f"Legal hold {self.pk}"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None

    @property
    def reference(self) -> str:
        # What the audit log shows: the record's own reference, never a name.
        target = self.child or self.case or self.concern
        return getattr(target, "reference", "") or ""


class RetentionExtension(models.Model):
    """An officer's decision to keep a record past its date, to a new date, and why."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(
        Child, null=True, blank=True, on_delete=models.CASCADE, related_name="retention_extensions"
    )
    concern = models.ForeignKey(
        Concern,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="retention_extensions",
    )
    retain_until = models.DateField()
    reason = models.TextField()
    extended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    extended_at = models.DateTimeField()

    class Meta:
        ordering = ["-extended_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(child__isnull=True) ^ models.Q(concern__isnull=True),
                name="retention_extension_one_record",
            )
        ]

    def __str__(self) -> str:
        return f"Kept until {self.retain_until}"


class DestructionCertificate(models.Model):
    """What was destroyed, under which rule, on whose confirmation: the only
    thing left of a record, and it holds no personal data (ids and references
    are the system's own, counts are numbers)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(max_length=20, unique=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    record_kind = models.CharField(max_length=10)  # "child" or "concern"
    record_id = models.UUIDField()
    record_reference = models.CharField(max_length=40, blank=True)
    case_ids = models.JSONField(default=list, blank=True)
    rule = models.CharField(max_length=30)
    due_on = models.DateField()
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    destroyed_at = models.DateTimeField()
    counts = models.JSONField(default=dict)
    files_deleted = models.PositiveIntegerField(default=0)
    audit_rows_redacted = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-destroyed_at"]
        indexes = [models.Index(fields=["agency", "destroyed_at"])]

    def __str__(self) -> str:
        return self.reference
