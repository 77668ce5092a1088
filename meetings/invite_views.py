"""Pages for inviting an agency with no part in the case, and for a manager's
answer to an invitation that needs one (another local authority's agency).

Inviting such an agency shares the child's record with it, so it is its own
step: find the agency by name, read what inviting it shares, give the reason.
The rules themselves are the services' (``require_invitable``): these pages
only say in advance what they will ask.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from agencies.models import Agency
from meetings import services as meetings
from meetings.forms import AgencySearchForm, InvitationDeclineForm, InviteBeyondCaseForm
from meetings.models import InvitationRequest, Meeting
from meetings.selectors import (
    agencies_beyond_the_case,
    agencies_on_the_case,
    get_meeting_for,
    has_meeting_lead_access,
    invite_rules,
    same_local_authority,
)
from meetings.views import _detail, _waiting_message
from safeguard.core.forms import add_service_errors


def _open_managed_meeting(request: HttpRequest, meeting_id) -> Meeting:
    meeting = get_meeting_for(request.user, meeting_id, audit=False)
    if meeting.is_finalised or not meetings.can_manage(request.user, meeting):
        raise Http404
    return meeting


@login_required
def meeting_invite_beyond(request: HttpRequest, meeting_id) -> HttpResponse:
    """Step 1 (no ``agency``): search by name. Step 2: what inviting it shares, and why."""
    meeting = _open_managed_meeting(request, meeting_id)
    children = [s.case.child.full_name for s in meeting.subjects.all()]
    slug = request.POST.get("agency") or request.GET.get("agency")
    if not slug:
        search = AgencySearchForm(request.GET or None)
        found = None
        if search.is_valid():
            found = [
                (agency, same_local_authority(agency, meeting.lead_agency))
                for agency in agencies_beyond_the_case(meeting, name=search.cleaned_data["name"])
            ]
        return render(
            request,
            "meetings/invite_beyond.html",
            {"meeting": meeting, "children": children, "search": search, "found": found},
            status=400 if search.errors else 200,
        )
    agency = Agency.objects.filter(slug=slug, is_active=True).first()
    if agency is None or agency.pk == meeting.lead_agency_id:
        raise Http404
    if agencies_on_the_case(meeting).filter(pk=agency.pk).exists():
        messages.info(request, f"{agency.name} is involved in the case: invite them here.")
        return redirect(f"{meeting_link(meeting)}#invited")
    rules = invite_rules(request.user, meeting, meeting.lead_agency, agency)
    form = InviteBeyondCaseForm(request.POST or None, initial={"report_requested": True})
    if request.method == "POST" and form.is_valid():
        try:
            invited = meetings.invite_or_request(
                acting_user=request.user,
                meeting=meeting,
                agency=agency,
                reason=form.cleaned_data["reason"],
                report_requested=form.cleaned_data["report_requested"],
                request_authorisation=True,  # the page said a manager must authorise
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            if isinstance(invited, InvitationRequest):
                messages.info(request, _waiting_message([invited]))
            else:
                messages.success(request, f"{agency.name} invited.")
            return redirect(f"{meeting_link(meeting)}#invited")
    return render(
        request,
        "meetings/invite_beyond_confirm.html",
        {"meeting": meeting, "children": children, "agency": agency, "rules": rules, "form": form},
        status=400 if form.errors else 200,
    )


def meeting_link(meeting: Meeting) -> str:
    return reverse("meeting_detail", args=[meeting.pk])


@login_required
@require_POST
def invitation_request_answer(
    request: HttpRequest, meeting_id, invitation_request_id
) -> HttpResponse:
    """A manager of the lead agency authorises or declines a waiting invitation."""
    meeting = get_meeting_for(request.user, meeting_id, audit=False)
    if not has_meeting_lead_access(request.user, meeting):
        raise Http404
    waiting = (
        meeting.invitation_requests.filter(pk=invitation_request_id)
        .select_related("agency")
        .first()
    )
    if waiting is None:
        raise Http404
    if request.POST.get("decision") == "authorise":
        try:
            meetings.invitation_request_authorise(acting_user=request.user, request=waiting)
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:  # already answered, or the record is final
            for message in exc.messages:
                messages.error(request, message)
            return redirect(f"{meeting_link(meeting)}#waiting")
        messages.success(request, f"Invitation to {waiting.agency.name} authorised and sent.")
        return redirect(f"{meeting_link(meeting)}#invited")
    form = InvitationDeclineForm(request.POST, auto_id=f"id_decline_{waiting.pk}_%s")
    if form.is_valid():
        try:
            meetings.invitation_request_decline(
                acting_user=request.user, request=waiting, reason=form.cleaned_data["reason"]
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Invitation to {waiting.agency.name} declined.")
            return redirect(f"{meeting_link(meeting)}#waiting")
    return _detail(
        request, meeting_id, status=400, decline_form=form, decline_request_id=waiting.pk
    )
