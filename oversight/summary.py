"""The timescale figures counted once by the worker instead of on every view.

At a county's scale the dashboard's twelve months are hundreds of thousands
of rows (275,000 assessments at a million cases): counting them on each view
took seconds. The worker (``oversight.tasks``, on the beat) counts, for each
lead agency, the part every one of its managers sees alike: its work on
unrestricted cases (``Measure.unrestricted``). The dashboard reads those few
hundred numbers and, live, the part that differs person to person and moment
to moment, which is small:

- plus what the person sees on the agency's restricted cases (named on it,
  allocated, breaking glass: ``Measure.seen_on_restricted``, the one access
  rule);
- minus everything on a case restricted since the figures were counted (it
  may be in them), so a case the person may not see is never counted, however
  old the figures.

For a manager that is exactly ``Measure.rows`` (the drill-downs, which stay
live): ``tests/oversight/test_summary.py`` counts both ways. A case restricted
since the count, or lifted, or work done since, shows at the next refresh; the
page says when the figures were counted.
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
from oversight.models import ComplianceFigure, ComplianceRefresh
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
        ComplianceFigure.objects.filter(agency=agency).delete()
        ComplianceFigure.objects.bulk_create(figures)
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
    # Every row counted below is on one of those restricted cases, so "on a
    # case the person sees" is "not on one they do not see" too: the shorter
    # list is sent. A manager named on most of a county's thousand restricted
    # cases made each of the six counts carry the thousand ids four times
    # (10 to 24 ms each); "restricted since" is the case's own column.
    on_seen = ~_on(unseen_ids) if len(unseen_ids) < len(seen_ids) else _on(seen_ids)
    on_gone = Q(case__restricted_at__gte=since)
    # The rows on any of those cases: each measure is asked for them by its
    # own case index (``Measure.on_restricted``).
    on_any = _on(seen_ids + unseen_ids)
    result = {}
    for code, measure in MEASURES.items():
        seen, gone = on_seen, on_gone
        if measure.front_door:
            # A concern's reporter keeps seeing it (``concerns_for``). A
            # concern is linked to its child's case when its decision is
            # authorised, which may be after the count: one decided or
            # authorised since may have been counted with no case, so on a
            # restricted case it is out too.
            seen |= Q(reported_by=user)
            gone |= Q(decided_at__gte=since) | Q(authorised_at__gte=since)
        elif not seen_ids and not gone_ids:
            result[code] = {m: tuple(stored[code].get(m, (0, 0))) for m in months}
            continue
        on_time = measure.on_time()
        live = by_month(
            measure.on_restricted(ids, on_any),
            measure,
            months,
            seen=Count("pk", filter=seen),
            seen_on_time=Count("pk", filter=seen & on_time),
            gone=Count("pk", filter=gone),
            gone_on_time=Count("pk", filter=gone & on_time),
        )
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
                total += row["seen"]
                done_on_time += row["seen_on_time"]
            months_result[month] = (total, done_on_time)
        result[code] = months_result
    return result
