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
    AssessmentStartForm,
    CaseClosureForm,
    PlanEndForm,
    PlanStartForm,
    Section47CompleteForm,
    Section47StartForm,
)
from cases.views.case import _case_page


def _statutory_step(request: HttpRequest, case, steps: dict, step: str = "") -> HttpResponse:
    """Run one step of the lead agency's statutory work; a refusal is a 404, a
    stale change is a message on the case page, a bad form or a step the case's
    state does not allow is shown again with the reason beside the field."""
    step = steps.get(step or request.resolver_match.kwargs["step"])
    if step is None or not selectors.has_lead_access(request.user, case):
        raise Http404
    try:
        response = step()
    except PermissionDenied as exc:
        raise Http404 from exc
    except StaleChange as stale:
        messages.error(request, stale.message)
        response = None
    return response or redirect("case_detail", case.pk)


def _refused(form, exc: ValidationError) -> None:
    """Put a service's refusal on the form: by field where the form shows that
    field, otherwise at the top of the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            shown = field in form.fields and not form.fields[field].widget.is_hidden
            for error in errors:
                form.add_error(field if shown else None, error.messages)
    else:
        form.add_error(None, exc.messages)


def _run(request: HttpRequest, case_id, form, form_name: str, call, success: str, **page):
    """Validate ``form``, run ``call(cleaned_data)``; on a refusal, the case page
    again with the form bound and the reason beside the field."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ValidationError as exc:
            _refused(form, exc)
            page["open_work"] = getattr(exc, "open_work", [])
        else:
            messages.success(request, success)
            return None
    if form_name:
        page[form_name] = form
    return _case_page(request, case_id, status=400, **page)


@login_required
@require_POST
def case_assessment_start(request: HttpRequest, case_id) -> HttpResponse:
    case = selectors.get_case_for(request.user, case_id, audit=False)

    def start():
        return _run(
            request,
            case_id,
            AssessmentStartForm(request.POST),
            "assessment_start_form",
            lambda data: services.assessment_start(
                acting_user=request.user, case=case, started_on=data["started_on"]
            ),
            "Assessment started.",
        )

    return _statutory_step(request, case, {"start": start}, step="start")


@login_required
@require_POST
def case_assessment(request: HttpRequest, case_id, assessment_id, step: str) -> HttpResponse:
    case = selectors.get_case_for(request.user, case_id, audit=False)
    assessment = case.assessments.filter(pk=assessment_id).first()
    if assessment is None:
        raise Http404

    def complete():
        return _run(
            request,
            case_id,
            AssessmentCompleteForm(request.POST),
            "assessment_form",
            lambda data: services.assessment_complete(
                acting_user=request.user, assessment=assessment, **data
            ),
            "Assessment completed. A manager must authorise it.",
        )

    def authorise():
        try:
            services.assessment_authorise(acting_user=request.user, assessment=assessment)
        except StaleChange:
            raise
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Assessment authorised.")

    return _statutory_step(request, case, {"complete": complete, "authorise": authorise})


@login_required
@require_POST
def case_close(request: HttpRequest, case_id, step: str) -> HttpResponse:
    case = selectors.get_case_for(request.user, case_id, audit=False)

    def ask():
        return _run(
            request,
            case_id,
            CaseClosureForm(request.POST),
            "closure_form",
            lambda data: services.case_closure_request(acting_user=request.user, case=case, **data),
            "Closure requested. A manager must authorise it.",
        )

    def authorise():
        try:
            services.case_closure_authorise(acting_user=request.user, case=case)
        except StaleChange:
            raise
        except ValidationError as exc:
            # Work started since the request: the manager sees what, with links.
            return _case_page(
                request,
                case_id,
                status=400,
                closure_refused=exc.messages,
                open_work=getattr(exc, "open_work", []),
            )
        messages.success(request, "The case is closed.")
        return None

    return _statutory_step(request, case, {"request": ask, "authorise": authorise})


@login_required
@require_POST
def case_plan(request: HttpRequest, case_id, step: str) -> HttpResponse:
    case = selectors.get_case_for(request.user, case_id, audit=False)

    def start():
        return _run(
            request,
            case_id,
            PlanStartForm(request.POST),
            "plan_form",
            lambda data: services.plan_start(acting_user=request.user, case=case, **data),
            "Child in need plan started.",
        )

    def end():
        # An ended plan too: the service says who ended it, rather than a bare 404.
        plan = case.plans.filter(pk=request.POST.get("plan")).first()
        if plan is None:
            raise Http404
        form = PlanEndForm(request.POST, auto_id=f"id_plan_{plan.pk.hex[:8]}_%s")
        return _run(
            request,
            case_id,
            form,
            "",
            lambda data: services.plan_end(
                acting_user=request.user,
                plan=plan,
                end_date=data["end_date"],
                expected_version=data["version"],
            ),
            "Plan ended.",
            plan_end_failed=(plan.pk, form),
        )

    return _statutory_step(request, case, {"start": start, "end": end})


@login_required
@require_POST
def case_section47(request: HttpRequest, case_id, step: str) -> HttpResponse:
    case = selectors.get_case_for(request.user, case_id, audit=False)

    def start():
        return _run(
            request,
            case_id,
            Section47StartForm(request.POST),
            "s47_form",
            lambda data: services.section47_start(acting_user=request.user, case=case, **data),
            "Section 47 enquiry started.",
        )

    def complete():
        enquiry = case.section47_enquiries.filter(pk=request.POST.get("enquiry")).first()
        if enquiry is None:
            raise Http404
        form = Section47CompleteForm(request.POST, auto_id=f"id_s47_{enquiry.pk.hex[:8]}_%s")
        return _run(
            request,
            case_id,
            form,
            "",
            lambda data: services.section47_complete(
                acting_user=request.user, enquiry=enquiry, **data
            ),
            "Section 47 enquiry completed.",
            s47_complete_failed=(enquiry.pk, form),
        )

    return _statutory_step(request, case, {"start": start, "complete": complete})
