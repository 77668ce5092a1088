"""Rendering a case summary to PDF with WeasyPrint, as the person who asked.

Everything in the PDF comes from the permission-scoped selectors, called for
the requester at render time: if their access narrowed between the request and
the render, the PDF shows the narrower view; if it ended, there is no PDF.

Case text is user input: it is escaped by the template, and the URL fetcher
refuses everything but the project's own static files, so nothing typed into a
case can make the renderer fetch from the network or read the disk.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import mimetypes
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from cases import selectors
from cases.models import BodyMapMark, Case, CaseAction, CaseNote
from cases.selectors.record import actions_for, household_for, notes_for
from safeguard.audit.services import audit_record
from summaries.models import CaseSummary
from summaries.services import (
    NO_ACCESS_REASON,
    childs_wishes_for,
    conference_decisions_for,
    expiry_from,
    meeting_people_for,
    meeting_reports_for,
    summary_claim,
    summary_fail,
)

log = logging.getLogger(__name__)

TEMPLATE = "summaries/pdf.html"
# Relative URLs in the template resolve against this made-up origin; the
# fetcher maps its /static/ paths to files and refuses the rest.
BASE_URL = "https://summary.safeguard.invalid/"


class StaticFilesOnlyFetcher(URLFetcher):
    """Serves the project's static files and refuses every other URL."""

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        prefix = BASE_URL.rstrip("/") + settings.STATIC_URL
        if not url.startswith(prefix):
            raise ValueError(f"Case summaries load only the project's static files, not {url!r}")
        relative = url[len(prefix) :].split("?")[0].split("#")[0]
        found = finders.find(relative) if ".." not in relative else None
        if not found:
            raise ValueError(f"No static file {relative!r}")
        path = found[0] if isinstance(found, list) else found
        with open(path, "rb") as handle:
            body = handle.read()
        kind = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": kind})


@dataclass(frozen=True)
class RenderedSummary:
    pdf: bytes
    page_count: int
    sha256: str


def summary_content_for(
    user: AbstractBaseUser,
    case: Case,
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> dict[str, Any]:
    """What the user may see of the case, shaped for the summary. ``case``
    came from ``selectors.get_case_for`` for this user."""
    lead = selectors.has_lead_access(user, case)
    today = timezone.localdate()
    filters = {"date_from": date_from, "date_to": date_to}
    chronology = selectors.chronology_for(user, case, lead=lead, filters=filters).order_by(
        "occurred_at", "created_at"
    )
    notes = notes_for(user, case, lead=lead).order_by("created_at")
    if date_from:
        notes = notes.filter(created_at__date__gte=date_from)
    if date_to:
        notes = notes.filter(created_at__date__lte=date_to)
    plans = list(case.plans.all())
    return {
        "case": case,
        "child": case.child,
        "lead_access": lead,
        "household": list(household_for(case)),
        "involvements": list(selectors.involvements_for(user, case)),
        "current_plans": [p for p in plans if p.end_date is None or p.end_date >= today],
        "conference_decisions": conference_decisions_for(user, case),
        "meeting_reports": meeting_reports_for(user, case),
        "meeting_people": meeting_people_for(user, case),
        "childs_wishes": childs_wishes_for(user, case),
        "body_map_marks": list(
            BodyMapMark.objects.filter(
                concern__in=selectors.concerns_on_case_for(user, case, lead=lead)
            )
            .select_related("concern")
            .order_by("concern__submitted_at", "side", "region")
        ),
        "open_actions": list(
            actions_for(user, case, lead=lead)
            .filter(status=CaseAction.Status.OPEN)
            .order_by("due_on")
        ),
        "notes": list(notes),
        "restricted_sensitivity": CaseNote.Sensitivity.RESTRICTED,
        "chronology": list(chronology),
        "date_from": date_from,
        "date_to": date_to,
    }


def render_summary_pdf(
    *,
    user: AbstractBaseUser,
    case: Case,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    audit_reference: str = "",
    generated_at: dt.datetime | None = None,
) -> RenderedSummary:
    """The PDF bytes of a summary of ``case`` as ``user`` may see it."""
    context = summary_content_for(user, case, date_from=date_from, date_to=date_to)
    context.update(
        generated_by=user.get_full_name() or user.get_username(),
        generated_at=timezone.localtime(generated_at or timezone.now()),
        audit_reference=audit_reference or "none",
    )
    html = render_to_string(TEMPLATE, context)
    document = HTML(
        string=html, base_url=BASE_URL, url_fetcher=StaticFilesOnlyFetcher(timeout=1)
    ).render()
    pdf = document.write_pdf()
    return RenderedSummary(
        pdf=pdf, page_count=len(document.pages), sha256=hashlib.sha256(pdf).hexdigest()
    )


def summary_render(*, summary_id: uuid.UUID | str) -> str:
    """Render one queued summary; safe to call twice (the claim is atomic and a
    finished summary is left alone). Returns what happened, for the worker log."""
    summary = summary_claim(summary_id)
    if summary is None:
        return "already handled"
    claimed_at = CaseSummary.objects.values_list("claimed_at", flat=True).get(pk=summary.pk)
    requester = summary.requested_by
    try:
        case = selectors.get_case_for(requester, summary.case_id, audit=False)
    except Http404:
        summary_fail(summary.pk, NO_ACCESS_REASON)
        return "failed: no access"
    generated_at = timezone.now()
    rendered = render_summary_pdf(
        user=requester,
        case=case,
        date_from=summary.date_from,
        date_to=summary.date_to,
        audit_reference=summary.audit_reference,
        generated_at=generated_at,
    )
    with transaction.atomic():
        current = CaseSummary.objects.select_for_update().get(pk=summary.pk)
        if current.status != CaseSummary.Status.RENDERING or current.claimed_at != claimed_at:
            return "superseded"  # another worker took it over as abandoned
        current.file.save("summary.pdf", ContentFile(rendered.pdf), save=False)
        current.sha256 = rendered.sha256
        current.page_count = rendered.page_count
        current.status = CaseSummary.Status.READY
        current.failure_reason = ""
        current.ready_at = timezone.now()
        current.expires_at = expiry_from(current.ready_at)
        current.save(
            update_fields=[
                "file",
                "sha256",
                "page_count",
                "status",
                "failure_reason",
                "ready_at",
                "expires_at",
            ]
        )
        # Rendering reads the case as the requester: on the record as theirs.
        audit_record(
            user=requester,
            action="view",
            event="case_summary_rendered",
            obj=current,
            case_id=current.case_id,
            detail={
                "summary": str(current.pk),
                "sha256": current.sha256,
                "pages": current.page_count,
                "generated_at": generated_at.isoformat(),
            },
        )
    return "ready"
