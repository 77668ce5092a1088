"""Pages for the information governance officer: the queue of records past
their date, each record's review (extend, hold, destroy), legal holds and the
destruction certificates.

Only auditors of a lead agency see these pages; for everyone else they do not
exist (404). Every page that shows a record's identity is audited.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from retention import selectors, services
from retention.forms import DestroyForm, ExtendForm, HoldByReferenceForm, HoldForm, LiftForm
from retention.schedule import rule_label, schedule_for
from safeguard.audit.services import audit_record
from safeguard.core.forms import add_service_errors


def _after(request: HttpRequest) -> tuple[dt.date, uuid.UUID] | None:
    raw = request.GET.get("after", "")
    if not raw:
        return None
    try:
        day, _, last = raw.partition("_")
        return dt.date.fromisoformat(day), uuid.UUID(last)
    except ValueError as exc:
        raise Http404("No such page") from exc


@login_required
def retention_queue(request: HttpRequest) -> HttpResponse:
    agency = selectors.get_retention_agency_for(request.user, request.GET.get("agency"))
    rows = selectors.review_queue(request.user, agency, after=_after(request))
    more = len(rows) > selectors.QUEUE_PAGE
    rows = rows[: selectors.QUEUE_PAGE]
    next_after = f"{rows[-1].due_on.isoformat()}_{rows[-1].pk}" if more else ""
    audit_record(
        user=request.user,
        action="list",
        event="retention_queue_viewed",
        detail={"agency": agency.slug, "rows": len(rows)},
    )
    return render(
        request,
        "retention/queue.html",
        {
            "agency": agency,
            "rows": [(row, rule_label(row.rule)) for row in rows],
            "next_after": next_after,
            "rules": schedule_for(agency.slug).values(),
            "first_page": not request.GET.get("after"),
        },
    )


def _review_context(request: HttpRequest, review) -> dict:
    record = review.child or review.concern
    audit_record(
        user=request.user,
        action="view",
        event="retention_review_viewed",
        obj=record,
    )
    holds = selectors.holds_on_review(review)
    return {
        "review": review,
        "record": record,
        "rule_label": rule_label(review.rule),
        "holds": holds,
        "held": bool(holds),
    }


@login_required
def retention_review(request: HttpRequest, review_id: uuid.UUID) -> HttpResponse:
    review = selectors.get_review_for(request.user, review_id)
    context = _review_context(request, review)
    if review.child_id:
        child = review.child
        context["contents"] = {
            "cases": child.cases.count(),
            "concerns": child.concerns.count(),
        }
    return render(request, "retention/review.html", context)


def _service_form(request, form, action):
    """Run ``action`` on a valid form; refusals go on the form, forbidden is 404."""
    try:
        return action(form.cleaned_data)
    except PermissionDenied as exc:
        raise Http404("No such page") from exc
    except ValidationError as exc:
        add_service_errors(form, exc)
    return None


@login_required
def retention_extend(request: HttpRequest, review_id: uuid.UUID) -> HttpResponse:
    review = selectors.get_review_for(request.user, review_id)
    form = ExtendForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        done = _service_form(
            request,
            form,
            lambda data: services.retention_extend(
                acting_user=request.user,
                review=review,
                retain_until=data["retain_until"],
                reason=data["reason"],
            ),
        )
        if done is not None:
            messages.success(request, f"The record is kept until {done.retain_until:%-d %B %Y}.")
            return redirect("retention_queue")
    context = _review_context(request, review) | {"form": form}
    return render(request, "retention/extend.html", context, status=400 if form.errors else 200)


@login_required
def retention_hold(request: HttpRequest, review_id: uuid.UUID) -> HttpResponse:
    review = selectors.get_review_for(request.user, review_id)
    form = HoldForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        done = _service_form(
            request,
            form,
            lambda data: services.legal_hold_place(
                acting_user=request.user,
                target=review.child or review.concern,
                reason=data["reason"],
            ),
        )
        if done is not None:
            messages.success(request, "The record is under a legal hold.")
            return redirect("retention_review", review.pk)
    context = _review_context(request, review) | {"form": form}
    return render(request, "retention/hold.html", context, status=400 if form.errors else 200)


@login_required
def retention_destroy(request: HttpRequest, review_id: uuid.UUID) -> HttpResponse:
    review = selectors.get_review_for(request.user, review_id)
    form = DestroyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        certificate = _service_form(
            request,
            form,
            lambda data: services.retention_destroy(acting_user=request.user, review=review),
        )
        if certificate is not None:
            messages.success(
                request, f"The record was destroyed: certificate {certificate.reference}."
            )
            return redirect("retention_certificate", certificate.pk)
    context = _review_context(request, review) | {"form": form}
    return render(request, "retention/destroy.html", context, status=400 if form.errors else 200)


@login_required
def legal_holds(request: HttpRequest) -> HttpResponse:
    agency = selectors.get_retention_agency_for(request.user, request.GET.get("agency"))
    form = HoldByReferenceForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        target = selectors.find_record(agency, form.cleaned_data["reference"])
        if target is None:
            form.add_error("reference", "No child, case or concern of yours has this reference")
        else:
            done = _service_form(
                request,
                form,
                lambda data: services.legal_hold_place(
                    acting_user=request.user, target=target, reason=data["reason"]
                ),
            )
            if done is not None:
                messages.success(request, f"{target.reference} is under a legal hold.")
                return redirect(reverse("legal_holds"))
    holds = selectors.active_holds(request.user, agency)
    audit_record(
        user=request.user,
        action="list",
        event="legal_holds_viewed",
        detail={"agency": agency.slug, "rows": len(holds)},
    )
    return render(
        request,
        "retention/holds.html",
        {"agency": agency, "holds": holds, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def legal_hold_lift(request: HttpRequest, hold_id: uuid.UUID) -> HttpResponse:
    hold = selectors.get_hold_for(request.user, hold_id)
    if hold.lifted_at is not None:
        raise Http404("No such hold")
    form = LiftForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        done = _service_form(
            request,
            form,
            lambda data: services.legal_hold_lift(
                acting_user=request.user, hold=hold, reason=data["lift_reason"]
            ),
        )
        if done is not None:
            messages.success(request, f"The legal hold on {hold.reference} was lifted.")
            return redirect("legal_holds")
    audit_record(user=request.user, action="view", event="legal_hold_viewed", obj=hold)
    return render(
        request,
        "retention/lift.html",
        {"hold": hold, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def certificate_list(request: HttpRequest) -> HttpResponse:
    agency = selectors.get_retention_agency_for(request.user, request.GET.get("agency"))
    certificates = selectors.certificates_for(request.user, agency)
    return render(
        request,
        "retention/certificates.html",
        {
            "agency": agency,
            "certificates": [(c, rule_label(c.rule)) for c in certificates],
        },
    )


@login_required
def certificate_detail(request: HttpRequest, certificate_id: uuid.UUID) -> HttpResponse:
    certificate = selectors.get_certificate_for(request.user, certificate_id)
    audit_record(
        user=request.user, action="view", event="destruction_certificate_viewed", obj=certificate
    )
    return render(
        request,
        "retention/certificate.html",
        {"certificate": certificate, "rule_label": rule_label(certificate.rule)},
    )
