"""The case page, involvement, restriction and break-glass, and the oversight
pages (who viewed it, who can see it)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from agencies.models import Agency
from agencies.roles import LEAD_AGENCY_ROLES, OVERSIGHT_ROLES
from agencies.selectors import holds_role_in, members_with_roles
from cases import selectors, services
from cases.access import explain_access
from cases.concurrency import StaleChange
from cases.forms.case import (
    ActionForm,
    AddAgencyForm,
    AllocateForm,
    BreakGlassForm,
    CaseNoteForm,
    ChildMergeForm,
    ChronologyEntryForm,
    ChronologyFilterForm,
    DocumentForm,
    EndInvolvementForm,
    HouseholdMemberForm,
    ProfessionalForm,
    RestrictCaseForm,
)
from cases.forms.filters import CaseFilter
from cases.forms.statutory import (
    AssessmentCompleteForm,
    AssessmentStartForm,
    CaseClosureForm,
    PlanEndForm,
    PlanStartForm,
    Section47CompleteForm,
    Section47StartForm,
)
from cases.models import Case, Involvement
from cases.sections import case_sections_for
from cases.selectors import case_page as page
from cases.selectors.visits import latest_visits_for, visit_clock_for
from safeguard.audit.services import audit_record
from safeguard.core.forms import ReadOnce


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    filters = CaseFilter(request.GET or None, queryset=Case.objects.none(), user=request.user)
    page, restricted = selectors.case_list_page_for(
        request.user,
        request.GET.get("cursor"),
        query=filters.query(),
        # The list with no filter in force is the one statement compiled once.
        narrow=filters.narrow if filters.applied() else None,
        ordering=filters.ordering,
    )
    audit_record(
        user=request.user,
        action="list",
        event="cases_listed",
        detail={"references": [c.reference for c in page]},
    )
    return render(
        request,
        "cases/case_list.html",
        {"page": page, "restricted": restricted, "filters": filters},
    )


@login_required
def case_detail(request: HttpRequest, case_id) -> HttpResponse:
    try:
        return _case_page(request, case_id)
    except Http404:
        return _restricted_notice(request, case_id)


def _case_page(request: HttpRequest, case_id, status: int = 200, **forms) -> HttpResponse:
    """The case page; a form that failed validation is passed in to show its errors."""
    case = selectors.get_case_for(request.user, case_id, audit=False)
    # The agencies on the case, offered by up to three selects, and their
    # staff, by up to two: each read once for the page (by a statement
    # compiled once per process, as each of the page's reads is).
    involved = ReadOnce(selectors.action_agencies(case), page.agencies_on_case(case))
    # The chronology's filters, and its page (``cursor``): a page link carries
    # the filters in force, and a cursor alone filters nothing.
    names = ChronologyFilterForm.data_names()
    asked = {name: value for name, value in request.GET.items() if value and name in names}
    filter_form = ChronologyFilterForm(asked or None, agencies=involved)
    filters = filter_form.cleaned_data if filter_form.is_valid() else {}
    context = selectors.case_detail_for(
        request.user,
        case_id,
        chronology_filters=filters,
        chronology_cursor=request.GET.get("cursor"),
        chronology_query=asked if filters else {},
        case=case,
    )
    lead = context["lead_access"]
    writers = ReadOnce(
        selectors.note_agencies_for(request.user, case), page.writers_for(request.user, case)
    )
    context.update(
        filter_form=filter_form,
        can_restrict=selectors.can_restrict(request.user, case),
        break_glass=selectors.active_break_glass(request.user, case)
        if case.is_restricted
        else None,
        can_oversee=_can_oversee(request, case),
        can_manage_involvement=selectors.can_manage_involvement(request.user, case),
    )
    # The agencies read once, for the three forms below (each asked again
    # whether there is more than one).
    if writers.rows:
        context["note_form"] = CaseNoteForm(agencies=writers, lead=lead)
        context["document_form"] = DocumentForm(agencies=writers, lead=lead)
        context["chronology_form"] = ChronologyEntryForm(agencies=writers, lead=lead)
    if context["can_manage_involvement"]:
        context["add_agency_form"] = AddAgencyForm(
            agencies=ReadOnce(selectors.agencies_to_add(case), page.agencies_to_add_to(case))
        )
    context["actions"] = page.actions_on(request.user, case, lead=lead)
    context["case_sections"], contributed = case_sections_for(request.user, case)
    context.update(contributed)
    # Only a household member recorded as a sibling can link a case: most have none.
    context["sibling_cases"] = (
        page.sibling_cases_for(request.user, case)
        if any(member.sibling_id for member in context["household"])
        else []
    )
    if lead:
        today = timezone.localdate()
        context["visits"] = latest_visits_for(request.user, case, limit=50)
        context["visit_clock"] = visit_clock_for(case, today)
        context["lead_worker"] = selectors.is_lead_worker(request.user, case)
        for assessment in context["assessments"]:
            assessment.clock = (
                None if assessment.completed_on else selectors.assessment_clock(assessment, today)
            )
        context["closure"] = page.closure_request_of(case)
        context.setdefault("assessment_form", AssessmentCompleteForm())
        context.setdefault("household_form", HouseholdMemberForm())
        context.setdefault("plan_form", PlanStartForm())
        # One form per open item, each with its own ids (two open plans must not
        # share an "id_end_date").
        # A form refused for one item comes back bound, with its errors beside it.
        failed_plan, failed_plan_form = forms.pop("plan_end_failed", (None, None))
        for plan in context["plans"]:
            plan.end_form = (
                failed_plan_form
                if plan.pk == failed_plan
                else PlanEndForm(
                    auto_id=f"id_plan_{plan.pk.hex[:8]}_%s", initial={"version": plan.version}
                )
            )
        failed_s47, failed_s47_form = forms.pop("s47_complete_failed", (None, None))
        for enquiry in context["section47_enquiries"]:
            enquiry.complete_form = (
                failed_s47_form
                if enquiry.pk == failed_s47
                else Section47CompleteForm(auto_id=f"id_s47_{enquiry.pk.hex[:8]}_%s")
            )
        context.setdefault("s47_form", Section47StartForm())
        context.setdefault("assessment_start_form", AssessmentStartForm())
        context["assessment_open"] = any(not a.authorised_on for a in context["assessments"])

        context.setdefault("closure_form", CaseClosureForm())
        context["is_lead_manager"] = selectors.can_allocate(request.user, case)
        context["merges"] = page.merges_into(case)
        if context["is_lead_manager"]:
            context.setdefault("merge_form", ChildMergeForm())
    staff = None
    if lead:
        staff = _staff(case, involved)
        context["action_form"] = ActionForm(agencies=involved, people=staff)
    if selectors.can_allocate(request.user, case):
        workers, teams = page.allocation_choices(case)
        context["allocate_form"] = AllocateForm(
            initial={
                "worker": case.allocated_worker_id,
                "team": case.team_id,
                "version": case.version,
            },
            workers=ReadOnce(selectors.allocatable_workers(case), workers),
            teams=ReadOnce(selectors.allocatable_teams(case), teams),
        )
    if selectors.can_manage_professionals(request.user, case):
        staff = staff or _staff(case, involved)
        context["professional_form"] = ProfessionalForm(agencies=involved, people=staff)
    context.update(forms)
    return render(request, "cases/case_detail.html", context, status=status)


def _allocate_form(case, data=None, initial=None) -> AllocateForm:
    return AllocateForm(
        data,
        initial=initial,
        workers=selectors.allocatable_workers(case),
        teams=selectors.allocatable_teams(case),
    )


def _professional_form(case, data=None) -> ProfessionalForm:
    return ProfessionalForm(
        data,
        agencies=selectors.action_agencies(case).order_by("name"),
        people=selectors.action_owner_candidates(selectors.action_agencies(case)),
    )


def _staff(case: Case, involved: ReadOnce) -> ReadOnce:
    """The staff of the agencies on the case, read once for the page's selects."""
    return ReadOnce(selectors.action_owner_candidates(involved.records), page.staff_on_case(case))


@login_required
@require_POST
def case_add_agency(request: HttpRequest, case_id) -> HttpResponse:
    case = selectors.get_case_for(request.user, case_id, audit=False)
    if not selectors.can_manage_involvement(request.user, case):
        raise Http404
    form = AddAgencyForm(request.POST, agencies=selectors.agencies_to_add(case))
    if form.is_valid():
        agency = form.cleaned_data["agency"]
        services.case_add_agency(acting_user=request.user, case=case, agency=agency)
        messages.success(request, f"{agency.name} is now involved in this case.")
    else:
        messages.error(request, "Choose an agency that is not already involved.")
    return redirect("case_detail", case.pk)


@login_required
def case_end_involvement(request: HttpRequest, case_id, involvement_id) -> HttpResponse:
    """A confirmation page, with the reason asked for: ending an involvement ends
    the agency's access at once, so it is never one click away."""
    case = selectors.get_case_for(request.user, case_id, audit=False)
    if not selectors.can_manage_involvement(request.user, case):
        raise Http404
    involvement = (
        case.involvements.filter(pk=involvement_id)
        .exclude(level=Involvement.Level.LEAD)
        .prefetch_related(selectors.current_reasons_prefetch())
        .select_related("agency", "ended_by")
        .first()
    )
    if involvement is None:
        raise Http404
    if involvement.ended_at is not None:
        # Ended a moment ago by someone else (or by this person, twice): say so.
        messages.info(request, f"{involvement.agency.name}'s involvement has already ended.")
        return redirect("case_detail", case.pk)
    form = EndInvolvementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_end_involvement(
                acting_user=request.user,
                involvement=involvement,
                reason=form.cleaned_data["reason"],
            )
        except StaleChange as already:
            messages.info(request, already.message)
        else:
            messages.success(
                request,
                f"{involvement.agency.name}'s involvement has ended; their access ends now.",
            )
        return redirect("case_detail", case.pk)
    return render(
        request,
        "cases/involvement_end.html",
        {"case": case, "involvement": involvement, "form": form},
    )


def _can_oversee(request: HttpRequest, case) -> bool:
    """What ``get_case_for_oversight`` allows (a lead agency's manager or
    auditor), answered from the memberships the page has already read."""
    return case.lead_agency.kind == Agency.Kind.SOCIAL_CARE and holds_role_in(
        request.user, OVERSIGHT_ROLES, case.lead_agency_id
    )


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
            "can_break_glass": selectors.can_break_glass(request.user, case),
            "form": form or BreakGlassForm(),
            "hours": settings.BREAK_GLASS_HOURS,
        },
        status=400 if form else 403,
    )


@login_required
@require_POST
def case_break_glass(request: HttpRequest, case_id) -> HttpResponse:
    case = selectors.restricted_cases_noticed_by(request.user).filter(pk=case_id).first()
    if case is None or not selectors.can_break_glass(request.user, case):
        raise Http404
    form = BreakGlassForm(request.POST)
    if not form.is_valid():
        return _restricted_notice(request, case_id, form)
    try:
        services.case_break_glass(
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
    if not selectors.can_restrict(request.user, case):
        raise Http404
    people = members_with_roles(case.lead_agency, LEAD_AGENCY_ROLES)
    form = RestrictCaseForm(request.POST or None, people=people, lifting=case.is_restricted)
    if request.method == "POST" and form.is_valid():
        try:
            if case.is_restricted:
                services.case_lift_restriction(
                    acting_user=request.user, case=case, reason=form.cleaned_data["reason"]
                )
                messages.success(request, "The restriction has been lifted.")
            else:
                services.case_restrict(
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


def _action_form(case, data=None) -> ActionForm:
    agencies = selectors.action_agencies(case)
    people = selectors.action_owner_candidates(agencies)
    return ActionForm(data, agencies=agencies, people=people)
