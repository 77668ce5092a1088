"""Every change retention makes: refreshing the review queue, legal holds,
extensions and destruction. One transaction per action; each locks the record
it checks (the child row, or the concern row for a concern on its own), so a
hold placed while someone confirms destruction is either in before the check
or waits for the destruction to finish and finds nothing to hold.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency
from cases.models import Case, Child, Concern
from retention import destruction
from retention.models import DestructionCertificate, LegalHold, RetentionExtension, RetentionReview
from retention.selectors import (
    Verdict,
    child_verdict,
    concern_verdict,
    due_children,
    due_concerns,
    retention_agencies_for,
)
from safeguard.audit.services import audit_record
from safeguard.core.references import next_reference

log = logging.getLogger(__name__)
REASON_MIN = 10
MAX_EXTENSION_YEARS = 100


# The review queue ------------------------------------------------------------------


def retention_refresh(*, today: dt.date | None = None) -> int:
    """Bring the queue up to date for every council: add what has come due,
    update what changed, drop what is no longer due. Safe to run twice or to
    stop half way: each council is one transaction, and its rows are upserted."""
    today = today or timezone.localdate()
    total = 0
    lead_agencies = Agency.objects.filter(kind=Agency.Kind.SOCIAL_CARE).order_by("slug")
    for agency in lead_agencies:
        total += _refresh_agency(agency, today)
    return total


def _refresh_agency(agency: Agency, today: dt.date) -> int:
    now = timezone.now()
    count = 0
    with transaction.atomic():
        batch: list[RetentionReview] = []
        sources = (("child", due_children(agency, today)), ("concern", due_concerns(agency, today)))
        for kind, rows in sources:
            for record_id, verdict in rows:
                batch.append(_review_row(agency, kind, record_id, verdict, now))
                if len(batch) >= 1000:
                    count += _upsert(batch)
                    batch = []
        count += _upsert(batch)
        # What was not seen in this run is no longer due (a new concern, a
        # reopened case, an extension).
        RetentionReview.objects.filter(agency=agency, refreshed_at__lt=now).delete()
    return count


def _review_row(agency, kind: str, record_id, verdict: Verdict, now) -> RetentionReview:
    assert verdict.due_on is not None
    return RetentionReview(
        agency=agency,
        child_id=record_id if kind == "child" else None,
        concern_id=record_id if kind == "concern" else None,
        rule=verdict.rule,
        due_on=verdict.due_on,
        held=verdict.held,
        refreshed_at=now,
    )


def _upsert(rows: list[RetentionReview]) -> int:
    if not rows:
        return 0
    for unique in ("child", "concern"):
        subset = [row for row in rows if getattr(row, f"{unique}_id") is not None]
        if subset:
            RetentionReview.objects.bulk_create(
                subset,
                update_conflicts=True,
                unique_fields=[unique],
                update_fields=["rule", "due_on", "held", "refreshed_at"],
            )
    return len(rows)


def _refresh_one(*, child: Child | None = None, concern: Concern | None = None) -> Verdict:
    """Recompute one record's queue row now, after an officer's action."""
    today = timezone.localdate()
    verdict = child_verdict(child) if child is not None else concern_verdict(concern)
    if child is not None:
        rows = RetentionReview.objects.filter(child=child)
    else:
        rows = RetentionReview.objects.filter(concern=concern)
    if verdict.is_due(today):
        agency = (child or concern).lead_agency
        kind = "child" if child is not None else "concern"
        _upsert([_review_row(agency, kind, (child or concern).pk, verdict, timezone.now())])
    else:
        rows.delete()
    return verdict


# Legal holds -----------------------------------------------------------------------


def _require_officer(user: AbstractBaseUser, agency: Agency) -> None:
    if not retention_agencies_for(user).filter(pk=agency.pk).exists():
        raise PermissionDenied("Not an information governance officer of this agency")


def _require_reason(reason: str, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN:
        raise ValidationError({field: f"Give the reason in at least {REASON_MIN} characters"})
    return reason


GONE = "This record no longer exists: it has been destroyed"


def _lock_child(child_id) -> Child:
    child = Child.objects.select_for_update().select_related("lead_agency").filter(pk=child_id)
    if not child:
        # Destroyed by someone else while this page was open.
        raise ValidationError(GONE)
    return child[0]


def _lock_target(target: Child | Case | Concern) -> tuple[Child | None, Concern | None]:
    """Lock the record a hold or a destruction is about: the child (for a child,
    its case or one of its concerns) or the concern that stands alone."""
    if isinstance(target, Child):
        return _lock_child(target.pk), None
    if isinstance(target, Case):
        return _lock_child(target.child_id), None
    concern = (
        Concern.objects.select_for_update()
        .select_related("lead_agency")
        .filter(pk=target.pk)
        .first()
    )
    if concern is None:
        raise ValidationError(GONE)
    if concern.child_id:
        return _lock_child(concern.child_id), None
    return None, concern


def legal_hold_place(
    *, acting_user: AbstractBaseUser, target: Child | Case | Concern, reason: str
) -> LegalHold:
    """Stop ``target``'s record being destroyed until the hold is lifted."""
    reason = _require_reason(reason)
    with transaction.atomic():
        child, concern = _lock_target(target)
        agency = (child or concern).lead_agency
        _require_officer(acting_user, agency)
        hold = LegalHold.objects.create(
            agency=agency,
            child=target if isinstance(target, Child) else None,
            case=target if isinstance(target, Case) else None,
            concern=target if isinstance(target, Concern) else None,
            reason=reason,
            placed_by=acting_user,
            placed_at=timezone.now(),
        )
        audit_record(
            user=acting_user,
            action="create",
            event="legal_hold_placed",
            obj=hold,
            case_id=target.pk if isinstance(target, Case) else None,
            reason=reason,
            detail={"record": target.reference},
        )
        _refresh_one(child=child, concern=concern)
    return hold


def legal_hold_lift(*, acting_user: AbstractBaseUser, hold: LegalHold, reason: str) -> LegalHold:
    reason = _require_reason(reason, "lift_reason")
    with transaction.atomic():
        target = hold.child or hold.case or hold.concern
        child, concern = _lock_target(target)
        hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
        _require_officer(acting_user, hold.agency)
        if hold.lifted_at is not None:
            raise ValidationError("This hold has already been lifted")
        hold.lifted_by, hold.lifted_at, hold.lift_reason = acting_user, timezone.now(), reason
        hold.save(update_fields=["lifted_by", "lifted_at", "lift_reason"])
        audit_record(
            user=acting_user,
            action="update",
            event="legal_hold_lifted",
            obj=hold,
            case_id=hold.case_id,
            reason=reason,
        )
        _refresh_one(child=child, concern=concern)
    return hold


# Extending ---------------------------------------------------------------------------


def retention_extend(
    *,
    acting_user: AbstractBaseUser,
    review: RetentionReview,
    retain_until: dt.date,
    reason: str,
) -> RetentionExtension:
    """Keep a record past its date, to ``retain_until``, for a reason on record."""
    reason = _require_reason(reason)
    today = timezone.localdate()
    if retain_until <= today:
        raise ValidationError({"retain_until": "The new date must be in the future"})
    if retain_until.year > today.year + MAX_EXTENSION_YEARS:
        raise ValidationError(
            {"retain_until": f"The new date must be within {MAX_EXTENSION_YEARS} years"}
        )
    with transaction.atomic():
        child, concern = _lock_target(review.child or review.concern)
        _require_officer(acting_user, (child or concern).lead_agency)
        extension = RetentionExtension.objects.create(
            child=child,
            concern=concern,
            retain_until=retain_until,
            reason=reason,
            extended_by=acting_user,
            extended_at=timezone.now(),
        )
        audit_record(
            user=acting_user,
            action="update",
            event="retention_extended",
            obj=child or concern,
            reason=reason,
            detail={"retain_until": retain_until.isoformat()},
        )
        _refresh_one(child=child, concern=concern)
    return extension


# Destroying --------------------------------------------------------------------------


def retention_destroy(
    *, acting_user: AbstractBaseUser, review: RetentionReview
) -> DestructionCertificate:
    """Destroy a record past its date, for good, and certify it.

    Refused while a legal hold stands or if the record is not (or no longer)
    due. Personal data and files go; the certificate and the audit trail (its
    payloads redacted, its chain intact) stay. The files are deleted after the
    transaction commits, so a failure leaves everything as it was.
    """
    with transaction.atomic():
        child, concern = _lock_target(review.child or review.concern)
        agency = (child or concern).lead_agency
        _require_officer(acting_user, agency)
        verdict = child_verdict(child) if child is not None else concern_verdict(concern)
        if verdict.held:
            raise ValidationError(
                "This record is under a legal hold: it cannot be destroyed until the hold is lifted"
            )
        today = timezone.localdate()
        if not verdict.is_due(today):
            why = "; ".join(verdict.blockers) or f"it is kept until {verdict.due_on:%-d %B %Y}"
            raise ValidationError(f"This record is not due for destruction: {why}")
        record = child or concern
        record_kind = "child" if child is not None else "concern"
        record_id, record_reference = record.pk, record.reference or ""
        certificate_id = uuid.uuid4()
        if child is not None:
            destroyed = destruction.destroy_child_record(child)
        else:
            destroyed = destruction.destroy_concern_record(concern)
        destruction.redact_audit(destroyed)
        certificate = DestructionCertificate.objects.create(
            id=certificate_id,
            reference=next_reference("DES"),
            agency=agency,
            record_kind=record_kind,
            record_id=record_id,
            record_reference=record_reference,
            case_ids=[str(i) for i in destroyed.case_ids],
            rule=verdict.rule,
            due_on=verdict.due_on,
            confirmed_by=acting_user,
            destroyed_at=timezone.now(),
            counts=dict(sorted(destroyed.counts.items())),
            files_deleted=len(destroyed.files),
            audit_rows_redacted=destroyed.audit_rows_redacted,
        )
        # Written after the redaction, so it keeps its own payload: the
        # certificate's reference and counts, nothing personal.
        audit_record(
            user=acting_user,
            action="update",
            event="record_destroyed",
            obj=certificate,
            detail={
                "record_kind": record_kind,
                "record_id": str(record_id),
                "rule": verdict.rule,
                "counts": certificate.counts,
            },
        )
        files = list(destroyed.files)
        transaction.on_commit(lambda: _delete_files(files))
    return certificate


def _delete_files(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            # The row is gone; a file left behind is found by its absence of a
            # row (and logged here for the operator), never served again.
            log.exception("Could not delete a destroyed record's file %s", name)
