"""The timescale figures counted once by the worker instead of on every view.

At a county's scale the dashboard's twelve months are hundreds of thousands
of rows (275,000 assessments at a million cases): counting them on each view
took seconds. The worker (``oversight.tasks``, on the beat) counts, for each
lead agency, the part every one of its managers sees alike: its work on
unrestricted cases (``Measure.unrestricted``, ``ComplianceFigure``); and,
case by case, its work on its restricted cases (``ComplianceCaseFigure``).
The dashboard reads those numbers and decides, live, only who sees what:

- plus the counted work of the agency's restricted cases the person sees now
  (named on it, allocated, breaking glass: the one access rule, asked of the
  few restricted cases at each view);
- minus the work on a case restricted since the figures were counted that
  the person does not see (it was counted as unrestricted), counted now, so
  a case the person may not see is never counted, however old the figures;
- the front door's decisions on restricted cases are counted live, since a
  concern's reporter sees it whatever its case.

For a manager that is exactly ``Measure.rows`` (the drill-downs, which stay
live) as at the count: ``tests/oversight/test_summary.py`` counts both ways.
Work done since, or a restriction lifted since, shows at the next refresh;
the page says when the figures were counted. Counting each person's part of
the restricted cases' work at every view read every meeting of the year for
each measure (16 to 27 ms each at a county's scale).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db import connection, transaction
from django.db.models import BooleanField, Count, DateField, ExpressionWrapper, Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import TruncMonth
from django.utils import timezone

from agencies.models import Agency
from cases.models import Case
from cases.selectors import case_visible_to
from cases.selectors.cases import User
from oversight.measures import MEASURES, Measure, _tz, add_months, last_months
from oversight.models import ComplianceCaseFigure, ComplianceFigure, ComplianceRefresh
from safeguard.core.lookups import array_text

# A restriction's ``restricted_at`` is the time inside its transaction, a
# little before it commits: a count that began in between did not see it. Rows
# on a case restricted this long before the count began are taken away too.
COMMIT_MARGIN = dt.timedelta(minutes=10)


def month_of(measure: Measure) -> TruncMonth:
    if measure.done_is_moment:
        return TruncMonth(measure.done, output_field=DateField(), tzinfo=_tz())
    return TruncMonth(measure.done, output_field=DateField())


def by_month(rows, measure: Measure, months: list[dt.date], **counts) -> dict[dt.date, dict]:
    """``rows`` of ``measure`` done within ``months``, grouped by month, with ``counts``."""
    end = add_months(months[-1], 1)
    grouped = (
        rows.filter(measure.in_window(months[0], end))
        .annotate(month=month_of(measure))
        .values("month")
        .annotate(**counts)
        .order_by("month")
    )
    return {row["month"]: row for row in grouped}


def by_case_month(rows, measure: Measure, months: list[dt.date]):
    """``rows`` of ``measure`` done within ``months``, counted by case and month."""
    end = add_months(months[-1], 1)
    return (
        rows.filter(measure.in_window(months[0], end))
        .annotate(month=month_of(measure))
        .values("case_id", "month")
        .annotate(total=Count("pk"), on_time=Count("pk", filter=measure.on_time()))
        .order_by()
    )


def refresh_agency(agency: Agency, *, today: dt.date | None = None) -> dt.datetime:
    """Count the agency's figures again, in one transaction, and say as at when.

    Safe to run twice or side by side: the agency's refresh row is locked
    first, so a second refresh waits and then counts again; the figures are
    replaced whole, never added to."""
    today = today or timezone.localdate()
    months = last_months(today)
    with transaction.atomic():
        ComplianceRefresh.objects.bulk_create(
            [ComplianceRefresh(agency=agency)], ignore_conflicts=True
        )
        refresh = ComplianceRefresh.objects.select_for_update().get(agency=agency)
        counted_at = timezone.now()
        figures = []
        for measure in MEASURES.values():
            counted = by_month(
                measure.unrestricted([agency.pk]),
                measure,
                months,
                total=Count("pk"),
                on_time=Count("pk", filter=measure.on_time()),
            )
            figures += [
                ComplianceFigure(
                    agency=agency,
                    measure=measure.code,
                    month=month,
                    total=row["total"],
                    on_time=row["on_time"],
                )
                for month, row in counted.items()
            ]
        cases = []
        for measure in MEASURES.values():
            if measure.front_door:
                continue
            cases += [
                ComplianceCaseFigure(
                    agency=agency,
                    measure=measure.code,
                    month=row["month"],
                    case_id=row["case_id"],
                    total=row["total"],
                    on_time=row["on_time"],
                )
                for row in by_case_month(measure.on_restricted_of(agency.pk), measure, months)
            ]
        ComplianceFigure.objects.filter(agency=agency).delete()
        ComplianceFigure.objects.bulk_create(figures)
        ComplianceCaseFigure.objects.filter(agency=agency).delete()
        ComplianceCaseFigure.objects.bulk_create(cases)
        refresh.counted_at = counted_at
        refresh.save(update_fields=["counted_at"])
    return counted_at


def refresh(agency_ids: Iterable | None = None) -> int:
    """Refresh every lead agency (or those named); each in its own transaction."""
    agencies = Agency.objects.filter(kind=Agency.Kind.SOCIAL_CARE, is_active=True)
    if agency_ids is not None:
        agencies = agencies.filter(pk__in=list(agency_ids))
    done = 0
    for agency in agencies.order_by("slug"):
        refresh_agency(agency)
        done += 1
    return done


def counted_at(agencies: Sequence[Agency]) -> dt.datetime | None:
    """As at when the agencies' figures were counted (the oldest of them);
    ``None`` while any of them has never been counted."""
    times = dict(
        ComplianceRefresh.objects.filter(
            agency__in=list(agencies), counted_at__isnull=False
        ).values_list("agency_id", "counted_at")
    )
    if any(a.pk not in times for a in agencies):
        return None
    return min(times.values())


def _on(case_ids: list) -> Q:
    # An empty IN is no SQL at all; a key that is never null matches nothing.
    if not case_ids:
        return Q(pk__isnull=True)
    if connection.vendor == "postgresql":
        # One array parameter rather than a literal per case: a county's
        # thousand restricted cases, twice in each of six counts, were 12,000
        # parameters to quote and parse on every view of the dashboard. Sent
        # as the array's text: the driver turned the list of UUIDs into an
        # array again for every use, a quarter of the figures' Python.
        return Q(case_id__in=RawSQL("SELECT unnest(%s::uuid[])", (array_text(case_ids),)))
    return Q(case_id__in=case_ids)


def figures(
    user: User, agencies: Sequence[Agency], months: list[dt.date], as_at: dt.datetime
) -> dict[str, dict[dt.date, tuple[int, int]]]:
    """measure code -> month -> (total, on time) for a manager of every one of
    ``agencies``, from the counted figures and the live part (module doc)."""
    ids = [a.pk for a in agencies]
    stored: dict[str, dict[dt.date, list[int]]] = {code: {} for code in MEASURES}
    for code, month, total, on_time in ComplianceFigure.objects.filter(
        agency_id__in=ids, month__gte=months[0], month__lte=months[-1]
    ).values_list("measure", "month", "total", "on_time"):
        pair = stored[code].setdefault(month, [0, 0])
        pair[0] += total
        pair[1] += on_time
    since = as_at - COMMIT_MARGIN
    # The agencies' restricted cases this person sees, and those restricted
    # since the count: one query over the few restricted cases (asked the
    # access rule one by one), then plain id lists in the counts below.
    seen_ids, unseen_ids, gone_ids = [], [], []
    # "Restricted since" is asked of PostgreSQL: reading a thousand times to
    # compare them here cost more than the comparison.
    for pk, seen, gone in (
        Case.objects.filter(lead_agency_id__in=ids, is_restricted=True)
        .annotate(
            seen=ExpressionWrapper(case_visible_to(user), output_field=BooleanField()),
            gone=ExpressionWrapper(Q(restricted_at__gte=since), output_field=BooleanField()),
        )
        .values_list("pk", "seen", "gone")
    ):
        (seen_ids if seen else unseen_ids).append(pk)
        if gone:
            gone_ids.append(pk)
    # What the person sees of the agency's restricted cases, as counted with
    # the rest: the rows of those they see now. (A case restricted since the
    # count has none: its work is in the unrestricted figures.)
    by_case: dict[str, dict[dt.date, list[int]]] = {code: {} for code in MEASURES}
    if seen_ids:
        for code, month, total, on_time in ComplianceCaseFigure.objects.filter(
            _on(seen_ids), agency_id__in=ids, month__gte=months[0], month__lte=months[-1]
        ).values_list("measure", "month", "total", "on_time"):
            pair = by_case[code].setdefault(month, [0, 0])
            pair[0] += total
            pair[1] += on_time
    # Cases restricted since the count that the person does not see: their
    # work was counted as unrestricted, so it is counted now to be taken away.
    unseen = set(unseen_ids)
    gone_unseen = [pk for pk in gone_ids if pk in unseen]
    result = {}
    for code, measure in MEASURES.items():
        on_time = measure.on_time()
        if measure.front_door:
            live = _front_door_live(user, measure, ids, months, seen_ids, unseen_ids, since)
        elif gone_unseen:
            live = by_month(
                measure.on_restricted(ids, _on(gone_unseen)),
                measure,
                months,
                gone=Count("pk"),
                gone_on_time=Count("pk", filter=on_time),
            )
        else:
            live = {}
        months_result = {}
        for month in months:
            total, done_on_time = stored[code].get(month, (0, 0))
            row = live.get(month)
            if row:
                # Taking away more than was counted (work done since on a case
                # restricted since) may undercount until the next refresh;
                # never below nothing.
                total = max(0, total - row["gone"])
                done_on_time = min(total, max(0, done_on_time - row["gone_on_time"]))
                total += row.get("seen", 0)
                done_on_time += row.get("seen_on_time", 0)
            seen_here = by_case[code].get(month)
            if seen_here:
                total += seen_here[0]
                done_on_time += seen_here[1]
            months_result[month] = (total, done_on_time)
        result[code] = months_result
    return result


def _front_door_live(
    user: User, measure: Measure, ids: list, months: list[dt.date], seen_ids, unseen_ids, since
) -> dict[dt.date, dict]:
    """The front door's decisions on the agency's restricted cases, counted
    now: seen (on a case the person sees, or reported by them: a reporter
    keeps seeing their concern, ``concerns_for``) and gone (on a case
    restricted since the count, or decided or authorised since: a concern is
    linked to its child's case when its decision is authorised, so one
    counted with no case may be on a restricted case now)."""
    # Every row counted here is on one of the restricted cases, so "on a case
    # the person sees" is "not on one they do not see" too: the shorter list
    # is sent.
    on_seen = ~_on(unseen_ids) if len(unseen_ids) < len(seen_ids) else _on(seen_ids)
    seen = on_seen | Q(reported_by=user)
    gone = (
        Q(case__restricted_at__gte=since) | Q(decided_at__gte=since) | Q(authorised_at__gte=since)
    )
    on_time = measure.on_time()
    return by_month(
        measure.on_restricted(ids, Q()),
        measure,
        months,
        seen=Count("pk", filter=seen),
        seen_on_time=Count("pk", filter=seen & on_time),
        gone=Count("pk", filter=gone),
        gone_on_time=Count("pk", filter=gone & on_time),
    )
