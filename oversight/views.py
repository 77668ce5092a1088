"""The oversight pages: a manager's dashboard, the cases behind each of its
figures, and the conferences owed (for chairs and managers). Each view is one
audited read; anyone without the role gets a 404, as for any page they may
not see."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import get_language

from oversight import selectors
from oversight.charts import compliance_chart, month_figures_text
from oversight.measures import MEASURES
from oversight.tasks import request_refresh
from safeguard import workdays
from safeguard.audit.services import audit_record
from safeguard.core.keyset import keyset_page

CASE_ORDER = ("opened_at", "id")


def _figure_link(
    code: str, month: dt.date, outcome: str | None = None, *, base: str | None = None
) -> str:
    query = {"month": f"{month:%Y-%m}"}
    if outcome:
        query["outcome"] = outcome
    return (base or reverse("dashboard_figure", args=[code])) + "?" + urlencode(query)


def _workload_link(agency_slug: str | None, worker: str, *, base: str | None = None) -> str:
    query = {"worker": worker}
    if agency_slug:
        query["agency"] = agency_slug
    return (base or reverse("dashboard_cases")) + "?" + urlencode(query)


@lru_cache(maxsize=512)
def _month_labels(month: dt.date, language: str | None) -> dict[str, str]:
    """A month as the page writes it ("Jan 2026", "January 2026", "Jan"),
    formatted as the ``date`` filter would. Once per month and language: the
    filter, asked 360 times a view, was a tenth of the dashboard's Python."""
    return {
        "short": date_format(month, "M Y"),
        "long": date_format(month, "F Y"),
        "abbr": date_format(month, "M"),
    }


def month_labels(month: dt.date) -> dict[str, str]:
    return _month_labels(month, get_language())


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    agencies = selectors.overseen_agencies(user)
    today = timezone.localdate()
    months = selectors.last_months(today)
    caseloads = selectors.caseloads(user, agencies)
    workload_base = reverse("dashboard_cases")  # once, not once per worker
    for row in caseloads:
        row.link = _workload_link(row.agency.slug, str(row.worker_id), base=workload_base)
    waiting = selectors.unallocated(user, agencies)
    unallocated_rows = [
        {"case": case, "waited": (today - workdays.local_date(case.opened_at)).days}
        for case in waiting.oldest
    ]
    sections = []
    compliance, as_at = selectors.compliance_as_at(user, agencies, months)
    if as_at is None:
        request_refresh(agencies)
    for figures in compliance:
        code = figures.measure.code
        # One reverse per measure, not three per month (216 a view).
        base = reverse("dashboard_figure", args=[code])
        sections.append(
            {
                "figures": figures,
                "chart": compliance_chart(figures, month_labels),
                "rows": [
                    {
                        "figure": m,
                        "month": month_labels(m.month),
                        "text": month_figures_text(m),
                        "all": _figure_link(code, m.month, base=base),
                        "on_time": _figure_link(code, m.month, "on-time", base=base),
                        "late": _figure_link(code, m.month, "late", base=base),
                    }
                    for m in figures.months
                ],
            }
        )
    selectors.record_dashboard_view(user, agencies, waiting)
    return render(
        request,
        "oversight/dashboard.html",
        {
            "agencies": agencies,
            "caseloads": caseloads,
            "unallocated": waiting,
            "unallocated_rows": unallocated_rows,
            "unallocated_link": _workload_link(None, "none", base=workload_base),
            "sections": sections,
            "first_month": months[0],
            "as_at": as_at,
            "last_month": months[-1],
        },
    )


def _agency_from(request: HttpRequest, agencies: list):
    slug = request.GET.get("agency")
    if not slug:
        return None
    for agency in agencies:
        if agency.slug == slug:
            return agency
    raise Http404("No such agency")


@login_required
def workload_cases(request: HttpRequest) -> HttpResponse:
    """The open cases behind a caseload (``worker=<id>``) or the unallocated
    figure (``worker=none``)."""
    user = request.user
    agencies = selectors.overseen_agencies(user)
    agency = _agency_from(request, agencies)
    worker = request.GET.get("worker", "")
    if worker == "none":
        worker_id = None
    elif worker.isdigit():
        worker_id = int(worker)
    else:
        raise Http404("No such figure")
    cases = selectors.workload_cases(user, agencies, agency=agency, worker_id=worker_id)
    query = {"worker": worker} | ({"agency": agency.slug} if agency else {})
    page = keyset_page(cases, CASE_ORDER, request.GET.get("cursor"), query=query)
    audit_record(
        user=user,
        action="list",
        event="oversight_cases_listed",
        detail={"figure": "caseload", "worker": worker, "references": [c.reference for c in page]},
    )
    holder = next((c.allocated_worker for c in page if c.allocated_worker), None)
    if worker_id is None:
        heading = "Open cases not allocated to anyone"
    elif holder is not None:
        heading = f"Open cases allocated to {holder.get_full_name() or holder.get_username()}"
    else:
        heading = "Open cases allocated to this worker"
    today = timezone.localdate()
    rows = [{"case": c, "waited": (today - workdays.local_date(c.opened_at)).days} for c in page]
    return render(
        request,
        "oversight/workload_cases.html",
        {"page": page, "rows": rows, "heading": heading, "agency": agency, "worker": worker},
    )


@login_required
def figure_cases(request: HttpRequest, code: str) -> HttpResponse:
    """The cases behind one month's timescale figure: all of them, or only
    those on time or late (``outcome``)."""
    user = request.user
    agencies = selectors.overseen_agencies(user)
    measure = MEASURES.get(code)
    if measure is None:
        raise Http404("No such figure")
    months = selectors.last_months(timezone.localdate())
    month = selectors.parse_month(request.GET.get("month"), months)
    outcome = request.GET.get("outcome") or None
    if outcome is not None and outcome not in selectors.OUTCOMES:
        raise Http404("No such figure")
    rows = selectors.figure_rows(user, agencies, measure, month, outcome)
    query = {"month": f"{month:%Y-%m}"} | ({"outcome": outcome} if outcome else {})
    page = keyset_page(rows, measure.order, request.GET.get("cursor"), query=query)
    items = []
    for row in page:
        due, done = measure.due_of(row), measure.done_of(row)
        late = workdays.working_days_between(due, done) if done > due else 0
        items.append(
            {"row": row, "case": getattr(row, "case", None), "due": due, "done": done, "late": late}
        )
    audit_record(
        user=user,
        action="list",
        event="oversight_cases_listed",
        detail={
            "figure": code,
            "month": f"{month:%Y-%m}",
            "outcome": outcome or "all",
            "references": [_reference(i) for i in items],
        },
    )
    return render(
        request,
        "oversight/figure_cases.html",
        {
            "measure": measure,
            "month": month,
            "outcome": selectors.OUTCOMES.get(outcome or ""),
            "page": page,
            "items": items,
        },
    )


def _reference(item: dict) -> str:
    case = item["case"]
    return case.reference if case is not None else item["row"].reference


@login_required
def conferences_due(request: HttpRequest) -> HttpResponse:
    """Initial and review conferences whose clocks say they are owed and that
    have not been held, soonest due first."""
    user = request.user
    agencies = selectors.chaired_agencies(user)
    today = timezone.localdate()
    owed = selectors.owed_summary(user, agencies, today)
    icpcs = [
        {
            "case": e.case,
            "clock": workdays.clock(workdays.due_date("icpc", e.clock_from), today),
            "runs_from": e.clock_from,
            "arranged": e,
        }
        for e in owed["icpcs"].rows
    ]
    reviews = [
        {
            "case": p.case,
            "clock": workdays.clock(p.next_review_on, today),
            "arranged": p,
        }
        for p in owed["reviews"].rows
    ]
    audit_record(
        user=user,
        action="list",
        event="conferences_due_listed",
        detail={"references": sorted({r["case"].reference for r in icpcs + reviews})},
    )
    return render(
        request,
        "oversight/conferences_due.html",
        {
            "icpcs": icpcs,
            "reviews": reviews,
            "owed": owed,
            "shown": selectors.OWED_SHOWN,
            "today": today,
        },
    )
