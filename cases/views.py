"""Pages for concerns, the front door and cases. Thin: validate, call a service
or selector, render. Anything the user may not see is a 404."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms.utils import ErrorDict
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.views.decorators.http import require_POST

from agencies.models import Agency
from agencies.roles import CONCERN_LOGGING_ROLES
from agencies.selectors import agencies_where, lead_agencies
from safeguard import workdays
from safeguard.audit.services import audit_record

from . import notes, restrictions, selectors, services
from .access import explain_access, involvement_end, involvement_start
from .forms import (
    AddAgencyForm,
    BreakGlassForm,
    CaseNoteForm,
    ChildForm,
    ConcernForm,
    DecisionForm,
    LinkChildForm,
    RestrictCaseForm,
    ReturnDecisionForm,
)
from .matching import Subject, find_candidates
from .models import Concern, Involvement

# Form fields that are never kept in a draft.
_NOT_DRAFTED = {"csrfmiddlewaretoken", "action"}


def _reporting_agencies(request: HttpRequest):
    agencies = agencies_where(request.user, roles=CONCERN_LOGGING_ROLES)
    if not agencies.exists():
        raise Http404
    return agencies


def _concern_form(request: HttpRequest, data=None, initial=None) -> ConcernForm:
    reporting = _reporting_agencies(request)
    return ConcernForm(
        data,
        initial=initial,
        reporting_agencies=reporting,
        lead_agencies=lead_agencies(),
    )


def _draft_payload(request: HttpRequest) -> dict[str, list[str]]:
    return {k: v for k, v in request.POST.lists() if k not in _NOT_DRAFTED}


def _form_from_draft(request: HttpRequest, concern: Concern) -> ConcernForm:
    """Show a draft exactly as it was typed, without shouting errors at half-done work."""
    form = _concern_form(request, data=MultiValueDict(concern.draft_data))
    form._errors = ErrorDict()  # bound for its values, but not yet judged
    form.cleaned_data = {}
    return form


def _default_initial(request: HttpRequest) -> dict:
    reporting = _reporting_agencies(request).first()
    lead = reporting.default_lead_agency or lead_agencies().first()
    return {"reporting_agency": reporting, "lead_agency": lead}


@login_required
def concern_create(request: HttpRequest) -> HttpResponse:
    return _concern_form_view(request, concern=None)


@login_required
def concern_edit(request: HttpRequest, concern_id) -> HttpResponse:
    concern = selectors.get_concern_for(request.user, concern_id)
    if concern.status != Concern.Status.DRAFT:
        return redirect("concern_detail", concern.pk)
    return _concern_form_view(request, concern=concern)


def _concern_form_view(request: HttpRequest, concern: Concern | None) -> HttpResponse:
    if request.method == "POST":
        form = _concern_form(request, data=request.POST)
        action = request.POST.get("action", "submit")
        if action == "discard" and concern is not None:
            services.concern_discard_draft(acting_user=request.user, concern=concern)
            messages.success(request, "Draft deleted.")
            return redirect("concern_list")
        if action == "save_draft":
            concern = _save_draft(request, concern)
            messages.success(request, "Draft saved. You can come back to it from My concerns.")
            return redirect("concern_edit", concern.pk)
        if form.is_valid():
            try:
                concern = services.concern_submit(
                    acting_user=request.user,
                    reporting_agency=form.cleaned_data["reporting_agency"],
                    lead_agency=form.cleaned_data["lead_agency"],
                    fields=form.service_fields(),
                    concern=concern,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect("concern_submitted", concern.pk)
        else:
            # Keep the work even if the page is closed now.
            concern = _save_draft(request, concern)
    elif concern is not None:
        form = _form_from_draft(request, concern)
    else:
        form = _concern_form(request, initial=_default_initial(request))
    return render(
        request,
        "cases/concern_form.html",
        {
            "form": form,
            "concern": concern,
            "autosave_url": reverse("concern_autosave", args=[concern.pk])
            if concern
            else reverse("concern_autosave_new"),
        },
    )


def _save_draft(request: HttpRequest, concern: Concern | None) -> Concern:
    reporting = _reporting_agencies(request)
    chosen = reporting.filter(pk=request.POST.get("reporting_agency") or None).first()
    return services.concern_save_draft(
        acting_user=request.user,
        reporting_agency=chosen or (concern.reporting_agency if concern else reporting.first()),
        data=_draft_payload(request),
        concern=concern,
    )


@login_required
@require_POST
def concern_autosave(request: HttpRequest, concern_id=None) -> JsonResponse:
    """Called by the page's script every few seconds while someone types."""
    concern = selectors.get_concern_for(request.user, concern_id) if concern_id else None
    if concern is not None and concern.status != Concern.Status.DRAFT:
        return JsonResponse({"error": "This concern has already been submitted."}, status=409)
    concern = _save_draft(request, concern)
    return JsonResponse(
        {
            "id": str(concern.pk),
            "saved_at": timezone.localtime(concern.updated_at).strftime("%H:%M:%S"),
            "edit_url": reverse("concern_edit", args=[concern.pk]),
            "autosave_url": reverse("concern_autosave", args=[concern.pk]),
        }
    )


@login_required
def concern_submitted(request: HttpRequest, concern_id) -> HttpResponse:
    concern = selectors.get_concern_for(request.user, concern_id)
    if concern.status == Concern.Status.DRAFT:
        return redirect("concern_edit", concern.pk)
    return render(request, "cases/concern_submitted.html", {"concern": concern})


@login_required
def concern_list(request: HttpRequest) -> HttpResponse:
    concerns = selectors.my_concerns_for(request.user)
    page = Paginator(concerns, 25).get_page(request.GET.get("page"))
    audit_record(
        user=request.user,
        action="list",
        event="my_concerns_listed",
        detail={"references": [c.reference for c in page if c.reference]},
    )
    return render(request, "cases/concern_list.html", {"page": page})


@login_required
def concern_detail(request: HttpRequest, concern_id) -> HttpResponse:
    concern = selectors.get_concern_for(request.user, concern_id)
    if concern.status == Concern.Status.DRAFT:
        return redirect("concern_edit", concern.pk)
    visible_case = (
        selectors.cases_for(request.user).filter(pk=concern.case_id).first()
        if concern.case_id
        else None
    )
    return render(
        request,
        "cases/concern_detail.html",
        {
            "concern": concern,
            "case": visible_case,
            "can_triage": selectors.can_triage(request.user, concern),
        },
    )


# The front door ----------------------------------------------------------------


@login_required
def front_door(request: HttpRequest) -> HttpResponse:
    if not agencies_where(request.user, roles={"social_worker", "manager"}).exists():
        raise Http404
    queue = list(selectors.front_door_queue_for(request.user)[:200])
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
    return render(request, "cases/front_door.html", {"rows": rows})


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
    candidates = (
        find_candidates(
            selectors.children_at_front_door(request.user, concern.lead_agency), subject
        )
        if concern.status == Concern.Status.SUBMITTED
        else []
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
        initial={"decision": concern.decision, "decision_reason": concern.decision_reason}
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


# Cases -------------------------------------------------------------------------


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.case_list_for(request.user), 25).get_page(request.GET.get("page"))
    audit_record(
        user=request.user,
        action="list",
        event="cases_listed",
        detail={"references": [c.reference for c in page]},
    )
    restricted = list(selectors.restricted_cases_noticed_by(request.user)[:50])
    return render(request, "cases/case_list.html", {"page": page, "restricted": restricted})


@login_required
def case_detail(request: HttpRequest, case_id) -> HttpResponse:
    try:
        context = selectors.case_detail_for(request.user, case_id)
    except Http404:
        return _restricted_notice(request, case_id)
    case = context["case"]
    context["can_restrict"] = restrictions.can_restrict(request.user, case)
    context["break_glass"] = (
        selectors.active_break_glass(request.user, case) if case.is_restricted else None
    )
    context["can_oversee"] = _can_oversee(request, case)
    context["note_form"] = _note_form(request, case, context["lead_access"])
    context["can_manage_involvement"] = _can_manage_involvement(request, case)
    if context["can_manage_involvement"]:
        context["add_agency_form"] = AddAgencyForm(agencies=_agencies_to_add(case))
    return render(request, "cases/case_detail.html", context)


def _note_form(request: HttpRequest, case, lead: bool, data=None) -> CaseNoteForm | None:
    agencies = notes.note_agencies_for(request.user, case)
    if not agencies.exists():
        return None
    return CaseNoteForm(data, agencies=agencies, lead=lead)


@login_required
@require_POST
def case_note_add(request: HttpRequest, case_id) -> HttpResponse:
    case = selectors.get_case_for(request.user, case_id, audit=False)
    lead = selectors.has_lead_access(request.user, case)
    form = _note_form(request, case, lead, data=request.POST)
    if form is None:
        raise Http404
    if form.is_valid():
        try:
            notes.case_note_add(
                acting_user=request.user,
                case=case,
                agency=form.cleaned_data["agency"],
                text=form.cleaned_data["text"],
                sensitivity=form.cleaned_data["sensitivity"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Note added.")
            return redirect("case_detail", case.pk)
    context = selectors.case_detail_for(request.user, case_id)
    context.update(note_form=form, can_restrict=False, can_oversee=False)
    return render(request, "cases/case_detail.html", context, status=400)


def _can_manage_involvement(request: HttpRequest, case) -> bool:
    """The lead agency's social workers and managers add and end involvements."""
    return agencies_where(request.user, roles={"social_worker", "manager"}).filter(
        pk=case.lead_agency_id
    ).exists() and selectors.has_lead_access(request.user, case)


def _agencies_to_add(case):
    involved = case.involvements.filter(ended_at__isnull=True).values("agency_id")
    return Agency.objects.filter(is_active=True).exclude(pk__in=involved).order_by("name")


@login_required
@require_POST
def case_add_agency(request: HttpRequest, case_id) -> HttpResponse:
    case = selectors.get_case_for(request.user, case_id, audit=False)
    if not _can_manage_involvement(request, case):
        raise Http404
    form = AddAgencyForm(request.POST, agencies=_agencies_to_add(case))
    if form.is_valid():
        agency = form.cleaned_data["agency"]
        involvement_start(
            acting_user=request.user,
            case=case,
            agency=agency,
            level=Involvement.Level.INVOLVED,
            reason=Involvement.Reason.ADDED,
        )
        messages.success(request, f"{agency.name} is now involved in this case.")
    else:
        messages.error(request, "Choose an agency that is not already involved.")
    return redirect("case_detail", case.pk)


@login_required
@require_POST
def case_end_involvement(request: HttpRequest, case_id, involvement_id) -> HttpResponse:
    case = selectors.get_case_for(request.user, case_id, audit=False)
    if not _can_manage_involvement(request, case):
        raise Http404
    involvement = (
        case.involvements.filter(pk=involvement_id, ended_at__isnull=True)
        .exclude(level=Involvement.Level.LEAD)
        .select_related("agency")
        .first()
    )
    if involvement is None:
        raise Http404
    involvement_end(acting_user=request.user, involvement=involvement)
    messages.success(
        request, f"{involvement.agency.name}'s involvement has ended; their access ends now."
    )
    return redirect("case_detail", case.pk)


def _can_oversee(request: HttpRequest, case) -> bool:
    try:
        selectors.get_case_for_oversight(request.user, case.pk)
    except Http404:
        return False
    return True


def _restricted_notice(request: HttpRequest, case_id, form: BreakGlassForm | None = None):
    """The one deliberate exception to 404: people who would otherwise see a
    restricted case are told it exists, and nothing of what it holds."""
    case = selectors.restricted_cases_noticed_by(request.user).filter(pk=case_id).first()
    if case is None:
        raise Http404
    audit_record(
        user=request.user, action="view", event="restricted_notice_shown", obj=case, case_id=case.pk
    )
    return render(
        request,
        "cases/restricted_notice.html",
        {
            "case": case,
            "can_break_glass": restrictions.can_break_glass(request.user, case),
            "form": form or BreakGlassForm(),
            "hours": settings.BREAK_GLASS_HOURS,
        },
        status=400 if form else 403,
    )


@login_required
@require_POST
def case_break_glass(request: HttpRequest, case_id) -> HttpResponse:
    case = selectors.restricted_cases_noticed_by(request.user).filter(pk=case_id).first()
    if case is None or not restrictions.can_break_glass(request.user, case):
        raise Http404
    form = BreakGlassForm(request.POST)
    if not form.is_valid():
        return _restricted_notice(request, case_id, form)
    try:
        restrictions.case_break_glass(
            acting_user=request.user, case=case, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return _restricted_notice(request, case_id, form)
    messages.success(
        request,
        f"You have access for {settings.BREAK_GLASS_HOURS:g} hours. "
        "The lead agency's managers have been told.",
    )
    return redirect("case_detail", case.pk)


@login_required
def case_restrict(request: HttpRequest, case_id) -> HttpResponse:
    case = selectors.get_case_for(request.user, case_id, audit=False)
    if not restrictions.can_restrict(request.user, case):
        raise Http404
    people = services.members_with_roles(case.lead_agency, {"social_worker", "manager"})
    form = RestrictCaseForm(request.POST or None, people=people, lifting=case.is_restricted)
    if request.method == "POST" and form.is_valid():
        try:
            if case.is_restricted:
                restrictions.case_lift_restriction(
                    acting_user=request.user, case=case, reason=form.cleaned_data["reason"]
                )
                messages.success(request, "The restriction has been lifted.")
            else:
                restrictions.case_restrict(
                    acting_user=request.user,
                    case=case,
                    reason=form.cleaned_data["reason"],
                    named_users=form.cleaned_data["named_users"],
                )
                messages.success(request, "The case is restricted to the people named.")
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("case_detail", case.pk)
    return render(request, "cases/case_restrict.html", {"case": case, "form": form})


@login_required
def case_access_log(request: HttpRequest, case_id) -> HttpResponse:
    case = selectors.get_case_for_oversight(request.user, case_id)
    page = Paginator(selectors.access_log_for(request.user, case), 50).get_page(
        request.GET.get("page")
    )
    audit_record(
        user=request.user, action="view", event="access_log_viewed", obj=case, case_id=case.pk
    )
    return render(request, "cases/case_access_log.html", {"case": case, "page": page})


@login_required
def case_access_explained(request: HttpRequest, case_id) -> HttpResponse:
    case = selectors.get_case_for_oversight(request.user, case_id)
    username = request.GET.get("username", "").strip()
    person = reasons = None
    if username:
        person = get_user_model().objects.filter(username=username).first()
        reasons = explain_access(person, case) if person else None
        audit_record(
            user=request.user,
            action="view",
            event="access_explained",
            obj=case,
            case_id=case.pk,
            detail={"about": username},
        )
    return render(
        request,
        "cases/case_access_explained.html",
        {"case": case, "username": username, "person": person, "reasons": reasons},
    )
