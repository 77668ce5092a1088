"""The audit search page for information governance (auditors)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from agencies.models import Agency
from cases import selectors
from safeguard.audit.models import acting_for
from safeguard.audit.services import audit_record
from safeguard.core.forms import GovukDateField


class AuditSearchForm(forms.Form):
    username = forms.CharField(label="Username", required=False, max_length=150)
    reference = forms.CharField(
        label="Reference", required=False, max_length=40, help_text="For example CAS-2026-000012"
    )
    event = forms.CharField(label="Event", required=False, max_length=80)
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.order_by("name"),
        to_field_name="slug",
        label="Agency of the person",
        required=False,
        empty_label="Any agency",
        help_text="Someone who belongs to several agencies is found under each of them",
    )
    date_from = GovukDateField(label="From", required=False)
    date_to = GovukDateField(label="To", required=False)


@login_required
def audit_search(request: HttpRequest) -> HttpResponse:
    rows = selectors.audit_rows_for(request.user)
    form = AuditSearchForm(request.GET or None)
    if form.is_valid():
        data = form.cleaned_data
        if data["username"]:
            rows = rows.filter(username__icontains=data["username"].strip())
        if data["reference"]:
            rows = rows.filter(object_reference__iexact=data["reference"].strip())
        if data["agency"]:
            rows = rows.filter(acting_for([data["agency"].slug]))
        if data["event"]:
            rows = rows.filter(event__icontains=data["event"].strip())
        if data["date_from"]:
            rows = rows.filter(at__date__gte=data["date_from"])
        if data["date_to"]:
            rows = rows.filter(at__date__lte=data["date_to"])
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    audit_record(
        user=request.user,
        action="list",
        event="audit_searched",
        detail={
            k: v.slug if isinstance(v, Agency) else str(v)
            for k, v in (form.cleaned_data if form.is_bound and form.is_valid() else {}).items()
            if v
        },
    )
    return render(request, "cases/audit_search.html", {"form": form, "page": page})
