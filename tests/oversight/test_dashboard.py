"""The manager's dashboard (issue 15, oversight): each figure checked against
what the test built and against the working-day calendar applied to the
record's own dates, each drill-down against the figure, the access policy
(another authority's manager, a restricted case, people without the role), the
audit row and a constant number of queries."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest
from django.urls import reverse

from cases.models import Assessment, Case, Concern, Episode
from oversight import selectors
from safeguard import workdays
from safeguard.audit.models import AuditEvent
from tests.factories import make_user
from tests.meetings.meeting_helpers import travel
from tests.oversight.oversight_world import NOW

pytestmark = pytest.mark.django_db


def figures(client, user) -> dict:
    """The dashboard's figures as the page shows them: measure -> month -> (done, on time)."""
    client.force_login(user)
    with travel(NOW):
        response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    result = {}
    for section in response.context["sections"]:
        code = section["figures"].measure.code
        result[code] = {
            f"{m.month:%Y-%m}": (m.total, m.on_time) for m in section["figures"].months if m.total
        }
    return result


def by_month(pairs) -> dict:
    """(month, on time?) pairs -> month -> (done, on time)."""
    done, on_time = Counter(), Counter()
    for month, ok in pairs:
        done[month] += 1
        on_time[month] += ok
    return {m: (done[m], on_time[m]) for m in done}


def independent_triage(world) -> dict:
    # The calendar applied to the record's own two moments, not the stored due date.
    rows = Concern.objects.filter(lead_agency=world.la, decided_at__isnull=False).exclude(
        case__is_restricted=True
    )
    return by_month(
        (
            f"{workdays.local_date(c.decided_at):%Y-%m}",
            workdays.working_days_between(
                workdays.local_date(c.submitted_at), workdays.local_date(c.decided_at)
            )
            <= 1,
        )
        for c in rows
    )


def independent_assessments(world) -> dict:
    rows = Assessment.objects.filter(
        case__lead_agency=world.la, completed_on__isnull=False, case__is_restricted=False
    )
    return by_month(
        (
            f"{a.completed_on:%Y-%m}",
            workdays.working_days_between(
                Episode.objects.get(case=a.case_id).referral_date, a.completed_on
            )
            <= 45,
        )
        for a in rows
    )


def test_each_figure_is_what_was_done_and_when(client, year):
    shown = figures(client, year.manager)
    # Built: A on time and B late in March, C on Friday-to-Monday in April,
    # E in May, D last September; R (restricted) in no figure.
    assert shown["triage"] == {
        "2025-09": (1, 1),
        "2026-03": (2, 1),
        "2026-04": (1, 1),
        "2026-05": (1, 1),
    }
    assert shown["triage"] == independent_triage(year)
    assert shown["assessments"] == {"2026-04": (1, 1), "2026-06": (1, 0)}
    assert shown["assessments"] == independent_assessments(year)
    # D's ICPC 10 working days after its strategy discussion; C's 20 after.
    assert shown["icpcs"] == {"2025-10": (1, 1), "2026-05": (1, 0)}
    assert workdays.working_days_between(dt.date(2026, 4, 21), dt.date(2026, 5, 19)) > 15
    assert workdays.working_days_between(dt.date(2025, 10, 6), dt.date(2025, 10, 20)) <= 15
    assert shown["core-groups"] == {"2026-05": (1, 1)}
    assert workdays.working_days_between(dt.date(2026, 5, 19), dt.date(2026, 5, 26)) <= 10
    # D's review, held two months after the date the conference set.
    assert shown["reviews"] == {"2026-01": (1, 0)}
    # C seen 26 May (5 working days into the plan) and 12 June (12 after);
    # the visit where C was not seen is not counted.
    assert shown["visits"] == {"2026-05": (1, 1), "2026-06": (1, 0)}
    assert workdays.working_days_between(dt.date(2026, 5, 26), dt.date(2026, 6, 12)) > 10


def test_caseloads_and_unallocated_count_what_the_manager_sees(client, year):
    client.force_login(year.manager)
    with travel(NOW):
        response = client.get(reverse("dashboard"))
    loads = {row.name: row.open_cases for row in response.context["caseloads"]}
    expected = Counter(
        Case.objects.filter(lead_agency=year.la, status="open", is_restricted=False)
        .exclude(allocated_worker=None)
        .values_list("allocated_worker__username", flat=True)
    )
    assert loads["social_worker@la"] == expected["social_worker@la"] == 1
    assert loads["manager@la"] == 0
    waiting = response.context["unallocated"]
    # B, C, D and E wait; R is restricted and not the manager's to see.
    assert (
        waiting.count
        == 4
        == (
            Case.objects.filter(lead_agency=year.la, status="open", allocated_worker=None)
            .exclude(is_restricted=True)
            .count()
        )
    )
    assert [c.reference for c in waiting.oldest][0] == year.d.reference
    assert re.search(r"4 open cases not allocated to anyone", response.content.decode())


def drill(client, url) -> list[str]:
    with travel(NOW):
        response = client.get(url)
    assert response.status_code == 200
    refs = []
    context = response.context
    for item in context["items"] if "items" in context else context["rows"]:
        case = item["case"]
        refs.append(case.reference if case is not None else item["row"].reference)
    return sorted(refs)


def test_every_figure_drills_down_to_exactly_the_cases_it_counted(client, year):
    client.force_login(year.manager)
    with travel(NOW):
        response = client.get(reverse("dashboard"))
    for section in response.context["sections"]:
        for row in section["rows"]:
            m = row["figure"]
            if not m.total:
                continue
            assert len(drill(client, row["all"])) == m.total
            assert len(drill(client, row["on_time"])) == m.on_time
            assert len(drill(client, row["late"])) == m.late
    late_march = reverse("dashboard_figure", args=["triage"]) + "?month=2026-03&outcome=late"
    assert drill(client, late_march) == [year.b.reference]
    late_icpc = reverse("dashboard_figure", args=["icpcs"]) + "?month=2026-05&outcome=late"
    assert drill(client, late_icpc) == [year.c.reference]
    for row in response.context["caseloads"]:
        assert len(drill(client, row.link)) == row.open_cases
    unallocated = drill(client, response.context["unallocated_link"])
    assert unallocated == sorted(
        [year.b.reference, year.c.reference, year.d.reference, year.e.reference]
    )


def test_a_restricted_case_is_in_the_figures_only_of_those_named_on_it(client, year):
    # The social worker named on R is no manager: no dashboard at all. Made a
    # manager, they see R's March decision and assessment counted.
    client.force_login(year.social_worker)
    with travel(NOW):
        assert client.get(reverse("dashboard")).status_code == 404
    make_user("social_worker@la", year.la, "manager")
    shown = figures(client, year.social_worker)
    assert shown["triage"]["2026-03"] == (3, 2)
    assert shown["assessments"]["2026-03"] == (1, 1)
    march = reverse("dashboard_figure", args=["assessments"]) + "?month=2026-03"
    assert drill(client, march) == [year.r.reference]
    # The manager not named on it: no such month's assessment, and no row.
    client.force_login(year.manager)
    assert drill(client, march) == []


def test_another_authoritys_manager_sees_none_of_it(client, year):
    shown = figures(client, year.other_manager)
    assert all(not months for months in shown.values())
    with travel(NOW):
        response = client.get(reverse("dashboard"))
    assert response.context["unallocated"].count == 0
    assert {row.agency for row in response.context["caseloads"]} <= {year.other_la}
    url = reverse("dashboard_figure", args=["triage"]) + "?month=2026-03"
    assert drill(client, url) == []
    # Asking for the lead agency's cases by name: not an agency they oversee.
    with travel(NOW):
        assert (
            client.get(
                reverse("dashboard_cases"), {"agency": "la-csc", "worker": "none"}
            ).status_code
            == 404
        )


@pytest.mark.parametrize("who", ["teacher", "officer", "chair", "auditor", "la_admin"])
def test_nobody_but_a_lead_agency_manager_has_a_dashboard(client, year, who):
    client.force_login(getattr(year, who))
    with travel(NOW):
        for url in (
            reverse("dashboard"),
            reverse("dashboard_cases") + "?worker=none",
            reverse("dashboard_figure", args=["triage"]) + "?month=2026-03",
        ):
            assert client.get(url).status_code == 404


def test_figure_urls_outside_the_dashboard_are_not_found(client, year):
    client.force_login(year.manager)
    with travel(NOW):
        for url in (
            reverse("dashboard_figure", args=["nonsense"]) + "?month=2026-03",
            reverse("dashboard_figure", args=["triage"]) + "?month=2024-03",
            reverse("dashboard_figure", args=["triage"]) + "?month=March",
            reverse("dashboard_figure", args=["triage"]) + "?month=2026-03&outcome=maybe",
            reverse("dashboard_cases") + "?worker=someone",
        ):
            assert client.get(url).status_code == 404, url


def test_viewing_the_dashboard_writes_one_audit_row(client, year):
    client.force_login(year.manager)
    before = AuditEvent.objects.count()
    with travel(NOW):
        client.get(reverse("dashboard"))
    rows = list(AuditEvent.objects.order_by("-id")[: AuditEvent.objects.count() - before])
    assert [r.event for r in rows] == ["oversight_dashboard_viewed"]
    assert year.d.reference in rows[0].detail["references"]


def test_the_dashboard_and_its_drill_downs_are_a_fixed_few_queries(
    client, year, django_assert_max_num_queries
):
    client.force_login(year.manager)
    # Session, user, memberships, agencies, 3 or 4 for caseloads (the counts
    # kept on PostgreSQL, and its restricted cases'), 1 to 3 for unallocated
    # work, one per timescale (6), the audit row, the unread badge, savepoints.
    with travel(NOW), django_assert_max_num_queries(20):
        assert client.get(reverse("dashboard")).status_code == 200
    # A drill-down: the rows (with their cases and children) in one query.
    for code, month in (("icpcs", "2026-05"), ("triage", "2026-03"), ("visits", "2026-06")):
        url = reverse("dashboard_figure", args=[code]) + f"?month={month}"
        with travel(NOW), django_assert_max_num_queries(9):
            assert client.get(url).status_code == 200
    with travel(NOW), django_assert_max_num_queries(9):
        assert client.get(reverse("dashboard_cases") + "?worker=none").status_code == 200


def test_months_are_the_last_twelve():
    months = selectors.last_months(dt.date(2026, 2, 10))
    assert months[0] == dt.date(2025, 3, 1) and months[-1] == dt.date(2026, 2, 1)
    assert len(months) == 12


def test_the_navigation_offers_the_dashboard_to_managers_and_conferences_to_chairs(client, year):
    def labels(user) -> list[str]:
        client.force_login(user)
        return [item["label"] for item in client.get(reverse("home")).context["service_nav"]]

    assert "Dashboard" in labels(year.manager)
    assert "Conferences due" in labels(year.chair)
    for user in (year.social_worker, year.teacher, year.auditor, year.la_admin):
        assert not {"Dashboard", "Conferences due"} & set(labels(user))
