"""Producing a subject access bundle in a worker: the redacted PDF with its
schedule of redactions, and the unredacted JSON export kept for the file.

The worker-side pattern is the case summary's (``summaries``): the bundle row
is the outbox, claimed atomically, released for a retry, failed with a reason,
and handed out again by a beat sweep when its message was lost. The PDF is
rendered by WeasyPrint with the case summary's URL fetcher, which serves the
project's static files and refuses everything else (the text is user input).

Redacted words never reach the renderer: each item's text is cut before the
template sees it, and the schedule says what kind of information was withheld
and why, never what it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from safeguard.audit.services import audit_record
from subject_access.models import (
    SubjectAccessBundle,
    SubjectAccessItem,
    SubjectAccessRedaction,
    SubjectAccessRequest,
)
from subject_access.services import dispatch_bundle
from summaries.pdf import BASE_URL, StaticFilesOnlyFetcher

TEMPLATE = "subject_access/pdf.html"
STUCK_AFTER = dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 30)
QUEUED_TOO_LONG = dt.timedelta(minutes=2)
REDISPATCH_EVERY = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 3
GAVE_UP_REASON = (
    "The bundle could not be produced after several attempts. Ask for it again; if it fails "
    "again, tell your system administrator."
)
Status = SubjectAccessBundle.Status


def status_message(bundle: SubjectAccessBundle) -> str:
    """Where the bundle is, in a sentence (no personal data): the status page
    and the API's status say the same."""
    if bundle.status == SubjectAccessBundle.Status.READY:
        return (
            f"The bundle is ready: {bundle.page_count} pages, "
            f"{bundle.redaction_count} redaction{'s' if bundle.redaction_count != 1 else ''}."
        )
    if bundle.status == SubjectAccessBundle.Status.FAILED:
        return f"The bundle could not be produced: {bundle.failure_reason}"
    if bundle.status == SubjectAccessBundle.Status.RENDERING:
        return f"Being produced: {bundle.progress_message} ({bundle.progress}%)."
    return "Waiting to be produced. This page will update when it is ready."


# Redaction ---------------------------------------------------------------------------


def cut(text: str, spans: list[tuple[int, int, int]]) -> str:
    """``text`` with each (start, end, number) span replaced by a marker naming
    its line of the schedule; overlapping spans are merged into one marker."""
    merged: list[list[int]] = []
    for start, end, number in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end, number])
    out, last = [], 0
    for start, end, number in merged:
        out.append(text[last:start])
        out.append(f"[redacted, see R{number}]")
        last = end
    out.append(text[last:])
    return "".join(out)


@dataclass
class ScheduleLine:
    number: int
    item_position: int
    item_kind: str
    case_reference: str
    whole_item: bool
    occurrences: int
    category: str
    reason: str


@dataclass
class RedactedItem:
    position: int
    kind: str
    case_reference: str
    occurred_at: dt.datetime | None
    agency_name: str
    title: str
    text: str
    withheld: list[int]  # schedule numbers, when the whole item is withheld


def redacted_bundle(
    items: list[SubjectAccessItem], redactions: list[SubjectAccessRedaction]
) -> tuple[list[RedactedItem], list[ScheduleLine]]:
    by_item: dict[uuid.UUID, list[tuple[int, SubjectAccessRedaction]]] = {}
    schedule = []
    for number, redaction in enumerate(redactions, start=1):
        by_item.setdefault(redaction.item_id, []).append((number, redaction))
    positions = {item.pk: item for item in items}
    for number, redaction in enumerate(redactions, start=1):
        item = positions[redaction.item_id]
        schedule.append(
            ScheduleLine(
                number=number,
                item_position=item.position,
                item_kind=item.get_kind_display(),
                case_reference=item.case_reference,
                whole_item=redaction.whole_item,
                occurrences=len(redaction.spans),
                category=redaction.get_category_display(),
                reason=redaction.get_reason_display(),
            )
        )
    return [redacted_item(item, by_item.get(item.pk, [])) for item in items], schedule


def redacted_item(
    item: SubjectAccessItem, marks: list[tuple[int, SubjectAccessRedaction]]
) -> RedactedItem:
    """One item as it will be sent, given its redactions with their numbers on
    the schedule (the API shows a page of items with the whole schedule's numbers)."""
    withheld = [n for n, r in marks if r.whole_item]
    spans: dict[str, list[tuple[int, int, int]]] = {"title": [], "text": []}
    for number, redaction in marks:
        for span in redaction.spans:
            spans[span["field"]].append((span["start"], span["end"], number))
    return RedactedItem(
        position=item.position,
        kind=item.get_kind_display(),
        case_reference=item.case_reference,
        occurred_at=item.occurred_at,
        agency_name=item.agency_name,
        title="" if withheld else cut(item.title, spans["title"]),
        text="" if withheld else cut(item.text, spans["text"]),
        withheld=withheld,
    )


# The two files -------------------------------------------------------------------------


def _loaded(sar: SubjectAccessRequest) -> tuple[list, list]:
    items = list(sar.items.order_by("position"))
    redactions = list(
        SubjectAccessRedaction.objects.filter(item__request=sar)
        .select_related("created_by")
        .order_by("item__position", "created_at", "id")
    )
    return items, redactions


def render_pdf(
    sar: SubjectAccessRequest,
    items: list[SubjectAccessItem],
    redactions: list[SubjectAccessRedaction],
    *,
    generated_by: str,
    generated_at: dt.datetime,
    audit_reference: str,
) -> tuple[bytes, int]:
    redacted, schedule = redacted_bundle(items, redactions)
    html = render_to_string(
        TEMPLATE,
        {
            "sar": sar,
            "items": redacted,
            "schedule": schedule,
            "generated_by": generated_by,
            "generated_at": timezone.localtime(generated_at),
            "audit_reference": audit_reference,
        },
    )
    document = HTML(
        string=html, base_url=BASE_URL, url_fetcher=StaticFilesOnlyFetcher(timeout=1)
    ).render()
    return document.write_pdf(), len(document.pages)


def export_json(
    sar: SubjectAccessRequest,
    items: list[SubjectAccessItem],
    redactions: list[SubjectAccessRedaction],
    *,
    generated_at: dt.datetime,
) -> bytes:
    """Everything gathered, unredacted, with each redaction and its reason:
    the controller's record of what was held and what was withheld."""
    by_item: dict[uuid.UUID, list[dict]] = {}
    for number, r in enumerate(redactions, start=1):
        by_item.setdefault(r.item_id, []).append(
            {
                "schedule_number": number,
                "whole_item": r.whole_item,
                "spans": r.spans,
                "category": r.category,
                "reason": r.reason,
                "reason_text": r.get_reason_display(),
                "note": r.note,
                "by": r.created_by.get_username(),
                "at": r.created_at,
            }
        )
    payload = {
        "format": "safeguard-subject-access-export/1",
        "generated_at": generated_at,
        "request": {
            "reference": sar.reference,
            "authority": sar.agency.name,
            "subject_kind": sar.subject_kind,
            "subject_name": sar.subject_name,
            "child_reference": sar.child.reference,
            "requester_name": sar.requester_name,
            "requester_relationship": sar.requester_relationship,
            "requester_contact": sar.requester_contact,
            "received_on": sar.received_on,
            "due_on": sar.due_on,
            "extension_months": sar.extension_months,
            "extension_reason": sar.extension_reason,
            "identity_method": sar.identity_method,
            "identity_detail": sar.identity_detail,
            "identity_checked_at": sar.identity_checked_at,
            "gathered_at": sar.gathered_at,
        },
        "items": [
            {
                "position": i.position,
                "kind": i.kind,
                "case_reference": i.case_reference,
                "source_type": i.source_type,
                "source_id": i.source_id,
                "occurred_at": i.occurred_at,
                "agency": i.agency_name,
                "title": i.title,
                "text": i.text,
                "redactions": by_item.get(i.pk, []),
            }
            for i in items
        ],
    }
    return json.dumps(payload, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False).encode()


# Worker side ---------------------------------------------------------------------------


def bundle_claim(bundle_id: uuid.UUID | str) -> SubjectAccessBundle | None:
    """Take a bundle to produce, atomically: a queued one, or one a dead worker left."""
    now = timezone.now()
    claimed = (
        SubjectAccessBundle.objects.filter(pk=bundle_id)
        .filter(
            Q(status=Status.QUEUED) | Q(status=Status.RENDERING, claimed_at__lt=now - STUCK_AFTER)
        )
        .update(status=Status.RENDERING, claimed_at=now, progress=0)
    )
    if not claimed:
        return None
    bundle = SubjectAccessBundle.objects.select_related(
        "request__agency", "request__child", "request__household_member", "requested_by"
    ).get(pk=bundle_id)
    SubjectAccessBundle.objects.filter(pk=bundle_id).update(attempts=bundle.attempts + 1)
    return bundle


def bundle_progress(bundle_id: uuid.UUID | str, percent: int, message: str) -> None:
    SubjectAccessBundle.objects.filter(pk=bundle_id, status=Status.RENDERING).update(
        progress=max(0, min(percent, 100)), progress_message=message[:200]
    )


def bundle_fail(bundle_id: uuid.UUID | str, reason: str) -> None:
    SubjectAccessBundle.objects.filter(
        pk=bundle_id, status__in=[Status.QUEUED, Status.RENDERING]
    ).update(status=Status.FAILED, failure_reason=reason[:300])


def bundle_release(bundle_id: uuid.UUID | str) -> None:
    SubjectAccessBundle.objects.filter(pk=bundle_id, status=Status.RENDERING).update(
        status=Status.QUEUED, claimed_at=None
    )


def bundle_render(bundle_id: uuid.UUID | str) -> str:
    """Produce one claimed bundle; safe to run twice."""
    bundle = bundle_claim(bundle_id)
    if bundle is None:
        return "already handled"
    claimed_at = SubjectAccessBundle.objects.values_list("claimed_at", flat=True).get(pk=bundle.pk)
    sar = bundle.request
    requester = bundle.requested_by
    bundle_progress(bundle_id, 10, "Reading what was gathered and the redactions")
    items, redactions = _loaded(sar)
    generated_at = timezone.now()
    bundle_progress(bundle_id, 30, f"Writing the PDF: {len(items)} items")
    pdf, pages = render_pdf(
        sar,
        items,
        redactions,
        generated_by=requester.get_full_name() or requester.get_username(),
        generated_at=generated_at,
        audit_reference=bundle.audit_reference,
    )
    bundle_progress(bundle_id, 80, "Writing the export for the file")
    export = export_json(sar, items, redactions, generated_at=generated_at)
    bundle_progress(bundle_id, 95, "Storing the bundle")
    with transaction.atomic():
        current = SubjectAccessBundle.objects.select_for_update().get(pk=bundle.pk)
        if current.status != Status.RENDERING or current.claimed_at != claimed_at:
            return "superseded"  # another worker took it over as abandoned
        current.pdf.save("bundle.pdf", ContentFile(pdf), save=False)
        current.export.save("export.json", ContentFile(export), save=False)
        current.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
        current.export_sha256 = hashlib.sha256(export).hexdigest()
        current.page_count = pages
        current.redaction_count = len(redactions)
        current.status = Status.READY
        current.progress = 100
        current.progress_message = "Ready"
        current.failure_reason = ""
        current.ready_at = timezone.now()
        current.save(
            update_fields=[
                "pdf",
                "export",
                "pdf_sha256",
                "export_sha256",
                "page_count",
                "redaction_count",
                "status",
                "progress",
                "progress_message",
                "failure_reason",
                "ready_at",
            ]
        )
        audit_record(
            user=requester,
            action="create",
            event="subject_access_bundle_produced",
            obj=current,
            detail={
                "request": str(sar.pk),
                "bundle": str(current.pk),
                "pdf_sha256": current.pdf_sha256,
                "export_sha256": current.export_sha256,
                "pages": pages,
                "items": len(items),
                "redactions": len(redactions),
            },
        )
    return "ready"


def bundles_redispatch_stuck() -> int:
    """Hand out again the bundles whose message was lost or whose worker died."""
    now = timezone.now()
    lost = Q(status=Status.QUEUED) & (
        Q(redispatched_at__isnull=True, created_at__lt=now - QUEUED_TOO_LONG)
        | Q(redispatched_at__lt=now - REDISPATCH_EVERY)
    )
    abandoned = Q(status=Status.RENDERING, claimed_at__lt=now - STUCK_AFTER)
    stuck = SubjectAccessBundle.objects.filter(lost | abandoned)
    stuck.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=Status.FAILED, failure_reason=GAVE_UP_REASON
    )
    ids = list(stuck.filter(attempts__lt=MAX_ATTEMPTS).values_list("id", flat=True)[:50])
    SubjectAccessBundle.objects.filter(pk__in=ids).update(redispatched_at=now)
    for bundle_id in ids:
        dispatch_bundle(bundle_id)
    return len(ids)
