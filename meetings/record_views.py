"""The chair's record of a meeting: attendance, minutes and each child's
decision (saved as the chair types), dissent, actions, agenda items, and
finalising. Only the meeting's chair reaches these pages; anyone else gets
the 404 the meeting's selector gives.

The record page shows only what the record holds. Dates the statutory clocks
propose (the review conference, the first core group) are offered beside
their boxes, for the chair to choose, never typed into them: a finalised
record must not hold a date nobody said (meetings/forms.py,
``MeetingRecordForm._offer_proposed``).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from agencies.models import Agency
from cases import selectors
from meetings import services as meetings
from meetings.clocks import proposed_next_dates
from meetings.forms import AgendaItemForm, DissentForm, MeetingActionForm, MeetingRecordForm
from meetings.models import Meeting
from meetings.selectors import get_meeting_for
from safeguard.audit.services import audit_record
from safeguard.core.forms import add_service_errors


def _chair_meeting(request: HttpRequest, meeting_id) -> Meeting:
    meeting = get_meeting_for(request.user, meeting_id, audit=False)
    if meeting.chair_id != request.user.pk:
        raise Http404
    return meeting


def _record_form(meeting: Meeting, data=None) -> MeetingRecordForm:
    subjects = list(meeting.subjects.select_related("case__child"))
    return MeetingRecordForm(
        data,
        meeting=meeting,
        invitations=list(meeting.invitations.select_related("agency", "person")),
        items=list(meeting.agenda_items.all()),
        subjects=subjects,
        attendees=meeting.attendees.select_related("agency"),
        initial={"version": meeting.version},
        proposed={s.pk: proposed_next_dates(meeting, s) for s in subjects},
    )


def _record_page(
    request: HttpRequest, meeting: Meeting, status: int = 200, **forms
) -> HttpResponse:
    record_form = forms.pop("record_form", None) or _record_form(meeting)
    subjects = record_form.subjects
    invited_agencies = Agency.objects.filter(
        pk__in=meeting.invitations.values("agency_id")
    ).order_by("name")
    action_agencies = (
        Agency.objects.filter(
            involvements__case__in=[s.case for s in subjects], involvements__ended_at__isnull=True
        )
        .distinct()
        .order_by("name")
    )
    people = selectors.action_owner_candidates(action_agencies)
    context = {
        "meeting": meeting,
        "record_form": record_form,
        "attendance_fields": [record_form.bound("attendance", i) for i in record_form.invitations],
        "attendee_fields": [
            record_form.bound("person-attendance", a) for a in record_form.attendees
        ],
        "minutes_fields": [record_form.bound("minutes", i) for i in record_form.items],
        "decision_groups": [
            (
                s,
                [
                    f
                    for f in (
                        record_form.bound(p, s)
                        for p in (
                            "decision",
                            "category",
                            "decision_notes",
                            "first_core_group_on",
                            "use-first_core_group_on",
                            "next_review_on",
                            "use-next_review_on",
                        )
                    )
                    if f is not None
                ],
            )
            for s in subjects
        ],
        "agenda_form": forms.get("agenda_form") or AgendaItemForm(),
        "dissent_form": forms.get("dissent_form")
        or DissentForm(subjects=subjects, agencies=invited_agencies),
        "action_form": forms.get("action_form")
        or MeetingActionForm(subjects=subjects, agencies=action_agencies, people=people),
        "dissents": list(meeting.dissents.select_related("agency", "case__child")),
        "actions": list(meeting.actions.select_related("agency", "owner", "case__child")),
        "reports": list(meeting.reports.select_related("agency")),
    }
    return render(request, "meetings/record.html", context, status=status)


@login_required
def meeting_record(request: HttpRequest, meeting_id) -> HttpResponse:
    meeting = _chair_meeting(request, meeting_id)
    if meeting.is_finalised:
        return redirect("meeting_detail", meeting.pk)
    if request.method != "POST":
        audit_record(user=request.user, action="view", event="meeting_record_viewed", obj=meeting)
        return _record_page(request, meeting)
    autosave = request.POST.get("autosave") == "1"
    form = _record_form(meeting, request.POST)
    if form.is_valid():
        try:
            meetings.meeting_record(
                acting_user=request.user,
                meeting=meeting,
                version=form.cleaned_data["version"],
                attendance=form.attendance(),
                minutes=form.minutes(),
                decisions=form.decisions(),
                attendee_attendance=form.attendee_attendance(),
            )
        except meetings.StaleRecord:
            message = (
                "The record was saved from another window since you opened this page. "
                "Copy anything you typed, then reload the page to see the latest record."
            )
            if autosave:
                return JsonResponse({"error": message}, status=409)
            form.add_error(None, message)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if autosave:
                return JsonResponse(
                    {
                        "version": meeting.version,
                        "saved_at": timezone.localtime().strftime("%H:%M:%S"),
                    }
                )
            messages.success(request, "Record saved.")
            return redirect("meeting_record", meeting.pk)
    if autosave:
        return JsonResponse({"error": "Some answers need correcting: save the page."}, status=400)
    return _record_page(request, meeting, status=400, record_form=form)


@login_required
@require_POST
def meeting_agenda_add(request: HttpRequest, meeting_id) -> HttpResponse:
    meeting = _chair_meeting(request, meeting_id)
    form = AgendaItemForm(request.POST)
    if form.is_valid():
        try:
            meetings.agenda_item_add(acting_user=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Agenda item added. Save the record first if you had typed.")
            return redirect("meeting_record", meeting.pk)
    return _record_page(request, meeting, status=400, agenda_form=form)


@login_required
@require_POST
def meeting_dissent_add(request: HttpRequest, meeting_id) -> HttpResponse:
    meeting = _chair_meeting(request, meeting_id)
    subjects = list(meeting.subjects.select_related("case__child"))
    form = DissentForm(
        request.POST,
        subjects=subjects,
        agencies=Agency.objects.filter(pk__in=meeting.invitations.values("agency_id")),
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            meetings.dissent_add(
                acting_user=request.user,
                meeting=meeting,
                case=form.case_objects[data["case"]],
                person_name=data["person_name"],
                agency=data["agency"],
                reason=data["reason"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Dissent recorded in the minutes.")
            return redirect("meeting_record", meeting.pk)
    return _record_page(request, meeting, status=400, dissent_form=form)


@login_required
@require_POST
def meeting_action_add(request: HttpRequest, meeting_id) -> HttpResponse:
    meeting = _chair_meeting(request, meeting_id)
    subjects = list(meeting.subjects.select_related("case__child"))
    agencies = Agency.objects.filter(
        involvements__case__in=[s.case for s in subjects], involvements__ended_at__isnull=True
    ).distinct()
    people = selectors.action_owner_candidates(agencies)
    form = MeetingActionForm(request.POST, subjects=subjects, agencies=agencies, people=people)
    if form.is_valid():
        data = form.cleaned_data
        try:
            meetings.meeting_action_add(
                acting_user=request.user,
                meeting=meeting,
                case=form.case_objects[data["case"]],
                description=data["description"],
                agency=data["agency"],
                owner=data["owner"],
                due_on=data["due_on"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Action added.")
            return redirect("meeting_record", meeting.pk)
    return _record_page(request, meeting, status=400, action_form=form)


@login_required
def meeting_finalise(request: HttpRequest, meeting_id) -> HttpResponse:
    meeting = _chair_meeting(request, meeting_id)
    if meeting.is_finalised:
        return redirect("meeting_detail", meeting.pk)
    problems = meetings.finalise_problems(meeting)
    if request.method == "POST" and not problems:
        try:
            meetings.meeting_finalise(acting_user=request.user, meeting=meeting)
        except ValidationError as exc:
            problems = [("", m) for m in exc.messages]
        else:
            messages.success(request, "The record is final. Everyone invited has been told.")
            return redirect("meeting_detail", meeting.pk)
    return render(
        request,
        "meetings/finalise.html",
        {
            "meeting": meeting,
            "problems": problems,
            "subjects": list(meeting.subjects.select_related("case__child")),
        },
        status=400 if request.method == "POST" else 200,
    )
