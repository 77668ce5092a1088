"""Pages for work with the child: recording a statutory visit, and changing a
plan's review date or frequencies (with a reason)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from cases import selectors
from cases.forms.visits import PlanScheduleForm, VisitForm
from cases.models import Plan
from cases.services.visits import plan_schedule_change, visit_record, visitors_for
from safeguard.core.forms import add_service_errors


def _lead_case(request: HttpRequest, case_id):
    """The case, for the lead agency's workers only; everyone else gets a 404."""
    case = selectors.get_case_for(request.user, case_id, audit=False)
    if not selectors.is_lead_worker(request.user, case):
        raise Http404
    return case


@login_required
def case_visit_add(request: HttpRequest, case_id) -> HttpResponse:
    case = _lead_case(request, case_id)
    visitors = visitors_for(case)
    form = VisitForm(
        request.POST or None,
        visitors=visitors,
        initial={
            "visited_on": timezone.localdate(),
            "visited_by": request.user.pk if visitors.filter(pk=request.user.pk).exists() else None,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            visit_record(acting_user=request.user, case=case, **form.cleaned_data)
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Visit recorded.")
            return redirect(reverse("case_detail", args=[case.pk]) + "#visits")
    return render(
        request,
        "cases/visit_form.html",
        {"case": case, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def case_plan_schedule(request: HttpRequest, case_id, plan_id) -> HttpResponse:
    case = _lead_case(request, case_id)
    plan = case.plans.filter(pk=plan_id, end_date__isnull=True).first()
    if plan is None:
        raise Http404
    protection = plan.kind == Plan.Kind.CHILD_PROTECTION
    form = PlanScheduleForm(
        request.POST or None,
        protection=protection,
        initial={
            "version": plan.version,
            "next_review_on": plan.next_review_on,
            "visit_interval_working_days": plan.visit_interval_working_days,
            "core_group_interval_weeks": plan.core_group_interval_weeks,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["version"] != plan.version:
            # Kept as typed: the page shows the plan as it is now, above the form.
            form.add_error(
                None,
                "Someone else changed this plan since you opened the page: check the plan "
                "as it is now, then save your change again.",
            )
            form.data = form.data.copy()
            form.data["version"] = plan.version
        else:
            try:
                plan_schedule_change(
                    acting_user=request.user,
                    plan=plan,
                    reason=data["reason"],
                    next_review_on=data.get("next_review_on"),
                    visit_interval_working_days=data.get("visit_interval_working_days"),
                    core_group_interval_weeks=data.get("core_group_interval_weeks"),
                )
            except PermissionDenied as exc:
                raise Http404 from exc
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Plan changed.")
                return redirect(reverse("case_detail", args=[case.pk]) + "#plans")
    return render(
        request,
        "cases/plan_schedule.html",
        {"case": case, "plan": plan, "form": form},
        status=400 if form.errors else 200,
    )
