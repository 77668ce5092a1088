"""The front door: the triage queue, finding the child, the decision and its
authorisation. Only people who work that front door reach these pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from agencies.roles import TRIAGE_ROLES
from agencies.selectors import agencies_where
from cases import selectors, services
from cases.forms.concerns import ChildForm, DecisionForm, LinkChildForm, ReturnDecisionForm
from cases.forms.filters import FrontDoorFilter
from cases.matching import Candidate, Subject, find_candidates
from cases.models import Concern
from cases.selectors.concerns import FRONT_DOOR_FIELDS
from cases.selectors.search import search
from safeguard import workdays
from safeguard.audit.services import audit_record
from safeguard.core import keyset
from safeguard.core.keyset import keyset_page


@login_required
def front_door(request: HttpRequest) -> HttpResponse:
    if not agencies_where(request.user, roles=TRIAGE_ROLES).exists():
        raise Http404
    filters = FrontDoorFilter(request.GET or None, queryset=Concern.objects.none())
    page = keyset_page(
        filters.narrow(
            selectors.front_door_queue_for(request.user)
            .select_related(None)
            .select_related("reporting_agency")
            .only(*FRONT_DOOR_FIELDS)
        ),
        filters.ordering,
        request.GET.get("cursor"),
        per_page=2 * keyset.PER_PAGE,  # a duty shift's worth at a glance
        query=filters.query(),
    )
    queue = page.object_list
    today = timezone.localdate()
    rows = [
        {
            "concern": c,
            "clock": workdays.clock(workdays.local_date(c.decision_due_at), today)
            if c.decision_due_at
            else None,
        }
        for c in queue
    ]
    audit_record(
        user=request.user,
        action="list",
        event="front_door_listed",
        detail={"references": [c.reference for c in queue]},
    )
    return render(
        request, "cases/front_door.html", {"rows": rows, "page": page, "filters": filters}
    )


def _triage_concern(request: HttpRequest, concern_id) -> Concern:
    concern = selectors.get_concern_for(request.user, concern_id, audit=False)
    if concern.status == Concern.Status.DRAFT or not selectors.can_triage(request.user, concern):
        raise Http404
    return concern


@login_required
def concern_triage(request: HttpRequest, concern_id, *, forms: dict | None = None) -> HttpResponse:
    concern = _triage_concern(request, concern_id)
    audit_record(user=request.user, action="view", event="concern_triaged_viewed", obj=concern)
    forms = forms or {}
    subject = Subject(
        first_name=concern.child_first_name,
        last_name=concern.child_last_name,
        date_of_birth=concern.child_date_of_birth,
        postcode=concern.child_postcode,
        nhs_number=concern.child_nhs_number,
        upn=concern.child_upn,
    )
    at_door = selectors.children_at_front_door(request.user, concern.lead_agency)
    # The duty worker's own look-up (a name, date of birth, identifier or
    # reference), in the same scope as the match on what the referrer typed.
    find = request.GET.get("find", "")[:200].strip()
    looked_up = None
    if concern.status != Concern.Status.SUBMITTED:
        candidates = []
    elif find:
        looked_up = search(request.user, find, children=at_door, where="front door", concerns=False)
        candidates = [Candidate(h.child, h.score, h.reasons) for h in looked_up.hits]
    else:
        candidates = find_candidates(at_door, subject)
    known = selectors.known_about(request.user, [c.child.pk for c in candidates])
    matches = [{"candidate": c, "known": known[c.child.pk]} for c in candidates]
    restricted_match = concern.status == Concern.Status.SUBMITTED and bool(
        find_candidates(
            selectors.restricted_children_at_front_door(request.user, concern.lead_agency),
            subject,
            limit=1,
        )
    )
    child_form = forms.get("child") or ChildForm(
        initial={
            "first_name": concern.child_first_name,
            "last_name": concern.child_last_name,
            "date_of_birth": concern.child_date_of_birth,
            "sex": "U",
            "nhs_number": concern.child_nhs_number,
            "upn": concern.child_upn,
            "address": concern.child_address,
            "postcode": concern.child_postcode,
            "school": concern.child_school,
        }
    )
    decision_form = forms.get("decision") or DecisionForm(
        initial={
            "decision": concern.decision,
            "decision_reason": concern.decision_reason,
            # A suggestion the person confirms or changes (never stored unchosen).
            "referral_source": concern.referral_source
            or services.suggested_referral_source(concern),
        }
    )
    clock = (
        workdays.clock(workdays.local_date(concern.decision_due_at))
        if concern.decision_due_at and concern.status != Concern.Status.COMPLETED
        else None
    )
    open_case = concern.child.cases.filter(status="open").first() if concern.child_id else None
    return render(
        request,
        "cases/concern_triage.html",
        {
            "concern": concern,
            "clock": clock,
            "candidates": candidates,
            "find": find,
            "looked_up": looked_up,
            "matches": matches,
            "restricted_match": restricted_match,
            "body_map": selectors.body_map_for(concern),
            "child_form": child_form,
            "decision_form": decision_form,
            "return_form": forms.get("return") or ReturnDecisionForm(),
            "can_authorise": selectors.can_authorise(request.user, concern),
            "open_case": open_case,
        },
        status=400 if forms else 200,
    )


@login_required
@require_POST
def concern_link_child(request: HttpRequest, concern_id) -> HttpResponse:
    concern = _triage_concern(request, concern_id)
    form = LinkChildForm(request.POST)
    child = None
    if form.is_valid():
        child = (
            selectors.children_at_front_door(request.user, concern.lead_agency)
            .filter(pk=form.cleaned_data["child"])
            .first()
        )
    if child is None:
        raise Http404
    services.concern_link_child(acting_user=request.user, concern=concern, child=child)
    messages.success(request, f"Linked to {child.full_name} ({child.reference}).")
    return redirect("concern_triage", concern.pk)


@login_required
@require_POST
def concern_create_child(request: HttpRequest, concern_id) -> HttpResponse:
    concern = _triage_concern(request, concern_id)
    form = ChildForm(request.POST)
    if not form.is_valid():
        return concern_triage(request, concern_id, forms={"child": form})
    try:
        child = services.child_create(
            acting_user=request.user, lead_agency=concern.lead_agency, **form.cleaned_data
        )
        services.concern_link_child(acting_user=request.user, concern=concern, child=child)
    except ValidationError as exc:
        form.add_error(None, exc)
        return concern_triage(request, concern_id, forms={"child": form})
    messages.success(request, f"New child record {child.reference} created and linked.")
    return redirect("concern_triage", concern.pk)


@login_required
@require_POST
def concern_decide(request: HttpRequest, concern_id) -> HttpResponse:
    concern = _triage_concern(request, concern_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return concern_triage(request, concern_id, forms={"decision": form})
    try:
        services.concern_record_decision(
            acting_user=request.user,
            concern=concern,
            decision=form.cleaned_data["decision"],
            reason=form.cleaned_data["decision_reason"],
            referral_source=form.cleaned_data["referral_source"],
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return concern_triage(request, concern_id, forms={"decision": form})
    messages.success(request, "Decision recorded. A manager has been asked to authorise it.")
    return redirect("front_door")


@login_required
@require_POST
def concern_authorise(request: HttpRequest, concern_id) -> HttpResponse:
    concern = _triage_concern(request, concern_id)
    try:
        concern = services.concern_authorise_decision(acting_user=request.user, concern=concern)
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("concern_triage", concern.pk)
    if concern.case_id:
        messages.success(request, f"Decision authorised. Case {concern.case.reference} is open.")
        return redirect("case_detail", concern.case_id)
    messages.success(request, "Decision authorised. The person who raised it has been told.")
    return redirect("front_door")


@login_required
@require_POST
def concern_return(request: HttpRequest, concern_id) -> HttpResponse:
    concern = _triage_concern(request, concern_id)
    if not selectors.can_authorise(request.user, concern):
        raise Http404
    form = ReturnDecisionForm(request.POST)
    if not form.is_valid():
        return concern_triage(request, concern_id, forms={"return": form})
    services.concern_return_decision(
        acting_user=request.user, concern=concern, comment=form.cleaned_data["comment"]
    )
    messages.success(request, "Decision returned to the front door.")
    return redirect("front_door")
