"""Pages that add to the case record: allocation, professionals, chronology,
notes, documents, actions, household."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from cases import selectors, services
from cases.concurrency import StaleChange
from cases.forms.case import CaseNoteForm, ChronologyEntryForm, DocumentForm, HouseholdMemberForm
from cases.views.case import _action_form, _allocate_form, _case_page, _professional_form


@login_required
@require_POST
def case_allocate(request: HttpRequest, case_id) -> HttpResponse:
    case = selectors.get_case_for(request.user, case_id, audit=False)
    if not selectors.can_allocate(request.user, case):
        raise Http404
    form = _allocate_form(case, request.POST)
    if not form.is_valid():
        return _case_page(request, case_id, status=400, allocate_form=form)
    try:
        services.case_allocate(
            acting_user=request.user,
            case=case,
            worker=form.cleaned_data["worker"],
            team=form.cleaned_data["team"],
            expected_version=form.cleaned_data["version"],
        )
    except StaleChange as stale:
        # Keep their choice on the form, at the version they have now seen.
        data = request.POST.copy()
        data["version"] = str(stale.current.version)
        form = _allocate_form(case, data)
        form.is_valid()
        form.add_error(None, stale.message)
        return _case_page(request, case_id, status=409, allocate_form=form)
    except ValidationError as exc:
        form.add_error(None, exc)
        return _case_page(request, case_id, status=400, allocate_form=form)
    messages.success(request, "Case allocated. They have been notified.")
    return redirect("case_detail", case.pk)


@login_required
@require_POST
def case_professional_add(request: HttpRequest, case_id) -> HttpResponse:
    case = selectors.get_case_for(request.user, case_id, audit=False)
    if not selectors.can_manage_professionals(request.user, case):
        raise Http404
    form = _professional_form(case, request.POST)
    if form.is_valid():
        try:
            added = services.professional_add(
                acting_user=request.user, case=case, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"{added.name} added to the professionals on this case.")
            return redirect("case_detail", case.pk)
    return _case_page(request, case_id, status=400, professional_form=form)


@login_required
@require_POST
def case_professional_end(request: HttpRequest, case_id, professional_id) -> HttpResponse:
    case = selectors.get_case_for(request.user, case_id, audit=False)
    if not selectors.can_manage_professionals(request.user, case):
        raise Http404
    professional = selectors.professionals_for(case).filter(pk=professional_id).first()
    if professional is None:
        raise Http404
    try:
        services.professional_end(acting_user=request.user, professional=professional)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{professional.name} is no longer listed on this case.")
    return redirect("case_detail", case.pk)


@login_required
@require_POST
def case_chronology_add(request: HttpRequest, case_id) -> HttpResponse:
    case = selectors.get_case_for(request.user, case_id, audit=False)
    writers = selectors.note_agencies_for(request.user, case)
    if not writers.exists():
        raise Http404
    lead = selectors.has_lead_access(request.user, case)
    form = ChronologyEntryForm(request.POST, agencies=writers, lead=lead)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.chronology_add(
                acting_user=request.user,
                case=case,
                agency=data["agency"],
                occurred_at=services.occurred_at_for_day(data["occurred_on"]),
                title=data["title"],
                body=data["body"],
                lead_only=bool(data.get("lead_only")),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Added to the chronology.")
            return redirect("case_detail", case.pk)
    return _case_page(request, case_id, status=400, chronology_form=form)


def _note_form(request: HttpRequest, case, lead: bool, data=None) -> CaseNoteForm | None:
    agencies = selectors.note_agencies_for(request.user, case)
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
            services.case_note_add(
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
    return _case_page(request, case_id, status=400, note_form=form)


def _document_form(request: HttpRequest, case, lead: bool, data=None, files=None):
    agencies = selectors.note_agencies_for(request.user, case)
    if not agencies.exists():
        return None
    return DocumentForm(data, files, agencies=agencies, lead=lead)


@login_required
@require_POST
def case_document_upload(request: HttpRequest, case_id) -> HttpResponse:
    case = selectors.get_case_for(request.user, case_id, audit=False)
    lead = selectors.has_lead_access(request.user, case)
    form = _document_form(request, case, lead, data=request.POST, files=request.FILES)
    if form is None:
        raise Http404
    if form.is_valid():
        try:
            services.document_upload(
                acting_user=request.user,
                case=case,
                agency=form.cleaned_data["agency"],
                title=form.cleaned_data["title"],
                upload=form.cleaned_data["upload"],
                sensitivity=form.cleaned_data["sensitivity"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Document uploaded.")
            return redirect("case_detail", case.pk)
    return _case_page(request, case_id, status=400, document_form=form)


@login_required
def case_document_download(request: HttpRequest, case_id, document_id) -> HttpResponse:
    document = selectors.get_document_for(request.user, case_id, document_id)  # audited
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=f"{document.title}{services.ALLOWED_TYPES[document.content_type]}",
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def case_action_add(request: HttpRequest, case_id) -> HttpResponse:
    case = selectors.get_case_for(request.user, case_id, audit=False)
    if not selectors.has_lead_access(request.user, case):
        raise Http404
    form = _action_form(case, request.POST)
    if form.is_valid():
        try:
            services.action_add(acting_user=request.user, case=case, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Action added. Whoever owns it has been told.")
            return redirect("case_detail", case.pk)
    return _case_page(request, case_id, status=400, action_form=form)


@login_required
@require_POST
def case_action_done(request: HttpRequest, case_id, action_id) -> HttpResponse:
    case = selectors.get_case_for(request.user, case_id, audit=False)
    lead = selectors.has_lead_access(request.user, case)
    action = selectors.actions_for(request.user, case, lead=lead).filter(pk=action_id).first()
    if action is None:
        raise Http404
    try:
        services.action_complete(
            acting_user=request.user,
            action=action,
            expected_version=_posted_version(request),
        )
    except StaleChange as stale:
        messages.error(request, stale.message)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Action marked as done.")
    return redirect("case_detail", case.pk)


def _posted_version(request: HttpRequest) -> int | None:
    """The version the page showed; a page without one (an old tab) is not checked."""
    try:
        return int(request.POST["version"])
    except (KeyError, ValueError):
        return None


@login_required
@require_POST
def case_household_add(request: HttpRequest, case_id) -> HttpResponse:
    case = selectors.get_case_for(request.user, case_id, audit=False)
    if not selectors.has_lead_access(request.user, case):
        raise Http404
    form = HouseholdMemberForm(request.POST)
    if form.is_valid():
        try:
            services.household_member_add(acting_user=request.user, case=case, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Added to the household.")
            return redirect("case_detail", case.pk)
    return _case_page(request, case_id, status=400, household_form=form)
