"""Pages for a case: the record, notes, involvement, restriction and
break-glass, and the oversight pages (who viewed it, who can see it)."""

from __future__ import annotations

import datetime
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import MultiWidget
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from agencies.models import Agency
from agencies.selectors import agencies_where
from cases import (
    actions,
    case_work,
    child_merge,
    child_records,
    documents,
    household,
    notes,
    professionals,
    restrictions,
    selectors,
    services,
    statutory_work,
)
from cases.access import explain_access, involvement_end, involvement_start
from cases.concurrency import StaleChange
from cases.forms import (
    ActionForm,
    AddAgencyForm,
    AllocateForm,
    AssessmentCompleteForm,
    BreakGlassForm,
    CaseClosureForm,
    CaseNoteForm,
    ChildIdentityForm,
    ChildMergeForm,
    ChronologyEntryForm,
    ChronologyFilterForm,
    DocumentForm,
    HouseholdMemberForm,
    PlanEndForm,
    PlanStartForm,
    ProfessionalForm,
    RestrictCaseForm,
    Section47CompleteForm,
    Section47StartForm,
)
from cases.models import Involvement
from cases.sections import case_sections_for
from safeguard.audit.services import audit_record


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
        return _case_page(request, case_id)
    except Http404:
        return _restricted_notice(request, case_id)


def _case_page(request: HttpRequest, case_id, status: int = 200, **forms) -> HttpResponse:
    """The case page; a form that failed validation is passed in to show its errors."""
    case = selectors.get_case_for(request.user, case_id, audit=False)
    involved = Agency.objects.filter(
        involvements__case=case, involvements__ended_at__isnull=True
    ).distinct()
    filter_form = ChronologyFilterForm(request.GET or None, agencies=involved)
    filters = filter_form.cleaned_data if filter_form.is_valid() else {}
    context = selectors.case_detail_for(request.user, case_id, chronology_filters=filters)
    lead = context["lead_access"]
    writers = notes.note_agencies_for(request.user, case)
    context.update(
        filter_form=filter_form,
        can_restrict=restrictions.can_restrict(request.user, case),
        break_glass=selectors.active_break_glass(request.user, case)
        if case.is_restricted
        else None,
        can_oversee=_can_oversee(request, case),
        can_manage_involvement=_can_manage_involvement(request, case),
    )
    if writers.exists():
        context["note_form"] = CaseNoteForm(agencies=writers, lead=lead)
        context["document_form"] = DocumentForm(agencies=writers, lead=lead)
        context["chronology_form"] = ChronologyEntryForm(agencies=writers, lead=lead)
    if context["can_manage_involvement"]:
        context["add_agency_form"] = AddAgencyForm(agencies=_agencies_to_add(case))
    context["actions"] = list(actions.actions_for(request.user, case, lead=lead))
    context["case_sections"], contributed = case_sections_for(request.user, case)
    context.update(contributed)
    context["sibling_cases"] = list(household.linked_sibling_cases(request.user, case))
    if lead:
        today = timezone.localdate()
        for assessment in context["assessments"]:
            assessment.clock = (
                None
                if assessment.completed_on
                else statutory_work.assessment_clock(assessment, today)
            )
        context["closure"] = getattr(case, "closure_request", None) if lead else None
        context.setdefault("assessment_form", AssessmentCompleteForm())
        context.setdefault("household_form", HouseholdMemberForm())
        context.setdefault("plan_form", PlanStartForm())
        # One form per open item, each with its own ids (two open plans must not
        # share an "id_end_date").
        for plan in context["plans"]:
            plan.end_form = PlanEndForm(
                auto_id=f"id_plan_{plan.pk.hex[:8]}_%s", initial={"version": plan.version}
            )
        for enquiry in context["section47_enquiries"]:
            enquiry.complete_form = Section47CompleteForm(auto_id=f"id_s47_{enquiry.pk.hex[:8]}_%s")
        context.setdefault("s47_form", Section47StartForm())

        context.setdefault("closure_form", CaseClosureForm())
        context["is_lead_manager"] = case_work.can_allocate(request.user, case)
        context["merges"] = list(case.child.merges_kept.select_related("merged"))
        if context["is_lead_manager"]:
            context.setdefault("merge_form", ChildMergeForm())
    if lead:
        context["action_form"] = _action_form(case)
    if case_work.can_allocate(request.user, case):
        context["allocate_form"] = _allocate_form(
            case,
            initial={
                "worker": case.allocated_worker_id,
                "team": case.team_id,
                "version": case.version,
            },
        )
    if professionals.can_manage_professionals(request.user, case):
        context["professional_form"] = _professional_form(case)
    context.update(forms)
    return render(request, "cases/case_detail.html", context, status=status)


def _allocate_form(case, data=None, initial=None) -> AllocateForm:
    return AllocateForm(
        data,
        initial=initial,
        workers=case_work.allocatable_workers(case),
        teams=case_work.allocatable_teams(case),
    )


@login_required
@require_POST
def case_allocate(request: HttpRequest, case_id) -> HttpResponse:
    case = selectors.get_case_for(request.user, case_id, audit=False)
    if not case_work.can_allocate(request.user, case):
        raise Http404
    form = _allocate_form(case, request.POST)
    if not form.is_valid():
        return _case_page(request, case_id, status=400, allocate_form=form)
    try:
        case_work.case_allocate(
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


def _professional_form(case, data=None) -> ProfessionalForm:
    return ProfessionalForm(
        data,
        agencies=actions.action_agencies(case).order_by("name"),
        people=professionals.linkable_people(case),
    )


@login_required
@require_POST
def case_professional_add(request: HttpRequest, case_id) -> HttpResponse:
    case = selectors.get_case_for(request.user, case_id, audit=False)
    if not professionals.can_manage_professionals(request.user, case):
        raise Http404
    form = _professional_form(case, request.POST)
    if form.is_valid():
        try:
            added = professionals.professional_add(
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
    if not professionals.can_manage_professionals(request.user, case):
        raise Http404
    professional = professionals.professionals_for(case).filter(pk=professional_id).first()
    if professional is None:
        raise Http404
    try:
        professionals.professional_end(acting_user=request.user, professional=professional)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{professional.name} is no longer listed on this case.")
    return redirect("case_detail", case.pk)


@login_required
@require_POST
def case_chronology_add(request: HttpRequest, case_id) -> HttpResponse:
    case = selectors.get_case_for(request.user, case_id, audit=False)
    writers = notes.note_agencies_for(request.user, case)
    if not writers.exists():
        raise Http404
    lead = selectors.has_lead_access(request.user, case)
    form = ChronologyEntryForm(request.POST, agencies=writers, lead=lead)
    if form.is_valid():
        data = form.cleaned_data
        try:
            case_work.chronology_add(
                acting_user=request.user,
                case=case,
                agency=data["agency"],
                # A date alone means midday, or now if that is still to come.
                occurred_at=min(
                    datetime.datetime.combine(
                        data["occurred_on"],
                        datetime.time(12, 0),
                        tzinfo=timezone.get_current_timezone(),
                    ),
                    timezone.now(),
                ),
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
    return _case_page(request, case_id, status=400, note_form=form)


def _document_form(request: HttpRequest, case, lead: bool, data=None, files=None):
    agencies = notes.note_agencies_for(request.user, case)
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
            documents.document_upload(
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
    document = documents.get_document_for(request.user, case_id, document_id)
    documents.document_downloaded(user=request.user, document=document)
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=f"{document.title}{documents.ALLOWED_TYPES[document.content_type]}",
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


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


@login_required
def case_child_edit(request: HttpRequest, case_id) -> HttpResponse:
    case = selectors.get_case_for(request.user, case_id, audit=False)
    child = case.child
    if not child_records.can_edit_child(request.user, child):
        raise Http404
    stale = None
    stale_fields: list[str] = []
    if request.method == "POST":
        form = ChildIdentityForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            version, original = data.pop("version"), data.pop("original")
            try:
                child_records.child_update(
                    acting_user=request.user, child=child, expected_version=version, fields=data
                )
            except child_records.StaleEdit as exc:
                stale = exc
                form, stale_fields = _merged_identity_form(request, exc.current, original, data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "The child's record has been updated.")
                return redirect("case_detail", case.pk)
    else:
        form = ChildIdentityForm(initial=_identity_initial(child))
    return render(
        request,
        "cases/child_edit.html",
        {
            "case": case,
            "form": form,
            "stale": stale,
            "stale_rows": [
                (form.fields[name].label, _shown(form.fields[name], getattr(stale.current, name)))
                for name in stale_fields
            ]
            if stale
            else [],
        },
        status=409 if stale else (400 if form.is_bound and form.errors else 200),
    )


def _identity_initial(child) -> dict:
    values = {name: getattr(child, name) for name in child_records.EDITABLE}
    return values | {
        "version": child.version,
        "original": json.dumps(child_records.identity_snapshot(values)),
    }


def _merged_identity_form(request: HttpRequest, current, original: dict, typed: dict):
    """After a collision: the other person's changes where this person left a
    field alone, this person's typing where they changed it, at the version
    they have now seen. Saving it again keeps both changes.

    Returns the form and the fields the other person changed, to show them.
    """
    theirs = child_records.identity_snapshot(
        {name: getattr(current, name) for name in child_records.EDITABLE}
    )
    if not original:  # a form from before forms carried what they were opened on
        return _bound_identity_form(request.POST, current), _current_differs(theirs, typed)
    mine = child_records.identity_snapshot(typed)
    left_alone = [name for name in child_records.EDITABLE if mine[name] == original.get(name)]
    data = request.POST.copy()
    for name in left_alone:
        for key in [k for k in data if k == name or k.startswith(f"{name}_")]:
            del data[key]
        value = getattr(current, name)
        field = ChildIdentityForm.base_fields[name]
        if isinstance(field.widget, MultiWidget):
            for i, part in enumerate(field.widget.decompress(value)):
                data[f"{name}_{i}"] = "" if part is None else str(part)
        elif isinstance(value, list):
            data.setlist(name, value)
        else:
            data[name] = "" if value is None else str(value)
    return _bound_identity_form(data, current), child_records.fields_changed(original, theirs)


def _current_differs(theirs: dict, typed: dict) -> list[str]:
    mine = child_records.identity_snapshot(typed)
    return [name for name in child_records.EDITABLE if name in typed and theirs[name] != mine[name]]


def _bound_identity_form(data, current) -> ChildIdentityForm:
    data = data.copy()
    data["version"] = str(current.version)
    data["original"] = json.dumps(
        child_records.identity_snapshot(
            {name: getattr(current, name) for name in child_records.EDITABLE}
        )
    )
    form = ChildIdentityForm(data)
    form.is_valid()
    return form


def _shown(field, value) -> str:
    """A field's value as the person reads it in the message: labels, not codes."""
    if isinstance(value, datetime.date):
        return value.strftime("%-d %B %Y")
    labels = dict(getattr(field, "choices", None) or [])
    if isinstance(value, list):
        return ", ".join(str(labels.get(v, v)) for v in value)
    return str(labels.get(value, value)) if value else ""


def _action_form(case, data=None) -> ActionForm:
    agencies = actions.action_agencies(case)
    people = (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__agency__in=agencies,
            memberships__is_active=True,
            memberships__role__in=["practitioner", "social_worker", "manager"],
        )
        .distinct()
        .order_by("username")
    )
    return ActionForm(data, agencies=agencies, people=people)


@login_required
@require_POST
def case_action_add(request: HttpRequest, case_id) -> HttpResponse:
    case = selectors.get_case_for(request.user, case_id, audit=False)
    if not selectors.has_lead_access(request.user, case):
        raise Http404
    form = _action_form(case, request.POST)
    if form.is_valid():
        try:
            actions.action_add(acting_user=request.user, case=case, **form.cleaned_data)
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
    action = actions.actions_for(request.user, case, lead=lead).filter(pk=action_id).first()
    if action is None:
        raise Http404
    try:
        actions.action_complete(
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
        if not form.is_valid():
            return _case_page(request, case_id, status=400, assessment_form=form)
        statutory_work.assessment_complete(
            acting_user=request.user, assessment=assessment, **form.cleaned_data
        )
        messages.success(request, "Assessment completed. A manager must authorise it.")
        return None

    def authorise():
        statutory_work.assessment_authorise(acting_user=request.user, assessment=assessment)
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
        statutory_work.case_closure_request(
            acting_user=request.user, case=case, **form.cleaned_data
        )
        messages.success(request, "Closure requested. A manager must authorise it.")
        return None

    def authorise():
        statutory_work.case_closure_authorise(acting_user=request.user, case=case)
        messages.success(request, "The case is closed.")

    return _statutory_step(request, case, {"request": ask, "authorise": authorise})


@login_required
@require_POST
def case_household_add(request: HttpRequest, case_id) -> HttpResponse:
    case = selectors.get_case_for(request.user, case_id, audit=False)
    if not selectors.has_lead_access(request.user, case):
        raise Http404
    form = HouseholdMemberForm(request.POST)
    if form.is_valid():
        try:
            household.household_member_add(acting_user=request.user, case=case, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Added to the household.")
            return redirect("case_detail", case.pk)
    return _case_page(request, case_id, status=400, household_form=form)


@login_required
@require_POST
def case_plan(request: HttpRequest, case_id, step: str) -> HttpResponse:
    case = selectors.get_case_for(request.user, case_id, audit=False)

    def start():
        form = PlanStartForm(request.POST)
        if not form.is_valid():
            return _case_page(request, case_id, status=400, plan_form=form)
        statutory_work.plan_start(acting_user=request.user, case=case, **form.cleaned_data)
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
        statutory_work.plan_end(
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
        statutory_work.section47_start(acting_user=request.user, case=case, **form.cleaned_data)
        messages.success(request, "Section 47 enquiry started.")
        return None

    def complete():
        enquiry = case.section47_enquiries.filter(
            pk=request.POST.get("enquiry"), completed_on__isnull=True
        ).first()
        form = Section47CompleteForm(request.POST)
        if enquiry is None:
            raise Http404
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        statutory_work.section47_complete(
            acting_user=request.user, enquiry=enquiry, **form.cleaned_data
        )
        messages.success(request, "Section 47 enquiry completed.")
        return None

    return _statutory_step(request, case, {"start": start, "complete": complete})


@login_required
@require_POST
def case_child_merge(request: HttpRequest, case_id) -> HttpResponse:
    case = selectors.get_case_for(request.user, case_id, audit=False)
    if not case_work.can_allocate(request.user, case):
        raise Http404
    form = ChildMergeForm(request.POST)
    if form.is_valid():
        duplicate = (
            selectors.children_at_front_door(request.user, case.lead_agency)
            .filter(reference__iexact=form.cleaned_data["reference"].strip())
            .first()
        )
        try:
            if duplicate is None:
                raise ValidationError({"reference": "No record with that reference"})
            child_merge.child_merge(
                acting_user=request.user,
                kept=case.child,
                merged=duplicate,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"{duplicate.reference} merged into this record.")
            return redirect("case_detail", case.pk)
    return _case_page(request, case_id, status=400, merge_form=form)


@login_required
@require_POST
def case_child_merge_undo(request: HttpRequest, case_id, merge_id) -> HttpResponse:
    case = selectors.get_case_for(request.user, case_id, audit=False)
    merge = case.child.merges_kept.filter(pk=merge_id).first()
    if merge is None or not case_work.can_allocate(request.user, case):
        raise Http404
    try:
        child_merge.child_merge_undo(acting_user=request.user, merge=merge)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"The merge of {merge.merged.reference} has been undone.")
    return redirect("case_detail", case.pk)
