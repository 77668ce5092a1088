"""Pages for the lead agency's statutory work: assessments, closure, plans, S47."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from cases import selectors, services
from cases.concurrency import StaleChange
from cases.forms.statutory import (
    AssessmentCompleteForm,
    CaseClosureForm,
    PlanEndForm,
    PlanStartForm,
    Section47CompleteForm,
    Section47StartForm,
)
from cases.views.case import _case_page
from safeguard.core.forms import add_service_errors


def _statutory_step(request: HttpRequest, case, steps: dict) -> HttpResponse:
    """Run one step of the lead agency's statutory work; a refusal is a 404, a
    rule broken is a message on the case page, a bad form is shown again."""
    step = steps.get(request.resolver_match.kwargs["step"])
    if step is None or not selectors.has_lead_access(request.user, case):
        raise Http404
    try:
        response = step()
    except PermissionDenied as exc:
        raise Http404 from exc
    except StaleChange as stale:
        messages.error(request, stale.message)
        response = None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        response = None
    return response or redirect("case_detail", case.pk)


@login_required
@require_POST
def case_assessment(request: HttpRequest, case_id, assessment_id, step: str) -> HttpResponse:
    case = selectors.get_case_for(request.user, case_id, audit=False)
    assessment = case.assessments.filter(pk=assessment_id).first()
    if assessment is None:
        raise Http404

    def complete():
        form = AssessmentCompleteForm(request.POST)
        if form.is_valid():
            try:
                services.assessment_complete(
                    acting_user=request.user, assessment=assessment, **form.cleaned_data
                )
            except ValidationError as exc:
                if not hasattr(exc, "error_dict"):
                    raise
                add_service_errors(form, exc)  # shown beside the fields, nothing typed lost
        if form.errors:
            return _case_page(request, case_id, status=400, assessment_form=form)
        messages.success(request, "Assessment completed. A manager must authorise it.")
        return None

    def authorise():
        services.assessment_authorise(acting_user=request.user, assessment=assessment)
        messages.success(request, "Assessment authorised.")

    return _statutory_step(request, case, {"complete": complete, "authorise": authorise})


@login_required
@require_POST
def case_close(request: HttpRequest, case_id, step: str) -> HttpResponse:
    case = selectors.get_case_for(request.user, case_id, audit=False)

    def ask():
        form = CaseClosureForm(request.POST)
        if not form.is_valid():
            return _case_page(request, case_id, status=400, closure_form=form)
        services.case_closure_request(acting_user=request.user, case=case, **form.cleaned_data)
        messages.success(request, "Closure requested. A manager must authorise it.")
        return None

    def authorise():
        services.case_closure_authorise(acting_user=request.user, case=case)
        messages.success(request, "The case is closed.")

    return _statutory_step(request, case, {"request": ask, "authorise": authorise})


@login_required
@require_POST
def case_plan(request: HttpRequest, case_id, step: str) -> HttpResponse:
    case = selectors.get_case_for(request.user, case_id, audit=False)

    def start():
        form = PlanStartForm(request.POST)
        if not form.is_valid():
            return _case_page(request, case_id, status=400, plan_form=form)
        services.plan_start(acting_user=request.user, case=case, **form.cleaned_data)
        messages.success(request, "Plan started.")
        return None

    def end():
        # An ended plan too: the service says who ended it, rather than a bare 404.
        plan = case.plans.filter(pk=request.POST.get("plan")).first()
        form = PlanEndForm(request.POST)
        if plan is None:
            raise Http404
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        services.plan_end(
            acting_user=request.user,
            plan=plan,
            end_date=form.cleaned_data["end_date"],
            expected_version=form.cleaned_data["version"],
        )
        messages.success(request, "Plan ended.")
        return None

    return _statutory_step(request, case, {"start": start, "end": end})


@login_required
@require_POST
def case_section47(request: HttpRequest, case_id, step: str) -> HttpResponse:
    case = selectors.get_case_for(request.user, case_id, audit=False)

    def start():
        form = Section47StartForm(request.POST)
        if not form.is_valid():
            return _case_page(request, case_id, status=400, s47_form=form)
        services.section47_start(acting_user=request.user, case=case, **form.cleaned_data)
        messages.success(request, "Section 47 enquiry started.")
        return None

    def complete():
        enquiry = case.section47_enquiries.filter(
            pk=request.POST.get("enquiry"), completed_on__isnull=True
        ).first()
        if enquiry is None:
            raise Http404
        form = Section47CompleteForm(request.POST, auto_id=f"id_s47_{enquiry.pk.hex[:8]}_%s")
        if form.is_valid():
            try:
                services.section47_complete(
                    acting_user=request.user, enquiry=enquiry, **form.cleaned_data
                )
            except ValidationError as exc:
                if not hasattr(exc, "error_dict"):
                    raise
                add_service_errors(form, exc)
        if form.errors:
            return _case_page(request, case_id, status=400, s47_complete_forms={enquiry.pk: form})
        messages.success(request, "Section 47 enquiry completed.")
        return None

    return _statutory_step(request, case, {"start": start, "complete": complete})
