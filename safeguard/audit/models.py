"""The append-only, hash-chained access and audit log.

A row is written by ``audit_record`` in the caller's transaction with the
SHA-256 of its own content (``hashing.py``) and nothing else: no lock, so
audited requests never wait for each other. Within seconds a sealer (a beat
task, ``services.audit_seal``) gives each committed row, oldest first, the next
``position`` in the chain and an HMAC ``row_hash`` over the previous row's
hash, its content hash, its position and its id, with a key from the
environment. ``manage.py verify_audit`` checks the chain against signed
checkpoints kept outside the database.

No code path updates or deletes rows: ``save`` refuses an existing row, the
manager refuses bulk changes, and on PostgreSQL a trigger allows only the
sealer's one-time write of the chain fields and a redaction that blanks the
payload (migration 0003); the application's database role may update nothing
else (``scripts/db_roles.sql``).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.lookups import Overlap as ArrayOverlap
from django.db import connection, models

from safeguard.audit import hashing


class AgencySlugs(models.Func):
    """A row's ``agency_slugs`` as an array of slugs, as written in the index
    of them (``audit_agency_slugs_idx``, migration 0005): the comma is in the
    template, not a parameter, so the planner sees the index's own expression."""

    template = "string_to_array(%(expressions)s, ',')"
    output_field = ArrayField(models.TextField())


def acting_for(slugs: list[str]) -> models.Q:
    """Rows made by someone who, when they acted, belonged to one of the
    agencies ``slugs``.

    ``agency_slugs`` holds every agency of the actor, comma-joined and sorted
    (``services.audit_record``), so a person of two agencies is
    ``"la-csc,police"``: each slug is matched as one element of that list, never
    against the whole string (which missed them) and never as part of another
    slug (``school`` is not ``other-school``). Slugs hold no commas.

    On PostgreSQL that is the array of them overlapping ``slugs``, read off an
    index of the arrays: a school's auditor's rows are a few thousand of ten
    million, which a walk of the log in order would take seconds to find.
    """
    if connection.vendor == "postgresql":
        given = models.Value(list(slugs), output_field=ArrayField(models.TextField()))
        return models.Q(ArrayOverlap(AgencySlugs("agency_slugs"), given))
    match = models.Q(pk__in=[])
    for slug in slugs:
        match |= (
            models.Q(agency_slugs=slug)
            | models.Q(agency_slugs__startswith=f"{slug},")
            | models.Q(agency_slugs__endswith=f",{slug}")
            | models.Q(agency_slugs__contains=f",{slug},")
        )
    return match


class AuditQuerySet(models.QuerySet):
    def acting_for(self, slugs: list[str]) -> AuditQuerySet:
        return self.filter(acting_for(slugs))

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
    # Indexed only behind object_type (Meta.indexes): every lookup names the
    # type, and a column index of its own would be one more write per page.
    object_id = models.CharField(max_length=64, blank=True)
    object_reference = models.CharField(max_length=40, blank=True)
    case_id = models.UUIDField(null=True, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=500, blank=True)
    reason = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)
    # Written with the row (hashing.py).
    payload_hash = models.CharField(max_length=64, blank=True, default="")
    content_hash = models.CharField(max_length=64, blank=True, default="")
    # Written once by the sealer.
    position = models.BigIntegerField(null=True, blank=True, unique=True)
    previous_hash = models.CharField(max_length=64, blank=True, default="")
    # Unique by a constraint (Meta), not ``unique=True``: on PostgreSQL that also
    # builds a LIKE index nothing asks, which every page's row and every seal
    # would write to.
    row_hash = models.CharField(max_length=64, null=True, blank=True)
    key_id = models.CharField(max_length=32, blank=True, default="")
    sealed_at = models.DateTimeField(null=True, blank=True)
    # The unkeyed SHA-256 chain hash of a row written before the sealer existed.
    legacy_hash = models.CharField(max_length=64, blank=True, default="")
    # Set by a redaction that blanked the payload fields (hashing.PAYLOAD_FIELDS).
    redacted_at = models.DateTimeField(null=True, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["object_type", "object_id"], name="audit_audit_object__0e78a5_idx"
            ),
            # The sealer's queue: small, because rows leave it within seconds.
            models.Index(
                fields=["id"], condition=models.Q(position__isnull=True), name="audit_unsealed_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["row_hash"], name="audit_row_hash_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.event} {self.object_reference}"

    def save(self, *args, **kwargs):
        if self.pk is not None or not self._state.adding:
            raise PermissionError("The audit log is append-only.")
        self.fill_hashes()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit log is append-only.")

    def fill_hashes(self) -> None:
        """Set the content hashes; call before ``bulk_create`` (``save`` does it)."""
        self.payload_hash = hashing.payload_hash(self)
        self.content_hash = hashing.content_hash(self)

    def canonical(self) -> str:
        return hashing.canonical(self)

    @property
    def sealed(self) -> bool:
        return self.position is not None


class AuditChainHead(models.Model):
    """The sealer's bookkeeping, and the row its lock serialises sealers on.

    Only the sealer locks it, never a request. It is not trusted: verification
    reads the chain itself and the checkpoints outside the database.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64, default=hashing.GENESIS)
    last_position = models.BigIntegerField(default=0)
    sealed_at = models.DateTimeField(null=True, blank=True)
    checkpoint_position = models.BigIntegerField(default=0)
    checkpoint_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.last_position} {self.last_hash}"
