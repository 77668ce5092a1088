"""Pages for the CIN census return: start one, watch it being built, read its
checks and download it.

Only managers and auditors of a lead agency see these pages; for everyone
else they do not exist (404), the download included.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control

from census import selectors, services
from census.download import xml_download
from census.models import CensusReturn
from census.serializers import message_for
from census.years import year_choices
from safeguard.core.forms import add_service_errors

RECENT = 10


class CensusRequestForm(forms.Form):
    year = forms.ChoiceField(label="Census year", choices=())
    la_code = forms.CharField(
        label="DfE local authority code",
        max_length=3,
        help_text="Three digits, as the DfE gives them, for example 201.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = year_choices()


@login_required
def census_home(request: HttpRequest) -> HttpResponse:
    agency = selectors.get_census_agency_for(request.user, request.GET.get("agency"))
    initial = {"year": year_choices()[0][0], "la_code": agency.la_code}
    form = CensusRequestForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                census_return = services.census_request(
                    acting_user=request.user,
                    agency=agency,
                    year=form.cleaned_data["year"],
                    la_code=form.cleaned_data["la_code"],
                )
            except PermissionDenied as exc:
                raise Http404("No such page") from exc
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return redirect("census_status", census_return.pk)
        status = 400
    recent = list(selectors.returns_for(request.user).filter(agency=agency)[:RECENT])
    return render(
        request,
        "census/home.html",
        {"agency": agency, "form": form, "returns": recent},
        status=status,
    )


def _status_payload(census_return: CensusReturn) -> dict:
    return {
        "status": census_return.status,
        "label": census_return.get_status_display(),
        "finished": census_return.is_finished,
        "progress": census_return.progress,
        "message": message_for(census_return),
        "download_url": reverse("census_download", args=[census_return.pk])
        if census_return.is_downloadable
        else "",
    }


@login_required
def census_status(request: HttpRequest, return_id) -> HttpResponse:
    census_return = selectors.get_return_for(request.user, return_id)
    breaches_by_child: dict[str, dict] = {}
    for breach in census_return.breaches:
        entry = breaches_by_child.setdefault(
            breach["la_child_id"],
            {
                "la_child_id": breach["la_child_id"],
                "case_reference": breach.get("case_reference", ""),
                "case_id": breach.get("case_id", ""),
                "breaches": [],
            },
        )
        entry["breaches"].append(breach)
    counts: dict[str, dict] = {}
    for breach in census_return.breaches + census_return.return_level_breaches:
        row = counts.setdefault(
            breach["rule"],
            {
                "rule": breach["rule"],
                "type": breach["type"],
                "message": breach["message"],
                "count": 0,
            },
        )
        row["count"] += 1
    return render(
        request,
        "census/status.html",
        {
            "census_return": census_return,
            "state": _status_payload(census_return),
            "children": list(breaches_by_child.values()),
            "rule_counts": sorted(counts.values(), key=lambda r: (-r["count"], r["rule"])),
        },
    )


@login_required
def census_status_json(request: HttpRequest, return_id) -> JsonResponse:
    """What the status page polls: progress only, no case data."""
    census_return = selectors.get_return_for(request.user, return_id)
    response = JsonResponse(_status_payload(census_return))
    patch_cache_control(response, no_store=True, private=True)
    return response


@login_required
def census_download(request: HttpRequest, return_id) -> HttpResponse:
    census_return = selectors.get_return_for(request.user, return_id)
    if not census_return.is_downloadable:
        return redirect("census_status", census_return.pk)
    return xml_download(request.user, census_return)
