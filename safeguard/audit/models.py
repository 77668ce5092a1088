"""The append-only, hash-chained access and audit log.

Each row carries the SHA-256 of its own content and of the row before it, so an
edited, deleted or reordered row breaks the chain (``manage.py verify_audit``).
No code path updates or deletes rows: ``save`` refuses an existing row, the
manager refuses bulk changes, and on PostgreSQL a trigger refuses them too.
"""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.db import models


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):  # type: ignore[override]
        raise PermissionError("The audit log is append-only.")

    def delete(self):  # type: ignore[override]
        raise PermissionError("The audit log is append-only.")


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        LIST = "list", "Listed"
        CREATE = "create", "Created"
        UPDATE = "update", "Changed"
        TRANSITION = "transition", "Status changed"
        GRANT = "grant", "Access granted"
        REVOKE = "revoke", "Access ended"
        DOWNLOAD = "download", "Downloaded"
        LOGIN = "login", "Signed in"
        LOGOUT = "logout", "Signed out"
        LOGIN_FAILED = "login_failed", "Sign-in failed"

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True)
    agency_slugs = models.CharField(max_length=500, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    event = models.CharField(max_length=80, help_text="the domain event, e.g. concern_submitted")
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    object_reference = models.CharField(max_length=40, blank=True)
    case_id = models.UUIDField(null=True, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=500, blank=True)
    reason = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)
    previous_hash = models.CharField(max_length=64)
    row_hash = models.CharField(max_length=64, unique=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.event} {self.object_reference}"

    def save(self, *args, **kwargs):
        if self.pk is not None or not self._state.adding:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit log is append-only.")

    def canonical(self) -> str:
        return json.dumps(
            {
                "at": self.at.isoformat(),
                "user": self.user_id,
                "username": self.username,
                "agencies": self.agency_slugs,
                "action": self.action,
                "event": self.event,
                "object_type": self.object_type,
                "object_id": self.object_id,
                "object_reference": self.object_reference,
                "case_id": str(self.case_id) if self.case_id else None,
                "ip": self.ip_address,
                "path": self.path,
                "reason": self.reason,
                "detail": self.detail,
            },
            sort_keys=True,
            separators=(",", ":"),
            default=str,
        )

    def compute_hash(self) -> str:
        return hashlib.sha256((self.previous_hash + self.canonical()).encode()).hexdigest()


class AuditChainHead(models.Model):
    """One row holding the hash of the newest audit row; its lock orders writers."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return self.last_hash
