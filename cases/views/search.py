"""The search page behind the header's search box."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from cases.selectors.search import KIND_LABELS, search
from safeguard.core.navigation import header_search

# What a query may hold; longer is not a search anyone typed.
MAX_QUERY = 200


@login_required
def search_page(request: HttpRequest) -> HttpResponse:
    # Only people offered the box reach the page: an agency administrator sees
    # no case data, so there is nothing here for them (and nothing to probe).
    if not header_search(request):
        raise Http404
    text = request.GET.get("q", "")[:MAX_QUERY].strip()
    results = search(request.user, text, where="search page") if text else None
    return render(
        request,
        "cases/search.html",
        {"q": text, "results": results, "kinds": sorted(set(KIND_LABELS.values()))},
    )
