"""Pages for moving and cancelling a meeting (SPEC 3.5)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from meetings import services as meetings
from meetings.forms import MeetingCancelForm, MeetingRescheduleForm
from meetings.models import Meeting
from meetings.selectors import get_meeting_for
from safeguard.core.forms import add_service_errors


def _changeable(request: HttpRequest, meeting_id) -> Meeting:
    """The meeting, for someone who may change its arrangements; 404 otherwise
    (including for a meeting already held or cancelled: nothing to change)."""
    meeting = get_meeting_for(request.user, meeting_id, audit=False)
    if not meeting.is_open or not meetings.can_manage(request.user, meeting):
        raise Http404
    return meeting


@login_required
def meeting_reschedule(request: HttpRequest, meeting_id) -> HttpResponse:
    meeting = _changeable(request, meeting_id)
    when = timezone.localtime(meeting.scheduled_at)
    form = MeetingRescheduleForm(
        request.POST or None,
        initial={"scheduled_on": when.date(), "scheduled_time": f"{when:%H:%M}"},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meetings.meeting_reschedule(
                acting_user=request.user,
                meeting=meeting,
                scheduled_at=form.scheduled_at(),
                reason=data["reason"],
                late_reason=data["late_reason"],
                report_due_on=data["report_due_on"],
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            moved = timezone.localtime(form.scheduled_at())
            messages.success(
                request,
                f"{meeting.get_kind_display()} moved to {moved:%-d %B %Y at %H:%M}. "
                "Invitees have been told.",
            )
            return redirect("meeting_detail", meeting.pk)
    return render(
        request,
        "meetings/reschedule.html",
        {"meeting": meeting, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def meeting_cancel(request: HttpRequest, meeting_id) -> HttpResponse:
    meeting = _changeable(request, meeting_id)
    form = MeetingCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meetings.meeting_cancel(
                acting_user=request.user, meeting=meeting, reason=form.cleaned_data["reason"]
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, f"{meeting.get_kind_display()} cancelled. Invitees have been told."
            )
            return redirect("meeting_detail", meeting.pk)
    return render(
        request,
        "meetings/cancel.html",
        {"meeting": meeting, "form": form},
        status=400 if form.errors else 200,
    )
