"""Pages for meetings: the list, scheduling, the invitee's view and the addenda
(the chair's record is in record_views.py).

Thin: each view finds the meeting through the permission-scoped selector
(404 for anyone it is not for), validates a form and calls one service.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cases import selectors
from cases.selectors import record as household
from meetings import services as meetings
from meetings.clocks import meeting_clock, propose_date
from meetings.forms import (
    AddendumForm,
    AgencyReportForm,
    InvitationResponseForm,
    InvitationWithdrawForm,
    InviteAgencyForm,
    InvitePersonForm,
    MeetingFilter,
    MeetingScheduleForm,
)
from meetings.models import InvitationRequest, Meeting
from meetings.next_steps import next_steps_for
from meetings.sections import meeting_sections_for
from meetings.selectors import (
    LISTED_FIELDS,
    MEETING_ORDER,
    agencies_on_the_case,
    get_meeting_for,
    is_manager_of,
    meeting_detail_for,
    meeting_list_page_for,
    meeting_rows_for,
    name_children,
    pending_requests_for,
)
from safeguard.audit.services import audit_record
from safeguard.core.forms import add_service_errors
from safeguard.core.keyset import keyset_page


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    filters = MeetingFilter(request.GET or None, queryset=Meeting.objects.none())
    ordering = filters.ordering or MEETING_ORDER
    cursor = request.GET.get("cursor")
    if not filters.applied():
        # As most people see it: two statements compiled once per process.
        upcoming, page = meeting_list_page_for(
            request.user, cursor, ordering=ordering, query=filters.query()
        )
    else:
        # The table's columns only; the children beside each meeting are read
        # once for both lists below.
        meetings_qs = (
            filters.narrow(meeting_rows_for(request.user))
            .prefetch_related(None)
            .select_related(None)
            .only(*LISTED_FIELDS)
        )
        to_come = Q(scheduled_at__gte=now, finalised_at__isnull=True)
        upcoming = list(meetings_qs.filter(to_come).order_by("scheduled_at", "id")[:50])
        # Held: finalised, or its time has passed (a record still being written).
        page = keyset_page(meetings_qs.exclude(to_come), ordering, cursor, query=filters.query())
    name_children([*upcoming, *page])
    audit_record(
        user=request.user,
        action="list",
        event="meetings_listed",
        detail={"references": [m.reference for m in [*upcoming, *page]]},
    )
    return render(
        request,
        "meetings/list.html",
        {"upcoming": upcoming, "page": page, "filters": filters},
    )


def _schedulable_case(request: HttpRequest, case_id):
    case = selectors.get_case_for(request.user, case_id, audit=False)
    if not meetings.can_schedule(request.user, case):
        raise Http404
    return case


@login_required
def meeting_choose_kind(request: HttpRequest, case_id) -> HttpResponse:
    case = _schedulable_case(request, case_id)
    kinds = []
    for kind in Meeting.Kind:
        clock = meeting_clock(kind, [case])
        kinds.append({"kind": kind, "clock": clock})
    return render(request, "meetings/choose_kind.html", {"case": case, "kinds": kinds})


@login_required
def meeting_schedule(request: HttpRequest, case_id, kind: str) -> HttpResponse:
    case = _schedulable_case(request, case_id)
    if kind not in Meeting.Kind.values:
        raise Http404
    follows = None
    if request.GET.get("follows"):
        try:
            follows = get_meeting_for(request.user, request.GET["follows"], audit=False)
        except (Http404, ValidationError):
            follows = None
    cases = [case] + [
        c
        for c in household.linked_sibling_cases(request.user, case)
        if meetings.can_schedule(request.user, c) and c.lead_agency_id == case.lead_agency_id
    ]
    clock = meeting_clock(kind, [case], follows)
    form = MeetingScheduleForm(
        request.POST or None,
        cases=cases,
        chairs=meetings.chairs_for(case.lead_agency),
        # Only agencies already on the case, none ticked for the user: any
        # other is invited on the meeting's own page, with a reason.
        agencies=agencies_on_the_case(cases),
        initial={
            "cases": [str(case.pk)],
            "scheduled_on": propose_date(clock),
            "scheduled_time": "10:00",
            "chair": request.user.pk
            if meetings.chairs_for(case.lead_agency).filter(pk=request.user.pk).exists()
            else None,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = meetings.meeting_schedule(
                acting_user=request.user,
                kind=kind,
                cases=form.chosen_cases(),
                chair=data["chair"],
                scheduled_at=form.scheduled_at(),
                format=data["format"],
                location=data["location"],
                video_link=data["video_link"],
                follows=follows,
                late_reason=data["late_reason"],
                report_due_on=data["report_due_on"],
                purpose=data["purpose"],
                invite=data["invite"],
                # The page says so below: another authority's agency waits for a manager.
                request_authorisation=True,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(request, f"{meeting.get_kind_display()} {meeting.reference} arranged.")
            if waiting := pending_requests_for(meeting):
                messages.info(request, _waiting_message(waiting))
            return redirect("meeting_detail", meeting.pk)
    return render(
        request,
        "meetings/schedule.html",
        {
            "case": case,
            "kind": Meeting.Kind(kind),
            "clock": clock,
            "form": form,
            "follows": follows,
        },
        status=400 if form.errors else 200,
    )


def _detail(request: HttpRequest, meeting_id, status: int = 200, **forms) -> HttpResponse:
    context = meeting_detail_for(request.user, meeting_id)
    meeting = context["meeting"]
    context["report_rows"] = meetings.report_status(
        meeting, context["invitations"], context["reports"]
    )
    if meeting.is_open:
        agencies = meetings.report_agencies(request.user, meeting)
        if agencies.exists():
            mine = next(
                (r for r in context["reports"] if r.agency_id in {a.pk for a in agencies}), None
            )
            context.setdefault(
                "report_form",
                AgencyReportForm(
                    agencies=agencies,
                    initial={
                        "text": mine.text if mine else "",
                        "shared_with_invitees": mine.shared_with_invitees if mine else False,
                        "child_wishes": mine.child_wishes if mine else "",
                        "wishes_not_obtained": mine.wishes_not_obtained if mine else "",
                        "wishes_not_obtained_detail": mine.wishes_not_obtained_detail
                        if mine
                        else "",
                    },
                ),
            )
            context["response_form"] = InvitationResponseForm()
        if meetings.can_manage(request.user, meeting):
            context.setdefault(
                "invite_form",
                InviteAgencyForm(
                    agencies=agencies_on_the_case(meeting).exclude(
                        pk__in=[i.agency_id for i in context["invitations"] if not i.person]
                    ),
                    initial={"report_requested": True},
                ),
            )
            context["can_withdraw"] = True
            context["can_change_arrangements"] = True
            context.setdefault(
                "invite_person_form",
                InvitePersonForm(memberships=meetings.invitees_to_choose(meeting)),
            )
    elif meeting.is_finalised and meetings.can_manage(request.user, meeting):
        context.setdefault("addendum_form", AddendumForm())
    if context["lead_access"] and not meeting.is_finalised:
        context["pending_requests"] = pending_requests_for(meeting)
        context["can_authorise"] = is_manager_of(request.user, meeting.lead_agency)
    # After the record is final, what its decisions call for next, per child,
    # from the one place that knows (never a fixed list of meeting kinds).
    context["next_steps_by_case"] = (
        [(s.case, next_steps_for(request.user, s.case)) for s in context["subjects"]]
        if meeting.is_finalised and context["lead_access"]
        else []
    )
    context["meeting_sections"], contributed = meeting_sections_for(
        request.user, meeting, context["subjects"]
    )
    context.update(contributed)
    context["can_add_attendees"] = meeting.is_open and meetings.can_manage(request.user, meeting)
    if meeting.kind == Meeting.Kind.STRATEGY:
        context["participants"] = meetings.strategy_participants(meeting)
    context["schedulable_case"] = next(
        (s.case for s in context["subjects"] if meetings.can_schedule(request.user, s.case)), None
    )
    context.update(forms)
    return render(request, "meetings/detail.html", context, status=status)


@login_required
def meeting_detail(request: HttpRequest, meeting_id) -> HttpResponse:
    return _detail(request, meeting_id)


@login_required
@require_POST
def meeting_respond(request: HttpRequest, meeting_id, invitation_id) -> HttpResponse:
    meeting = get_meeting_for(request.user, meeting_id, audit=False)
    invitation = meeting.invitations.filter(pk=invitation_id).first()
    if invitation is None:
        raise Http404
    form = InvitationResponseForm(request.POST)
    if form.is_valid():
        try:
            meetings.invitation_respond(
                acting_user=request.user,
                invitation=invitation,
                response=form.cleaned_data["response"],
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Your reply has been sent to the chair.")
            return redirect("meeting_detail", meeting.pk)
    return _detail(request, meeting_id, status=400, response_form=form)


@login_required
@require_POST
def meeting_report(request: HttpRequest, meeting_id) -> HttpResponse:
    meeting = get_meeting_for(request.user, meeting_id, audit=False)
    agencies = meetings.report_agencies(request.user, meeting)
    if not agencies.exists():
        raise Http404
    form = AgencyReportForm(request.POST, agencies=agencies)
    if form.is_valid():
        try:
            meetings.report_submit(
                acting_user=request.user,
                meeting=meeting,
                agency=form.cleaned_data["agency"],
                text=form.cleaned_data["text"],
                shared_with_invitees=form.cleaned_data["shared_with_invitees"],
                child_wishes=form.cleaned_data["child_wishes"],
                wishes_not_obtained=form.cleaned_data["wishes_not_obtained"],
                wishes_not_obtained_detail=form.cleaned_data["wishes_not_obtained_detail"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Your agency's report has been sent to the chair.")
            return redirect("meeting_detail", meeting.pk)
    return _detail(request, meeting_id, status=400, report_form=form)


@login_required
@require_POST
def meeting_invitation_withdraw(request: HttpRequest, meeting_id, invitation_id) -> HttpResponse:
    meeting = _managed_meeting(request, meeting_id)
    invitation = meeting.invitations.filter(pk=invitation_id).select_related("agency").first()
    if invitation is None:
        raise Http404
    form = InvitationWithdrawForm(request.POST)
    if form.is_valid():
        try:
            meetings.invitation_withdraw(
                acting_user=request.user, invitation=invitation, reason=form.cleaned_data["reason"]
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            add_service_errors(form, exc)
            if meeting.is_finalised:  # no withdraw buttons on a final record: say why here
                for error in form.non_field_errors():
                    messages.error(request, error)
        else:
            messages.success(request, f"Invitation to {invitation.agency.name} withdrawn.")
            return redirect("meeting_detail", meeting.pk)
    return _detail(
        request,
        meeting_id,
        status=400,
        withdraw_form=form,
        withdraw_invitation_id=invitation.pk,
    )


def _waiting_message(waiting) -> str:
    names = ", ".join(r.agency.name for r in waiting)
    return (
        f"{names}: another local authority's agency. The invitation waits for a manager "
        "of the lead agency to authorise it; until then nothing is shared with them."
    )


def _managed_meeting(request: HttpRequest, meeting_id) -> Meeting:
    meeting = get_meeting_for(request.user, meeting_id, audit=False)
    if not meetings.can_manage(request.user, meeting):
        raise Http404
    return meeting


@login_required
@require_POST
def meeting_invite(request: HttpRequest, meeting_id) -> HttpResponse:
    meeting = _managed_meeting(request, meeting_id)
    form = InviteAgencyForm(request.POST, agencies=agencies_on_the_case(meeting))
    if form.is_valid():
        try:
            invited = meetings.invite_or_request(
                acting_user=request.user,
                meeting=meeting,
                agency=form.cleaned_data["agency"],
                report_requested=form.cleaned_data["report_requested"],
                request_authorisation=True,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if isinstance(invited, InvitationRequest):
                messages.info(request, _waiting_message([invited]))
            else:
                messages.success(request, f"{form.cleaned_data['agency'].name} invited.")
            return redirect("meeting_detail", meeting.pk)
    return _detail(request, meeting_id, status=400, invite_form=form)


@login_required
@require_POST
def meeting_invite_person(request: HttpRequest, meeting_id) -> HttpResponse:
    meeting = _managed_meeting(request, meeting_id)
    form = InvitePersonForm(request.POST, memberships=meetings.invitees_to_choose(meeting))
    if form.is_valid():
        membership = form.cleaned_data["membership"]
        try:
            meetings.meeting_invite(
                acting_user=request.user,
                meeting=meeting,
                agency=membership.agency,
                person=membership.user,
                report_requested=False,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{membership.user.get_full_name()} invited by name.")
            return redirect("meeting_detail", meeting.pk)
    return _detail(request, meeting_id, status=400, invite_person_form=form)


@login_required
@require_POST
def meeting_addendum_add(request: HttpRequest, meeting_id) -> HttpResponse:
    meeting = _managed_meeting(request, meeting_id)
    form = AddendumForm(request.POST)
    if form.is_valid():
        try:
            meetings.addendum_add(
                acting_user=request.user, meeting=meeting, text=form.cleaned_data["text"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Addendum added to the record.")
            return redirect("meeting_detail", meeting.pk)
    return _detail(request, meeting_id, status=400, addendum_form=form)
