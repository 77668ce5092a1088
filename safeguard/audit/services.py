"""Writing audit rows: always in the caller's transaction, always chained."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone

from safeguard.audit.context import current_request
from safeguard.audit.models import AuditChainHead, AuditEvent


def audit_record(
    *,
    user: AbstractBaseUser | AnonymousUser | None,
    action: str,
    event: str,
    obj: Any = None,
    case_id: uuid.UUID | None = None,
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one row. Runs inside the caller's transaction, so the row exists
    if and only if the change it describes was committed."""
    ctx = current_request.get()
    acting = user if user is not None and user.is_authenticated else None
    with transaction.atomic():
        AuditChainHead.objects.get_or_create(id=1)
        head = AuditChainHead.objects.select_for_update().get(id=1)
        row = AuditEvent(
            at=timezone.now(),
            user=acting,
            username=acting.get_username() if acting else "",
            agency_slugs=_agency_slugs(acting),
            action=action,
            event=event,
            object_type=obj._meta.model_name if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            object_reference=getattr(obj, "reference", "") or "",
            case_id=case_id,
            ip_address=ctx.ip_address,
            path=ctx.path,
            reason=reason,
            detail=detail or {},
            previous_hash=head.last_hash,
        )
        row.row_hash = row.compute_hash()
        row.save()
        head.last_hash = row.row_hash
        head.save(update_fields=["last_hash"])
    return row


# The audit app knows nothing of agencies: the agencies app registers how to
# name a user's agencies when it starts.
_agency_resolver: Callable[[Any], list[str]] | None = None


def register_agency_resolver(resolver: Callable[[Any], list[str]]) -> None:
    global _agency_resolver
    _agency_resolver = resolver


def _agency_slugs(user: Any) -> str:
    if user is None or _agency_resolver is None:
        return ""
    return ",".join(_agency_resolver(user))
