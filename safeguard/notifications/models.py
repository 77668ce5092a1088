"""In-app notifications and the e-mail outbox.

PostgreSQL is the source of truth for work to do: a user action writes rows
here in its own transaction and Celery only executes them, so a broker outage
delays an e-mail but never loses it or fails the page.
"""

import uuid

from django.conf import settings
from django.db import models


class Notification(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40)
    # Idempotency: one notification per (recipient, key) however often a task runs.
    dedupe_key = models.CharField(max_length=200)
    title = models.CharField(max_length=200)
    reference = models.CharField(max_length=40, blank=True)
    link_path = models.CharField(max_length=300, blank=True)
    is_urgent = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], name="unique_notification_per_recipient"
            )
        ]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.title}"


class OutboundEmail(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Null for a daily digest, which lists many notifications in one e-mail.
    notification = models.OneToOneField(
        Notification, null=True, blank=True, on_delete=models.CASCADE, related_name="email"
    )
    to_address = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to_address} ({self.status})"


class ReminderDelivery(models.Model):
    """One reminder to one person: the unit of exactly-once delivery.

    The row is written by the sweep before anything is sent; its unique key
    (subject, kind, stage, due date, recipient) is what makes a second sweep,
    a retried task or a second beat a no-op. A moved due date is a new key, so
    it earns a new reminder; a completed item stops being swept, and its rows
    still pending are cancelled.
    """

    class Stage(models.TextChoices):
        WARNING = "warning", "Coming due"
        DUE = "due", "Due today"
        OVERDUE = "overdue", "Overdue"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        CANCELLED = "cancelled", "Cancelled"

    # Big integer ids: the sweep inserts in bulk and the table grows fastest of all.
    id = models.BigAutoField(primary_key=True)
    subject_key = models.CharField(max_length=100)
    kind = models.CharField(max_length=40)
    stage = models.CharField(max_length=10, choices=Stage.choices)
    due_on = models.DateField()
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_deliveries"
    )
    is_escalation = models.BooleanField(default=False)
    title = models.CharField(max_length=200)
    reference = models.CharField(max_length=40, blank=True)
    link_path = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Set when the person takes reminders as a daily digest: the digest e-mail
    # that listed this reminder (null until the digest goes).
    by_digest = models.BooleanField(default=False)
    digest = models.ForeignKey(
        "ReminderDigest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subject_key", "kind", "stage", "due_on", "recipient"],
                name="unique_reminder_delivery",
            )
        ]
        indexes = [
            models.Index(fields=["status", "id"]),
            models.Index(fields=["recipient", "by_digest", "digest"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.stage} {self.due_on} → {self.recipient_id} ({self.status})"


class ReminderDigest(models.Model):
    """One daily digest e-mail per person per day, however often the task runs."""

    id = models.BigAutoField(primary_key=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_digests"
    )
    day = models.DateField()
    email = models.OneToOneField(
        OutboundEmail, null=True, blank=True, on_delete=models.SET_NULL, related_name="digest"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recipient", "day"], name="unique_digest_per_day")
        ]

    def __str__(self) -> str:
        return f"Digest for {self.recipient_id} on {self.day}"


class NotificationPreference(models.Model):
    """How a person takes reminder e-mails. No row means immediately."""

    class ReminderEmail(models.TextChoices):
        IMMEDIATE = "immediate", "As each reminder comes due"
        DAILY_DIGEST = "daily_digest", "One e-mail a day listing them"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    reminder_email = models.CharField(
        max_length=20, choices=ReminderEmail.choices, default=ReminderEmail.IMMEDIATE
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user}: {self.reminder_email}"


class Heartbeat(models.Model):
    """When beat and the workers were last seen doing work, for /healthz."""

    name = models.CharField(max_length=100, primary_key=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.seen_at:%Y-%m-%d %H:%M:%S}"
