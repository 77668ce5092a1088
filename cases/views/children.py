"""Pages for the child's identity record: editing and merging duplicates."""

from __future__ import annotations

import datetime
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import MultiWidget
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cases import child_identity, selectors, services
from cases.forms.case import ChildIdentityForm, ChildMergeForm
from cases.views.case import _case_page


@login_required
def case_child_edit(request: HttpRequest, case_id) -> HttpResponse:
    # The form shows the child's identifiers and address: opening it is a read
    # of the record, audited like the case page (a change is audited by the service).
    case = selectors.get_case_for(request.user, case_id, audit=False)
    child = case.child
    if not selectors.can_edit_child(request.user, child):
        raise Http404
    if request.method == "GET":
        selectors.case_read_record(request.user, case)
    stale = None
    stale_fields: list[str] = []
    if request.method == "POST":
        form = ChildIdentityForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            version, original = data.pop("version"), data.pop("original")
            try:
                services.child_update(
                    acting_user=request.user, child=child, expected_version=version, fields=data
                )
            except child_identity.StaleEdit as exc:
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
    values = {name: getattr(child, name) for name in child_identity.EDITABLE}
    return values | {
        "version": child.version,
        "original": json.dumps(child_identity.identity_snapshot(values)),
    }


def _merged_identity_form(request: HttpRequest, current, original: dict, typed: dict):
    """After a collision: the other person's changes where this person left a
    field alone, this person's typing where they changed it, at the version
    they have now seen. Saving it again keeps both changes.

    Returns the form and the fields the other person changed, to show them.
    """
    theirs = child_identity.identity_snapshot(
        {name: getattr(current, name) for name in child_identity.EDITABLE}
    )
    if not original:  # a form from before forms carried what they were opened on
        return _bound_identity_form(request.POST, current), _current_differs(theirs, typed)
    mine = child_identity.identity_snapshot(typed)
    left_alone = [name for name in child_identity.EDITABLE if mine[name] == original.get(name)]
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
    return _bound_identity_form(data, current), child_identity.fields_changed(original, theirs)


def _current_differs(theirs: dict, typed: dict) -> list[str]:
    mine = child_identity.identity_snapshot(typed)
    return [
        name for name in child_identity.EDITABLE if name in typed and theirs[name] != mine[name]
    ]


def _bound_identity_form(data, current) -> ChildIdentityForm:
    data = data.copy()
    data["version"] = str(current.version)
    data["original"] = json.dumps(
        child_identity.identity_snapshot(
            {name: getattr(current, name) for name in child_identity.EDITABLE}
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


@login_required
@require_POST
def case_child_merge(request: HttpRequest, case_id) -> HttpResponse:
    case = selectors.get_case_for(request.user, case_id, audit=False)
    if not selectors.can_allocate(request.user, case):
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
            services.child_merge(
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
    if merge is None or not selectors.can_allocate(request.user, case):
        raise Http404
    try:
        services.child_merge_undo(acting_user=request.user, merge=merge)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"The merge of {merge.merged.reference} has been undone.")
    return redirect("case_detail", case.pk)
