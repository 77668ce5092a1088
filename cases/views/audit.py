"""The audit search page for information governance (auditors)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cases import selectors
from cases.forms.filters import AuditFilter
from safeguard.audit.models import AuditEvent
from safeguard.audit.services import audit_record
from safeguard.core.keyset import keyset_page

PER_PAGE = 50


@login_required
def audit_search(request: HttpRequest) -> HttpResponse:
    search = selectors.audit_search_for(request.user)
    filters = AuditFilter(request.GET or None, queryset=AuditEvent.objects.none())
    narrowed = filters.narrow(search.rows)
    # Keyset pages on the primary key: ten million rows are never counted.
    page = keyset_page(
        narrowed,
        filters.ordering,
        request.GET.get("cursor"),
        per_page=PER_PAGE,
        query=filters.query(),
        fetch=search.reader(narrowed),
    )
    audit_record(
        user=request.user,
        action="list",
        event="audit_searched",
        detail={
            k: str(v)
            for k, v in (filters.form.cleaned_data if filters.is_bound else {}).items()
            if v and filters.form.is_valid()
        },
    )
    return render(
        request, "cases/audit_search.html", {"form": filters.form, "filters": filters, "page": page}
    )
