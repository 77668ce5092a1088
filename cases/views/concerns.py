"""Pages for logging and following a concern. Thin: validate, call a service
or selector, render. Anything the user may not see is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict, ErrorList
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.views.decorators.http import require_POST

from agencies.roles import CONCERN_LOGGING_ROLES
from agencies.selectors import agencies_where, lead_agencies
from cases import selectors, services
from cases.forms.concerns import (
    MARKS_PREFIX,
    BodyMapMarkForm,
    ConcernForm,
    ConcernMarkFormSet,
)
from cases.models import Concern
from safeguard.audit.services import audit_record
from safeguard.core.keyset import keyset_page

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


def _marks_from_draft(concern: Concern) -> ConcernMarkFormSet:
    """The draft's marks as typed, without errors; an older draft without any: one blank row."""
    if f"{MARKS_PREFIX}-TOTAL_FORMS" not in concern.draft_data:
        return ConcernMarkFormSet(prefix=MARKS_PREFIX)
    marks = ConcernMarkFormSet(MultiValueDict(concern.draft_data), prefix=MARKS_PREFIX)
    for mark_form in marks.forms:
        mark_form._errors = ErrorDict()
        mark_form.cleaned_data = {}
    marks._errors = [ErrorDict() for _ in marks.forms]
    marks._non_form_errors = ErrorList()
    return marks


BODY_MAP_VIEWS = [
    ("front", "Front", "Front: the child facing you"),
    ("back", "Back", "Back: the child's back to you"),
]


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
        if action == "add_mark":
            # Without JavaScript: keep everything typed, with one more blank mark.
            count = _mark_count(request)
            concern = _save_draft(request, concern, marks=count + 1)
            return redirect(reverse("concern_edit", args=[concern.pk]) + f"#mark-{count}")
        if f"{MARKS_PREFIX}-TOTAL_FORMS" in request.POST:
            marks = ConcernMarkFormSet(request.POST, prefix=MARKS_PREFIX)
            marks_valid = marks.is_valid()
        else:  # a page from before marks were on the form: none sent
            marks, marks_valid = ConcernMarkFormSet(prefix=MARKS_PREFIX), True
        if form.is_valid() and marks_valid:
            try:
                concern = services.concern_submit(
                    acting_user=request.user,
                    reporting_agency=form.cleaned_data["reporting_agency"],
                    lead_agency=form.cleaned_data["lead_agency"],
                    fields=form.service_fields(),
                    concern=concern,
                    marks=marks.marks() if marks.is_bound else [],
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
        marks = _marks_from_draft(concern)
    else:
        form = _concern_form(request, initial=_default_initial(request))
        marks = ConcernMarkFormSet(prefix=MARKS_PREFIX)
    return render(
        request,
        "cases/concern_form.html",
        {
            "form": form,
            "marks": marks,
            "body_map_views": BODY_MAP_VIEWS,
            "concern": concern,
            "autosave_url": reverse("concern_autosave", args=[concern.pk])
            if concern
            else reverse("concern_autosave_new"),
        },
    )


def _mark_count(request: HttpRequest) -> int:
    try:
        return max(0, min(30, int(request.POST.get(f"{MARKS_PREFIX}-TOTAL_FORMS", 0))))
    except ValueError:
        return 0


def _save_draft(request: HttpRequest, concern: Concern | None, marks: int | None = None) -> Concern:
    reporting = _reporting_agencies(request)
    chosen = reporting.filter(pk=request.POST.get("reporting_agency") or None).first()
    data = _draft_payload(request)
    if marks is not None:
        data[f"{MARKS_PREFIX}-TOTAL_FORMS"] = [str(marks)]
        data.setdefault(f"{MARKS_PREFIX}-INITIAL_FORMS", ["0"])
    return services.concern_save_draft(
        acting_user=request.user,
        reporting_agency=chosen or (concern.reporting_agency if concern else reporting.first()),
        data=data,
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
    return render(
        request,
        "cases/concern_submitted.html",
        {"concern": concern, "body_map": selectors.body_map_for(concern)},
    )


@login_required
def concern_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    fetch = selectors.my_concern_rows_fetch(user) if user.is_active else None
    # With a fetch, the queryset only names the model.
    page = keyset_page(
        Concern.objects.none() if fetch else selectors.my_concerns_for(user),
        selectors.MY_CONCERNS_ORDER,
        request.GET.get("cursor"),
        fetch=fetch,
    )
    audit_record(
        user=request.user,
        action="list",
        event="my_concerns_listed",
        detail={"references": [c.reference for c in page if c.reference]},
    )
    return render(request, "cases/concern_list.html", {"page": page})


@login_required
def concern_detail(
    request: HttpRequest, concern_id, form: BodyMapMarkForm | None = None
) -> HttpResponse:
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
            "body_map": selectors.body_map_for(concern),
            "body_map_form": form
            or (BodyMapMarkForm() if selectors.can_add_marks(request.user, concern) else None),
        },
        status=400 if form else 200,
    )


@login_required
@require_POST
def concern_body_map_add(request: HttpRequest, concern_id) -> HttpResponse:
    concern = selectors.get_concern_for(request.user, concern_id, audit=False)
    if not selectors.can_add_marks(request.user, concern):
        raise Http404
    form = BodyMapMarkForm(request.POST)
    if form.is_valid():
        try:
            services.body_map_mark_add(
                acting_user=request.user, concern=concern, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Mark added to the body map.")
            return redirect("concern_detail", concern.pk)
    return concern_detail(request, concern_id, form=form)
