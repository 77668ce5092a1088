"""Pages for referrals: refer from a case, the received and sent lists, and a
referral's page with the actions the state machine allows this person."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cases import selectors as case_selectors
from cases.selectors.record import note_agencies_for
from referrals import selectors, services
from referrals.forms import ReasonForm, ReferralFilter, ReferralForm
from referrals.models import Referral
from safeguard import workdays
from safeguard.audit.services import audit_record

ACTION_LABELS = {
    "acknowledge": "Acknowledge",
    "accept": "Accept",
    "decline": "Decline",
    "withdraw": "Withdraw",
    "close": "Close",
}


@login_required
def referral_create(request: HttpRequest, case_id) -> HttpResponse:
    case = case_selectors.get_case_for(request.user, case_id, audit=False)
    agencies = note_agencies_for(request.user, case)
    if not agencies.exists():
        raise Http404
    lead = case_selectors.has_lead_access(request.user, case)
    form = ReferralForm(request.POST or None, agencies=agencies, lead=lead)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.referral_send(
                acting_user=request.user,
                case=case,
                from_agency=data["agency"],
                to_agency=data["to_agency"],
                reason=data["reason"],
                request=data["request"],
                urgency=data["urgency"],
                sharing_basis=data["sharing_basis"],
                sharing_reason=data["sharing_reason"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Referral {referral.reference} sent.")
            return redirect("referral_detail", referral.pk)
    return render(request, "referrals/referral_form.html", {"case": case, "form": form})


@login_required
def referral_list(request: HttpRequest) -> HttpResponse:
    filters = ReferralFilter(request.GET or None, queryset=Referral.objects.none())
    received_qs = filters.narrow(selectors.received_for(request.user))
    sent_qs = filters.narrow(selectors.sent_for(request.user))
    if filters.ordering:
        received_qs = received_qs.order_by(*filters.ordering)
        sent_qs = sent_qs.order_by(*filters.ordering)
    received = list(received_qs[:100])
    sent = list(sent_qs[:100])
    today = timezone.localdate()
    for referral in received:
        referral.clock = (
            workdays.clock(workdays.local_date(referral.response_due_at), today)
            if referral.status in ("sent", "acknowledged")
            else None
        )
    audit_record(
        user=request.user,
        action="list",
        event="referrals_listed",
        detail={"references": [r.reference for r in received + sent]},
    )
    return render(
        request,
        "referrals/referral_list.html",
        {"received": received, "sent": sent, "filters": filters},
    )


@login_required
def referral_detail(request: HttpRequest, referral_id, form: ReasonForm | None = None):
    referral = selectors.get_referral_for(request.user, referral_id)
    case_visible = case_selectors.cases_for(request.user).filter(pk=referral.case_id).exists()
    return render(
        request,
        "referrals/referral_detail.html",
        {
            "referral": referral,
            "actions": [
                (a, ACTION_LABELS[a]) for a in services.allowed_actions(request.user, referral)
            ],
            "case_visible": case_visible,
            "reason_form": form or ReasonForm(),
        },
        status=400 if form else 200,
    )


@login_required
@require_POST
def referral_act(request: HttpRequest, referral_id, action: str) -> HttpResponse:
    if action not in services.TRANSITIONS:
        raise Http404
    referral = selectors.get_referral_for(request.user, referral_id)
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        services.referral_transition(
            acting_user=request.user,
            referral=referral,
            action=action,
            reason=form.cleaned_data.get("reason", ""),
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        form.add_error(None, exc)
        return referral_detail(request, referral_id, form=form)
    messages.success(request, f"Referral {referral.reference}: {ACTION_LABELS[action].lower()}ed.")
    return redirect("referral_detail", referral.pk)
