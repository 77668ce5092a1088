"""Subject access requests (SPEC 3.9): every change an officer makes, one
transaction each, each on the audit log.

Logging the request, checking the requester's identity (required before
anything is gathered), extending the deadline, gathering, each redaction,
asking for the bundle, downloading it and recording what was sent.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency
from cases.models import Child, HouseholdMember
from safeguard.audit.services import audit_record
from safeguard.core.references import next_reference
from safeguard.queue import enqueue
from subject_access import deadlines
from subject_access.gathering import gather
from subject_access.models import (
    SubjectAccessBundle,
    SubjectAccessItem,
    SubjectAccessRedaction,
    SubjectAccessRequest,
)
from subject_access.selectors import household_adults, ig_agencies_for

log = logging.getLogger(__name__)

# By name, not by import: the tasks module imports the rendering, which imports this.
RENDER_TASK = "subject_access.tasks.render_subject_access_bundle"
Status = SubjectAccessRequest.Status


def _may_work(user: AbstractBaseUser, agency_id) -> None:
    if not ig_agencies_for(user).filter(pk=agency_id).exists():
        raise PermissionDenied("You do not work this authority's subject access requests.")


def _locked(user: AbstractBaseUser, sar: SubjectAccessRequest) -> SubjectAccessRequest:
    """The request, locked for this change, after checking who is changing it."""
    _may_work(user, sar.agency_id)
    return SubjectAccessRequest.objects.select_for_update().get(pk=sar.pk)


def _audit(user, event: str, sar: SubjectAccessRequest, *, action="update", **detail):
    return audit_record(
        user=user,
        action=action,
        event=event,
        obj=sar,
        detail={"request": str(sar.pk), **detail},
    )


def _not_sent(sar: SubjectAccessRequest) -> None:
    if sar.is_sent:
        raise ValidationError("This request has been answered: it can no longer change.")


# Logging and the clock -------------------------------------------------------------


@transaction.atomic
def sar_log(
    *,
    acting_user: AbstractBaseUser,
    agency: Agency,
    child: Child,
    household_member: HouseholdMember | None,
    requester_name: str,
    requester_relationship: str,
    requester_contact: str,
    received_on: dt.date,
) -> SubjectAccessRequest:
    """Log a request about ``child`` or an adult of the child's household."""
    _may_work(acting_user, agency.pk)
    if child.lead_agency_id != agency.pk:
        raise PermissionDenied("That child's record is held by another authority.")
    if (
        household_member is not None
        and not household_adults(child).filter(pk=household_member.pk).exists()
    ):
        raise ValidationError({"subject": "Choose an adult of this child's household"})
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": "The date received must be today or in the past"})
    sar = SubjectAccessRequest.objects.create(
        reference=next_reference("SAR"),
        agency=agency,
        child=child,
        household_member=household_member,
        subject_kind=SubjectAccessRequest.SubjectKind.HOUSEHOLD_MEMBER
        if household_member
        else SubjectAccessRequest.SubjectKind.CHILD,
        requester_name=requester_name,
        requester_relationship=requester_relationship,
        requester_contact=requester_contact,
        received_on=received_on,
        due_on=deadlines.response_due(received_on),
        logged_by=acting_user,
    )
    _audit(
        acting_user,
        "subject_access_logged",
        sar,
        action="create",
        subject_kind=sar.subject_kind,
        child=child.reference,
        received_on=received_on.isoformat(),
        due_on=sar.due_on.isoformat(),
    )
    return sar


def _recalculate_due(sar: SubjectAccessRequest) -> None:
    sar.due_on = deadlines.response_due(
        sar.received_on,
        identity_evidence_on=sar.identity_evidence_on,
        extension_months=sar.extension_months,
    )


@transaction.atomic
def sar_check_identity(
    *,
    acting_user: AbstractBaseUser,
    sar: SubjectAccessRequest,
    method: str,
    detail: str,
    evidence_on: dt.date | None = None,
) -> SubjectAccessRequest:
    """Record that the requester's identity (and a representative's authority)
    was checked, and how. When the officer had to ask for proof, the month
    runs from the day it arrived (ICO guidance; ``deadlines``)."""
    sar = _locked(acting_user, sar)
    _not_sent(sar)
    errors = {}
    if method not in SubjectAccessRequest.IdentityMethod.values:
        errors["identity_method"] = "Choose how the identity was checked"
    if method == SubjectAccessRequest.IdentityMethod.OTHER and not detail.strip():
        errors["detail"] = "Describe how the identity was checked"
    if evidence_on and evidence_on > timezone.localdate():
        errors["evidence_on"] = "The date the proof arrived must be today or in the past"
    if evidence_on and evidence_on < sar.received_on:
        errors["evidence_on"] = "The proof cannot have arrived before the request"
    if errors:
        raise ValidationError(errors)
    sar.identity_method = method
    sar.identity_detail = detail.strip()
    sar.identity_evidence_on = evidence_on
    sar.identity_checked_at = timezone.now()
    sar.identity_checked_by = acting_user
    _recalculate_due(sar)
    sar.save(
        update_fields=[
            "identity_method",
            "identity_detail",
            "identity_evidence_on",
            "identity_checked_at",
            "identity_checked_by",
            "due_on",
        ]
    )
    _audit(
        acting_user,
        "subject_access_identity_checked",
        sar,
        method=method,
        evidence_on=evidence_on.isoformat() if evidence_on else None,
        due_on=sar.due_on.isoformat(),
    )
    return sar


@transaction.atomic
def sar_extend(
    *, acting_user: AbstractBaseUser, sar: SubjectAccessRequest, months: int, reason: str
) -> SubjectAccessRequest:
    """Extend the deadline by one or two further months for a complex request
    (UK GDPR Art. 12(3)): only within the first month, and with the reason the
    requester must be told."""
    sar = _locked(acting_user, sar)
    _not_sent(sar)
    errors = {}
    if months not in (1, 2):
        errors["months"] = "An extension is one or two further months"
    if not reason.strip():
        errors["reason"] = "Enter why the request is complex enough to need more time"
    first_month_ends = deadlines.response_due(
        sar.received_on, identity_evidence_on=sar.identity_evidence_on
    )
    if timezone.localdate() > first_month_ends:
        errors["months"] = (
            f"The month ended on {first_month_ends:%-d %B %Y}: an extension must be made, and "
            "the requester told, within it"
        )
    if errors:
        raise ValidationError(errors)
    sar.extension_months = months
    sar.extension_reason = reason.strip()
    sar.extended_by = acting_user
    sar.extended_at = timezone.now()
    _recalculate_due(sar)
    sar.save(
        update_fields=[
            "extension_months",
            "extension_reason",
            "extended_by",
            "extended_at",
            "due_on",
        ]
    )
    _audit(
        acting_user,
        "subject_access_extended",
        sar,
        months=months,
        due_on=sar.due_on.isoformat(),
    )
    return sar


# Gathering -------------------------------------------------------------------------


@transaction.atomic
def sar_gather(*, acting_user: AbstractBaseUser, sar: SubjectAccessRequest) -> int:
    """Read everything held about the subject and keep it on the request. Each
    case read is one audit row, on that case, so the case's own "who has viewed
    this record" shows the governance read. Gathering again (before any
    redaction) takes in what the record gained meanwhile."""
    sar = _locked(acting_user, sar)
    _not_sent(sar)
    if not sar.identity_checked:
        raise ValidationError("Check the requester's identity before gathering anything.")
    if SubjectAccessRedaction.objects.filter(item__request=sar).exists():
        raise ValidationError(
            "Redactions have been made on what was gathered: it cannot be gathered again."
        )
    sar.items.all().delete()
    found = gather(sar)
    SubjectAccessItem.objects.bulk_create(
        SubjectAccessItem(
            request=sar,
            position=position,
            kind=g.kind,
            case_reference=g.case_reference,
            source_type=g.source_type,
            source_id=g.source_id,
            occurred_at=g.occurred_at,
            agency_name=g.agency_name[:200],
            title=g.title[:300],
            text=g.text,
        )
        for position, g in enumerate(found.items, start=1)
    )
    sar.status = Status.GATHERED
    sar.gathered_at = timezone.now()
    sar.gathered_by = acting_user
    sar.save(update_fields=["status", "gathered_at", "gathered_by"])
    for case in found.cases:
        audit_record(
            user=acting_user,
            action="view",
            event="subject_access_gathered",
            obj=sar,
            case_id=case.pk,
            reason=f"Subject access request {sar.reference} (UK GDPR Art. 15)",
            detail={
                "request": str(sar.pk),
                "case": case.reference,
                "items": sum(1 for g in found.items if g.case_reference == case.reference),
            },
        )
    _audit(
        acting_user,
        "subject_access_gathering_done",
        sar,
        items=len(found.items),
        cases=[c.reference for c in found.cases],
    )
    return len(found.items)


# Redaction -------------------------------------------------------------------------


def spans_of(item: SubjectAccessItem, phrase: str) -> list[dict]:
    """Every occurrence of ``phrase`` (any case) in the item's title and text,
    as whole words where it begins or ends with a letter or digit: a name
    redacts the name, not the same letters inside another word."""
    before = r"\b" if phrase[:1].isalnum() else ""
    after = r"\b" if phrase[-1:].isalnum() else ""
    pattern = re.compile(before + re.escape(phrase) + after, re.IGNORECASE)
    return [
        {"field": field, "start": m.start(), "end": m.end()}
        for field in ("title", "text")
        for m in pattern.finditer(getattr(item, field))
    ]


@transaction.atomic
def redaction_add(
    *,
    acting_user: AbstractBaseUser,
    sar: SubjectAccessRequest,
    item_id: uuid.UUID | str,
    category: str,
    reason: str,
    note: str = "",
    phrase: str = "",
    whole_item: bool = False,
    every_item: bool = False,
) -> list[SubjectAccessRedaction]:
    """Withhold ``phrase`` (every occurrence) from one item, or from every
    gathered item that holds it, or the whole item; one redaction per item,
    each with its reason and each on the audit log (never the words)."""
    sar = _locked(acting_user, sar)
    _not_sent(sar)
    errors = {}
    if category not in SubjectAccessRedaction.Category.values:
        errors["category"] = "Choose what kind of information this is"
    if reason not in SubjectAccessRedaction.Reason.values:
        errors["reason"] = "Choose the reason for withholding it"
    phrase = phrase.strip()
    if not whole_item and len(phrase) < 2:
        errors["phrase"] = "Enter the words to redact, or choose to withhold the whole item"
    item = sar.items.filter(pk=item_id).first()
    if item is None:
        errors["item"] = "Choose an item of this request"
    if errors:
        raise ValidationError(errors)
    if whole_item:
        targets = [(item, [])]
    else:
        pool = list(sar.items.all()) if every_item else [item]
        targets = [(i, spans) for i in pool if (spans := spans_of(i, phrase))]
        if not targets:
            raise ValidationError({"phrase": "Those words are not in the item"})
    made = []
    for target, spans in targets:
        redaction = SubjectAccessRedaction.objects.create(
            item=target,
            whole_item=whole_item,
            spans=spans,
            category=category,
            reason=reason,
            note=note.strip(),
            created_by=acting_user,
        )
        made.append(redaction)
        _audit(
            acting_user,
            "subject_access_redacted",
            sar,
            action="create",
            redaction=str(redaction.pk),
            item=str(target.pk),
            item_position=target.position,
            whole_item=whole_item,
            occurrences=len(spans),
            category=category,
            reason=reason,
        )
    return made


@transaction.atomic
def redaction_remove(
    *, acting_user: AbstractBaseUser, sar: SubjectAccessRequest, redaction_id: uuid.UUID | str
) -> None:
    sar = _locked(acting_user, sar)
    _not_sent(sar)
    redaction = SubjectAccessRedaction.objects.filter(pk=redaction_id, item__request=sar).first()
    if redaction is None:
        raise ValidationError("No such redaction on this request.")
    _audit(
        acting_user,
        "subject_access_redaction_removed",
        sar,
        redaction=str(redaction.pk),
        item=str(redaction.item_id),
        category=redaction.category,
        reason=redaction.reason,
    )
    redaction.delete()


# The bundle ------------------------------------------------------------------------


@transaction.atomic
def bundle_request(
    *, acting_user: AbstractBaseUser, sar: SubjectAccessRequest
) -> SubjectAccessBundle:
    """Ask a worker for the bundle (redacted PDF, unredacted JSON) of what is
    gathered and redacted now. A second click while one is in hand returns it."""
    sar = _locked(acting_user, sar)
    _not_sent(sar)
    if sar.status != Status.GATHERED:
        raise ValidationError("Gather the subject's information before producing the bundle.")
    pending = sar.bundles.filter(
        status__in=[SubjectAccessBundle.Status.QUEUED, SubjectAccessBundle.Status.RENDERING]
    ).first()
    if pending is not None:
        return pending
    bundle = SubjectAccessBundle.objects.create(
        request=sar, requested_by=acting_user, progress_message="Waiting for a worker"
    )
    row = _audit(
        acting_user, "subject_access_bundle_requested", sar, action="create", bundle=str(bundle.pk)
    )
    bundle.audit_reference = str(row.pk)
    bundle.save(update_fields=["audit_reference"])
    transaction.on_commit(lambda pk=bundle.pk: dispatch_bundle(pk))
    return bundle


def dispatch_bundle(bundle_id: uuid.UUID | str) -> None:
    """Hand a queued bundle to a worker; a dead broker loses nothing (the sweep)."""
    if not enqueue(RENDER_TASK, args=[str(bundle_id)]):
        log.warning("Subject access bundle %s waits for the sweep", bundle_id)


def bundle_downloaded(*, user: AbstractBaseUser, bundle: SubjectAccessBundle, part: str) -> None:
    """Every download of the PDF or of the unredacted export is on the record,
    with the file's hash."""
    sha = bundle.pdf_sha256 if part == "pdf" else bundle.export_sha256
    audit_record(
        user=user,
        action="download",
        event=f"subject_access_{part}_downloaded",
        obj=bundle,
        detail={
            "request": str(bundle.request_id),
            "bundle": str(bundle.pk),
            "sha256": sha,
            "request_audit_reference": bundle.audit_reference,
        },
    )


@transaction.atomic
def sar_mark_sent(
    *,
    acting_user: AbstractBaseUser,
    sar: SubjectAccessRequest,
    bundle: SubjectAccessBundle,
    sent_on: dt.date,
    method: str,
    sent_to: str,
) -> SubjectAccessRequest:
    """Record what was sent (this bundle, by its fingerprint), when, how and to
    whom. The request is then answered and changes no more."""
    sar = _locked(acting_user, sar)
    _not_sent(sar)
    errors = {}
    if bundle.request_id != sar.pk or not bundle.is_ready:
        errors["bundle"] = "Choose a bundle of this request that is ready"
    elif sar.bundles.filter(created_at__gt=bundle.created_at).exists():
        errors["bundle"] = "A newer bundle has been produced since: send that one"
    if method not in SubjectAccessRequest.SentMethod.values:
        errors["sent_method"] = "Choose how it was sent"
    if not sent_to.strip():
        errors["sent_to"] = "Enter who it was sent to (name and address or e-mail)"
    if sent_on > timezone.localdate():
        errors["sent_on"] = "The date sent must be today or in the past"
    elif sent_on < sar.received_on:
        errors["sent_on"] = "The date sent cannot be before the request was received"
    if errors:
        raise ValidationError(errors)
    sar.status = Status.SENT
    sar.sent_on = sent_on
    sar.sent_method = method
    sar.sent_to = sent_to.strip()
    sar.sent_by = acting_user
    sar.sent_bundle = bundle
    sar.save(
        update_fields=["status", "sent_on", "sent_method", "sent_to", "sent_by", "sent_bundle"]
    )
    _audit(
        acting_user,
        "subject_access_sent",
        sar,
        action="transition",
        bundle=str(bundle.pk),
        pdf_sha256=bundle.pdf_sha256,
        export_sha256=bundle.export_sha256,
        sent_on=sent_on.isoformat(),
        method=method,
        on_time=sent_on <= sar.due_on,
    )
    return sar
