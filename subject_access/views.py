"""Pages for subject access requests (SPEC 3.9), under /subject-access/.

Only the information governance officers (auditors) of the local authority
see these pages; for everyone else they do not exist (404), files included.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_POST

from safeguard.audit.services import audit_record
from safeguard.core.forms import add_service_errors
from subject_access import bundle as bundles
from subject_access import deadlines, selectors, services
from subject_access.forms import (
    CHILD,
    ExtendForm,
    FindChildForm,
    IdentityForm,
    LogRequestForm,
    RedactionForm,
    SentForm,
)
from subject_access.models import SubjectAccessBundle, SubjectAccessRedaction


def _service_call(form, call):
    """Run a service for a valid form; its refusal goes on the form, a
    permission refusal is a 404 like everything else the user may not see."""
    try:
        return call()
    except PermissionDenied as exc:
        raise Http404("No such page") from exc
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None


@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    agency = selectors.get_ig_agency_for(request.user)
    requests = list(selectors.requests_for(request.user).filter(agency=agency)[:200])
    open_requests = [r for r in requests if not r.is_sent]
    answered = [r for r in requests if r.is_sent]
    return render(
        request,
        "subject_access/list.html",
        {
            "agency": agency,
            "open_requests": open_requests,
            "answered": answered,
            "today": timezone.localdate(),
        },
    )


@login_required
def find_child(request: HttpRequest) -> HttpResponse:
    agency = selectors.get_ig_agency_for(request.user)
    form = FindChildForm(request.GET if "q" in request.GET else None)
    children = None
    if form.is_bound and form.is_valid():
        children = list(selectors.children_matching(agency, form.cleaned_data["q"]))
        # Names and dates of birth of children: a read of personal data.
        audit_record(
            user=request.user,
            action="list",
            event="subject_access_child_search",
            detail={"results": [c.reference for c in children]},
        )
    return render(
        request,
        "subject_access/find.html",
        {"agency": agency, "form": form, "children": children},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def log_request(request: HttpRequest, child_id) -> HttpResponse:
    agency = selectors.get_ig_agency_for(request.user)
    child = selectors.get_child_for(request.user, child_id)
    adults = list(selectors.household_adults(child))
    form = LogRequestForm(
        request.POST if request.method == "POST" else None, child=child, adults=adults
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        member = next((a for a in adults if str(a.pk) == data["subject"]), None)
        sar = _service_call(
            form,
            lambda: services.sar_log(
                acting_user=request.user,
                agency=agency,
                child=child,
                household_member=None if data["subject"] == CHILD else member,
                requester_name=data["requester_name"],
                requester_relationship=data["requester_relationship"],
                requester_contact=data["requester_contact"],
                received_on=data["received_on"],
            ),
        )
        if sar is not None:
            return redirect("subject_access_detail", sar.pk)
    if request.method == "GET":
        # The household's names are personal data: the officer's read is recorded.
        audit_record(
            user=request.user,
            action="view",
            event="subject_access_household_viewed",
            obj=child,
            detail={"adults": len(adults)},
        )
    return render(
        request,
        "subject_access/new.html",
        {"child": child, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def request_detail(request: HttpRequest, request_id) -> HttpResponse:
    sar = selectors.get_request_for(request.user, request_id)
    today = timezone.localdate()
    first_month_ends = deadlines.response_due(
        sar.received_on, identity_evidence_on=sar.identity_evidence_on
    )
    return render(
        request,
        "subject_access/detail.html",
        {
            "sar": sar,
            "today": today,
            "days_left": (sar.due_on - today).days,
            "may_extend": not sar.is_sent and today <= first_month_ends,
            "item_count": sar.items.count(),
            "redaction_count": sar.items.filter(redactions__isnull=False).count(),
            "bundles": list(selectors.bundles_for(request.user, sar)[:10]),
            "events": selectors.request_events(sar),
            "error": request.session.pop("subject_access_error", None),
        },
    )


def _form_page(request, sar, form_class, title, intro, call, template="form.html", **context):
    form = form_class(request.POST if request.method == "POST" else None)
    done = (
        request.method == "POST"
        and form.is_valid()
        and _service_call(form, lambda: call(form.cleaned_data)) is not None
    )
    if done:
        return redirect("subject_access_detail", sar.pk)
    return render(
        request,
        f"subject_access/{template}",
        {"sar": sar, "form": form, "title": title, "intro": intro, **context},
        status=400 if form.errors else 200,
    )


@login_required
def check_identity(request: HttpRequest, request_id) -> HttpResponse:
    sar = selectors.get_request_for(request.user, request_id)
    return _form_page(
        request,
        sar,
        IdentityForm,
        "Record the identity check",
        "Nothing is gathered until the requester's identity (and any representative's "
        "authority) has been checked.",
        lambda data: services.sar_check_identity(
            acting_user=request.user,
            sar=sar,
            method=data["identity_method"],
            detail=data["detail"],
            evidence_on=data["evidence_on"],
        ),
    )


@login_required
def extend(request: HttpRequest, request_id) -> HttpResponse:
    sar = selectors.get_request_for(request.user, request_id)
    return _form_page(
        request,
        sar,
        ExtendForm,
        "Extend the time to respond",
        "UK GDPR Article 12(3) allows up to two further months where a request is complex or "
        "one of many from the same person.",
        lambda data: services.sar_extend(
            acting_user=request.user, sar=sar, months=data["months"], reason=data["reason"]
        ),
    )


@login_required
def mark_sent(request: HttpRequest, request_id) -> HttpResponse:
    sar = selectors.get_request_for(request.user, request_id)
    latest = selectors.bundles_for(request.user, sar).first()
    if latest is None or not latest.is_ready:
        return redirect("subject_access_detail", sar.pk)
    return _form_page(
        request,
        sar,
        SentForm,
        "Record what was sent",
        f"The bundle produced {timezone.localtime(latest.ready_at):%-d %B %Y at %H:%M} "
        f"(fingerprint {latest.pdf_sha256[:12]}) is recorded as the one sent.",
        lambda data: services.sar_mark_sent(
            acting_user=request.user,
            sar=sar,
            bundle=latest,
            sent_on=data["sent_on"],
            method=data["sent_method"],
            sent_to=data["sent_to"],
        ),
    )


@login_required
@require_POST
def gather(request: HttpRequest, request_id) -> HttpResponse:
    sar = selectors.get_request_for(request.user, request_id)
    try:
        services.sar_gather(acting_user=request.user, sar=sar)
    except PermissionDenied as exc:
        raise Http404("No such page") from exc
    except ValidationError as exc:
        return _detail_with_error(request, sar, exc)
    return redirect("subject_access_items", sar.pk)


def _detail_with_error(request, sar, exc: ValidationError) -> HttpResponse:
    # Shown once, as an error summary, on the page the officer is sent back to.
    request.session["subject_access_error"] = " ".join(exc.messages)
    return redirect("subject_access_detail", sar.pk)


@login_required
def items(request: HttpRequest, request_id) -> HttpResponse:
    sar = selectors.get_request_for(request.user, request_id)
    gathered = list(sar.items.order_by("position"))
    redactions = list(
        SubjectAccessRedaction.objects.filter(item__request=sar)
        .select_related("created_by")
        .order_by("item__position", "created_at", "id")
    )
    preview, schedule = bundles.redacted_bundle(gathered, redactions)
    numbered = dict(zip([r.pk for r in redactions], range(1, len(redactions) + 1), strict=True))
    by_item: dict = {}
    for redaction in redactions:
        by_item.setdefault(redaction.item_id, []).append((numbered[redaction.pk], redaction))
    rows = [
        {"item": item, "preview": shown, "redactions": by_item.get(item.pk, [])}
        for item, shown in zip(gathered, preview, strict=True)
    ]
    audit_record(
        user=request.user,
        action="view",
        event="subject_access_items_viewed",
        obj=sar,
        detail={"request": str(sar.pk), "items": len(gathered)},
    )
    return render(
        request,
        "subject_access/items.html",
        {
            "sar": sar,
            "rows": rows,
            "schedule": schedule,
            "error": request.session.pop("subject_access_error", None),
        },
    )


@login_required
def redact(request: HttpRequest, request_id, item_id) -> HttpResponse:
    sar = selectors.get_request_for(request.user, request_id)
    item = sar.items.filter(pk=item_id).first()
    if item is None:
        raise Http404("No such item")
    form = RedactionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        made = _service_call(
            form,
            lambda: services.redaction_add(
                acting_user=request.user,
                sar=sar,
                item_id=item.pk,
                category=data["category"],
                reason=data["reason"],
                note=data["note"],
                phrase=data["phrase"],
                whole_item=data["whole_item"],
                every_item=data["every_item"],
            ),
        )
        if made is not None:
            return redirect(reverse("subject_access_items", args=[sar.pk]) + f"#item-{item.pk}")
    audit_record(
        user=request.user,
        action="view",
        event="subject_access_item_viewed",
        obj=sar,
        detail={"request": str(sar.pk), "item": str(item.pk)},
    )
    return render(
        request,
        "subject_access/redact.html",
        {"sar": sar, "item": item, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def remove_redaction(request: HttpRequest, request_id, redaction_id) -> HttpResponse:
    sar = selectors.get_request_for(request.user, request_id)
    try:
        services.redaction_remove(acting_user=request.user, sar=sar, redaction_id=redaction_id)
    except PermissionDenied as exc:
        raise Http404("No such page") from exc
    except ValidationError as exc:
        request.session["subject_access_error"] = " ".join(exc.messages)
    return redirect("subject_access_items", sar.pk)


@login_required
@require_POST
def produce_bundle(request: HttpRequest, request_id) -> HttpResponse:
    sar = selectors.get_request_for(request.user, request_id)
    try:
        produced = services.bundle_request(acting_user=request.user, sar=sar)
    except PermissionDenied as exc:
        raise Http404("No such page") from exc
    except ValidationError as exc:
        return _detail_with_error(request, sar, exc)
    return redirect("subject_access_bundle", sar.pk, produced.pk)


def _status_payload(bundle: SubjectAccessBundle) -> dict:
    ready = bundle.is_ready
    return {
        "status": bundle.status,
        "label": bundle.get_status_display(),
        "finished": bundle.is_finished,
        "progress": bundle.progress,
        "message": bundles.status_message(bundle),
        "download_url": reverse("subject_access_pdf", args=[bundle.request_id, bundle.pk])
        if ready
        else "",
        "export_url": reverse("subject_access_export", args=[bundle.request_id, bundle.pk])
        if ready
        else "",
    }


@login_required
def bundle_status(request: HttpRequest, request_id, bundle_id) -> HttpResponse:
    produced = selectors.get_bundle_for(request.user, request_id, bundle_id)
    return render(
        request,
        "subject_access/bundle.html",
        {"sar": produced.request, "bundle": produced, "state": _status_payload(produced)},
    )


@login_required
def bundle_status_json(request: HttpRequest, request_id, bundle_id) -> JsonResponse:
    """What the status page polls: progress only, no personal data."""
    produced = selectors.get_bundle_for(request.user, request_id, bundle_id)
    response = JsonResponse(_status_payload(produced))
    patch_cache_control(response, no_store=True, private=True)
    return response


def _download(request, request_id, bundle_id, part: str) -> HttpResponse:
    produced = selectors.get_bundle_for(request.user, request_id, bundle_id)
    if not produced.is_ready:
        return redirect("subject_access_bundle", request_id, bundle_id)
    services.bundle_downloaded(user=request.user, bundle=produced, part=part)
    field = produced.pdf if part == "pdf" else produced.export
    reference = produced.request.reference
    response = FileResponse(
        field.open("rb"),
        as_attachment=True,
        filename=f"{reference}-bundle.pdf" if part == "pdf" else f"{reference}-unredacted.json",
        content_type="application/pdf" if part == "pdf" else "application/json",
    )
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, no_store=True, private=True)
    return response


@login_required
def download_pdf(request: HttpRequest, request_id, bundle_id) -> HttpResponse:
    return _download(request, request_id, bundle_id, "pdf")


@login_required
def download_export(request: HttpRequest, request_id, bundle_id) -> HttpResponse:
    return _download(request, request_id, bundle_id, "export")
