"""The page for inviting someone to a meeting by name: a parent or carer, the
child, an advocate, or a professional of an involved agency."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from meetings import services as meetings
from meetings.forms import AttendeeForm
from meetings.selectors import get_meeting_for
from safeguard.core.forms import add_service_errors


@login_required
def meeting_attendee_add(request: HttpRequest, meeting_id) -> HttpResponse:
    meeting = get_meeting_for(request.user, meeting_id, audit=False)
    if not meetings.can_manage(request.user, meeting) or not meeting.is_open:
        raise Http404
    form = AttendeeForm(request.POST or None, agencies=meetings.attendee_agencies(meeting))
    if request.method == "POST" and form.is_valid():
        try:
            attendee = meetings.attendee_add(
                acting_user=request.user, meeting=meeting, **form.cleaned_data
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{attendee.name} ({attendee.role}) invited by name.")
            if request.POST.get("another"):
                return redirect("meeting_attendee_add", meeting.pk)
            return redirect(reverse("meeting_detail", args=[meeting.pk]) + "#attendees")
    return render(
        request,
        "meetings/attendee_form.html",
        {"meeting": meeting, "form": form, "attendees": list(meeting.attendees.all())},
        status=400 if form.errors else 200,
    )
