"""The oversight pages over the API (issue 16, parity with ``oversight.views``):

    GET /api/v1/dashboard/                        the manager's dashboard: caseloads,
                                                  unallocated work, twelve months of
                                                  timescale compliance
    GET /api/v1/dashboard/cases/?worker=&agency=  the open cases behind a caseload
                                                  (``worker=<id>``) or the unallocated
                                                  figure (``worker=none``)
    GET /api/v1/dashboard/timescales/{code}/?month=&outcome=
                                                  the cases behind one month's figure
    GET /api/v1/dashboard/conferences/            the conferences owed (chairs, managers)

Each calls the selectors its page calls, with the same acting user, so the
figures, the cases behind them and who may see them are the pages' by
construction: a lead agency's managers have the dashboard, its chairs and
managers the conferences owed, and anyone else a 404 as on the pages. Each
read writes the audit row its page writes. Drill-downs are cursor-paginated
in the page's own keyset order.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import BooleanField, ExpressionWrapper, QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.models import Agency
from cases.api import INVALID
from cases.models import Case, Concern
from oversight import selectors
from oversight.measures import MEASURES, Measure
from oversight.serializers import (
    ConferencesDueSerializer,
    DashboardSerializer,
    FigureQuerySerializer,
    FigureRowSerializer,
    WorkloadCaseSerializer,
    WorkloadQuerySerializer,
)
from oversight.tasks import request_refresh
from safeguard import workdays
from safeguard.audit.services import audit_record
from safeguard.core.pagination import KeysetCursorPagination, cursor_pagination

# The pages' keyset order for a list of cases (oversight.views.CASE_ORDER).
CASE_ORDER = ("opened_at", "id")
# One pagination class per list order, made once: the drill-downs page in the
# pages' own keyset orders.
PAGINATIONS = {
    order: cursor_pagination(*order)
    for order in {CASE_ORDER, *(m.order for m in MEASURES.values())}
}
# Ids are PostgreSQL integers: a larger "worker" is no one's (and never a 500).
MAX_ID = 2**31 - 1

NO_DASHBOARD = OpenApiResponse(
    description="You manage no lead agency (children's social care): there is no dashboard "
    "for you, as on the page."
)
NO_CONFERENCES = OpenApiResponse(
    description="You neither chair nor manage at a lead agency: no view of conferences owed."
)
NO_FIGURE = OpenApiResponse(
    description="No dashboard for you, no such figure, or a cursor that is not this list's."
)
CODE = OpenApiParameter(
    "code",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    enum=list(MEASURES),
    description="The timescale's code, as in the dashboard's ``timescales``.",
)


def _month(month: dt.date) -> str:
    return f"{month:%Y-%m}"


def _days_open(case: Case, today: dt.date) -> int:
    return (today - workdays.local_date(case.opened_at)).days


def _open_case(case: Case, today: dt.date) -> dict:
    return {
        "id": case.pk,
        "reference": case.reference,
        "child_name": case.child.full_name,
        "agency": case.lead_agency.slug,
        "opened_at": case.opened_at,
        "days_open": _days_open(case, today),
        "allocated_worker_id": case.allocated_worker_id,
    }


def _query(serializer_class, request: Request) -> dict:
    query = serializer_class(data=request.query_params)
    # DRF reads an optional parameter sent empty (``?agency=``) as one not sent;
    # the schema says it may not be blank, so it is refused, not ignored.
    blank = {
        name: [serializers.CharField.default_error_messages["blank"]]
        for name in query.fields
        if name in request.query_params and not request.query_params[name].strip()
    }
    if blank:
        raise ValidationError(blank)
    query.is_valid(raise_exception=True)
    return query.validated_data


class DashboardViewSet(viewsets.GenericViewSet):
    """A lead agency manager's dashboard and a chair's conferences owed."""

    # Drill-downs page in their own order (set per request); this is the schema's.
    pagination_class = KeysetCursorPagination

    def _page(self, rows: QuerySet, ordering: tuple[str, ...]) -> list:
        self._paginator = PAGINATIONS[ordering]()
        return self._paginator.paginate_queryset(rows, self.request, view=self)

    @extend_schema(
        operation_id="dashboard_retrieve",
        responses={200: DashboardSerializer, 404: NO_DASHBOARD},
        description="The dashboard of the lead agencies you manage: open cases per worker, "
        "cases allocated to nobody (how many, and the longest waiting), and for each "
        "statutory timescale how many were done on time and late in each of the last twelve "
        "months. Only cases you may see are counted. Audited, naming the children listed.",
    )
    def overview(self, request: Request) -> Response:
        user = request.user
        agencies = selectors.overseen_agencies(user)
        today = timezone.localdate()
        months = selectors.last_months(today)
        caseloads = selectors.caseloads(user, agencies)
        waiting = selectors.unallocated(user, agencies)
        timescales = []
        compliance, as_at = selectors.compliance_as_at(user, agencies, months)
        if as_at is None:
            request_refresh(agencies)
        for figures in compliance:
            measure = figures.measure
            timescales.append(
                {
                    "code": measure.code,
                    "label": measure.label,
                    "counted": measure.counted,
                    "source": measure.source,
                    "total": figures.total,
                    "on_time": figures.on_time,
                    "late": figures.late,
                    "percent": figures.percent,
                    "months": [
                        {
                            "month": _month(m.month),
                            "total": m.total,
                            "on_time": m.on_time,
                            "late": m.late,
                            "percent": m.percent,
                        }
                        for m in figures.months
                    ],
                }
            )
        selectors.record_dashboard_view(user, agencies, waiting)
        body = {
            "agencies": [{"slug": a.slug, "name": a.name} for a in agencies],
            "first_month": _month(months[0]),
            "last_month": _month(months[-1]),
            "caseloads": [
                {
                    "agency": row.agency.slug,
                    "worker_id": row.worker_id,
                    "name": row.name,
                    "open_cases": row.open_cases,
                    "teams": row.teams,
                    "is_member": row.is_member,
                }
                for row in caseloads
            ],
            "unallocated": {
                "count": waiting.count,
                "oldest": [_open_case(c, today) for c in waiting.oldest],
            },
            "timescales": timescales,
            "figures_as_at": as_at,
        }
        return Response(DashboardSerializer(body).data)

    @extend_schema(
        operation_id="dashboard_cases_list",
        parameters=[WorkloadQuerySerializer],
        responses={200: WorkloadCaseSerializer(many=True), 400: INVALID, 404: NO_FIGURE},
        description="The open cases behind a caseload (``worker`` = its ``worker_id``) or "
        "behind the unallocated figure (``worker=none``), longest open first: exactly those "
        "the figure counted. ``agency`` must be one you manage (400 otherwise). Audited.",
    )
    def cases(self, request: Request) -> Response:
        user = request.user
        agencies = selectors.overseen_agencies(user)
        query = _query(WorkloadQuerySerializer, request)
        agency = self._agency(query.get("agency"), agencies)
        worker = query["worker"]
        worker_id = None if worker == "none" else int(worker)
        if worker_id is not None and worker_id > MAX_ID:
            raise ValidationError({"worker": ["No such worker."]})
        rows = selectors.workload_cases(user, agencies, agency=agency, worker_id=worker_id)
        page = self._page(rows, CASE_ORDER)
        audit_record(
            user=user,
            action="list",
            event="oversight_cases_listed",
            detail={
                "figure": "caseload",
                "worker": worker,
                "references": [c.reference for c in page],
            },
        )
        today = timezone.localdate()
        data = WorkloadCaseSerializer([_open_case(c, today) for c in page], many=True).data
        return self._paginator.get_paginated_response(data)

    @staticmethod
    def _agency(slug: str | None, agencies: list[Agency]) -> Agency | None:
        if slug is None:
            return None
        for agency in agencies:
            if agency.slug == slug:
                return agency
        raise ValidationError({"agency": ["Choose one of the lead agencies you manage."]})

    @extend_schema(
        operation_id="dashboard_timescale_cases_list",
        parameters=[CODE, FigureQuerySerializer],
        responses={200: FigureRowSerializer(many=True), 400: INVALID, 404: NO_FIGURE},
        description="The cases behind one month's figure of a timescale: all those done that "
        "month, or only those on time or late (``outcome``): exactly those the figure "
        "counted, in the page's order. ``month`` must be one of the dashboard's twelve "
        "(400 otherwise). Audited.",
    )
    def timescale(self, request: Request, code: str) -> Response:
        user = request.user
        agencies = selectors.overseen_agencies(user)
        measure = MEASURES.get(code)
        if measure is None:
            raise NotFound("No such figure.")
        query = _query(FigureQuerySerializer, request)
        months = selectors.last_months(timezone.localdate())
        month = self._month_of(query["month"], months)
        outcome = query.get("outcome")
        rows = selectors.figure_rows(user, agencies, measure, month, outcome)
        # On time by the very condition the figure counts with (not re-derived
        # from the dates shown), so a row and its figure always agree.
        rows = rows.annotate(
            counted_on_time=ExpressionWrapper(measure.on_time(), output_field=BooleanField())
        )
        page = self._page(rows, measure.order)
        items = [self._figure_row(measure, row) for row in page]
        audit_record(
            user=user,
            action="list",
            event="oversight_cases_listed",
            detail={
                "figure": code,
                "month": _month(month),
                "outcome": outcome or "all",
                "references": [i["reference"] for i in items],
            },
        )
        return self._paginator.get_paginated_response(FigureRowSerializer(items, many=True).data)

    @staticmethod
    def _month_of(value: str, months: list[dt.date]) -> dt.date:
        try:
            month = dt.date.fromisoformat(f"{value}-01")
        except ValueError:
            month = None
        if month not in months:
            raise ValidationError(
                {
                    "month": [
                        f"Choose one of the dashboard's months, {_month(months[0])} "
                        f"to {_month(months[-1])}."
                    ]
                }
            )
        return month

    @staticmethod
    def _figure_row(measure: Measure, row) -> dict:
        case = getattr(row, "case", None)
        # A front-door decision is a concern's; every other row is a case's.
        concern = row if isinstance(row, Concern) else None
        due, done = measure.due_of(row), measure.done_of(row)
        return {
            "reference": case.reference if case is not None else row.reference,
            "case": {"id": case.pk, "reference": case.reference} if case is not None else None,
            "concern": {"id": concern.pk, "reference": concern.reference} if concern else None,
            "child_name": case.child.full_name if case is not None else row.child_name,
            "due": due,
            "done": done,
            "on_time": row.counted_on_time,
            "late_by_working_days": workdays.working_days_between(due, done) if done > due else 0,
        }

    @extend_schema(
        operation_id="dashboard_conferences_retrieve",
        responses={200: ConferencesDueSerializer, 404: NO_CONFERENCES},
        description="Initial and review child protection conferences whose clocks say they "
        "are owed and that have not been held, soonest due first: how many are owed and "
        f"late, and the first {selectors.OWED_SHOWN} of each, as on the page. For the lead "
        "agency's chairs and managers; only cases you may see. Audited.",
    )
    def conferences(self, request: Request) -> Response:
        user = request.user
        agencies = selectors.chaired_agencies(user)
        today = timezone.localdate()
        owed = selectors.owed_summary(user, agencies, today)
        icpcs = [
            {
                **self._owed_row(e, workdays.due_date("icpc", e.clock_from), today),
                "clock_runs_from": e.clock_from,
            }
            for e in owed["icpcs"].rows
        ]
        reviews = [self._owed_row(p, p.next_review_on, today) for p in owed["reviews"].rows]
        audit_record(
            user=user,
            action="list",
            event="conferences_due_listed",
            detail={"references": sorted({r["case"]["reference"] for r in icpcs + reviews})},
        )
        body = {
            "today": today,
            "shown": selectors.OWED_SHOWN,
            "icpcs": {"owed": owed["icpcs"].owed, "late": owed["icpcs"].late, "rows": icpcs},
            "reviews": {
                "owed": owed["reviews"].owed,
                "late": owed["reviews"].late,
                "rows": reviews,
            },
        }
        return Response(ConferencesDueSerializer(body).data)

    @staticmethod
    def _owed_row(row, due: dt.date, today: dt.date) -> dict:
        clock = workdays.clock(due, today)
        case = row.case
        arranged = None
        if row.arranged_id:
            arranged = {
                "meeting_id": row.arranged_id,
                "reference": row.arranged_reference,
                "scheduled_at": row.arranged_at,
            }
        return {
            "case": {"id": case.pk, "reference": case.reference},
            "child_name": case.child.full_name,
            "due": clock.due,
            "working_days_left": clock.working_days_left,
            "overdue": clock.overdue,
            "arranged": arranged,
        }
