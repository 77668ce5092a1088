"""Pages for PDF case summaries: ask for one (or a meeting's pack), watch it
being made, download it.

Only the person who asked sees a summary's page or downloads its file; for
everyone else it does not exist (404), as SPEC 2 asks of every object.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_POST

from cases import selectors
from meetings.selectors import get_meeting_for
from safeguard.core.forms import add_service_errors
from summaries import services as summaries
from summaries.forms import SummaryRequestForm
from summaries.models import CaseSummary

RECENT = 10


@login_required
def case_summaries(request: HttpRequest, case_id) -> HttpResponse:
    """Ask for a summary, and see the ones you asked for."""
    case = selectors.get_case_for(request.user, case_id, audit=False)
    if not summaries.can_request_summary(request.user, case):
        raise Http404("No such page")
    form = SummaryRequestForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                summary = summaries.summary_request(
                    acting_user=request.user,
                    case=case,
                    date_from=form.cleaned_data["date_from"],
                    date_to=form.cleaned_data["date_to"],
                )
            except PermissionDenied as exc:
                raise Http404("No such page") from exc
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return redirect("case_summary_status", case.pk, summary.pk)
        status = 400
    recent = list(summaries.summaries_for(request.user, case)[:RECENT])
    return render(
        request,
        "summaries/request.html",
        {
            "case": case,
            "form": form,
            "summaries": recent,
            "expiry_hours": settings.CASE_SUMMARY_EXPIRY_HOURS,
        },
        status=status,
    )


def _status_payload(summary: CaseSummary) -> dict:
    expired = summary.status == CaseSummary.Status.READY and not summary.is_downloadable
    return {
        "status": "expired" if expired else summary.status,
        "label": "Expired" if expired else summary.get_status_display(),
        "finished": summary.is_finished,
        "message": _message(summary, expired),
        "download_url": reverse("case_summary_download", args=[summary.case_id, summary.pk])
        if summary.is_downloadable
        else "",
        "page_count": summary.page_count,
    }


def _message(summary: CaseSummary, expired: bool) -> str:
    if expired:
        return "This summary has expired and its file has been deleted. Request a new one."
    if summary.status == CaseSummary.Status.READY:
        pages = f"{summary.page_count} page{'s' if summary.page_count != 1 else ''}"
        until = dateformat.format(timezone.localtime(summary.expires_at), r"j F Y \a\t H:i")
        return f"Your summary is ready ({pages}). You can download it until {until}."
    if summary.status == CaseSummary.Status.FAILED:
        return f"The summary could not be produced: {summary.failure_reason}"
    if summary.status == CaseSummary.Status.RENDERING:
        return "Your summary is being produced. This page will update when it is ready."
    return "Your summary is waiting to be produced. This page will update when it is ready."


@login_required
def case_summary_status(request: HttpRequest, case_id, summary_id) -> HttpResponse:
    summary = summaries.get_summary_for(request.user, case_id, summary_id, audit=True)
    return render(
        request,
        "summaries/status.html",
        {
            "case": summary.case,
            "summary": summary,
            "state": _status_payload(summary),
            "may_request": summaries.can_request_summary(request.user, summary.case),
        },
    )


@login_required
def case_summary_status_json(request: HttpRequest, case_id, summary_id) -> JsonResponse:
    """What the status page polls: progress only, no case data, so not audited
    on every poll."""
    summary = summaries.get_summary_for(request.user, case_id, summary_id)
    response = JsonResponse(_status_payload(summary))
    patch_cache_control(response, no_store=True, private=True)
    return response


@login_required
def case_summary_download(request: HttpRequest, case_id, summary_id) -> HttpResponse:
    summary = summaries.get_summary_for(request.user, case_id, summary_id)
    if summary.status == CaseSummary.Status.READY and not summary.is_downloadable:
        return render(
            request,
            "summaries/expired.html",
            {
                "case": summary.case,
                "summary": summary,
                "may_request": summaries.can_request_summary(request.user, summary.case),
            },
            status=410,
        )
    if not summary.is_downloadable:
        return redirect("case_summary_status", summary.case_id, summary.pk)
    summaries.summary_downloaded(user=request.user, summary=summary)
    stamp = timezone.localtime(summary.ready_at).strftime("%Y%m%d-%H%M")
    response = FileResponse(
        summary.file.open("rb"),
        as_attachment=True,
        filename=f"case-summary-{summary.case.reference}-{stamp}.pdf",
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, no_store=True, private=True)
    return response


@login_required
@require_POST
def meeting_pack_request(request: HttpRequest, meeting_id, case_id) -> HttpResponse:
    """An invitee asks for the case summary for the meeting, at their own level of access."""
    meeting = get_meeting_for(request.user, meeting_id, audit=False)
    subject = meeting.subjects.filter(case_id=case_id).select_related("case").first()
    if subject is None or not summaries.is_meeting_invitee(request.user, subject.case, meeting.pk):
        raise Http404
    summary = summaries.summary_request(
        acting_user=request.user,
        case=subject.case,
        purpose=CaseSummary.Purpose.MEETING_PACK,
        meeting_id=meeting.pk,
    )
    return redirect("case_summary_status", subject.case_id, summary.pk)
