"""The oversight pages over the API (issue 16, oversight.api): driven with an
API token as an integration would. Each figure is checked against counts made
here from the records (and against the page), each drill-down against its
figure and the page's drill-down, the access policy (a restricted case, an
involvement that ends, people without the role), the audit rows, the error
bodies and a constant number of queries."""

from __future__ import annotations

import base64
import datetime as dt
from collections import Counter

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases import services
from cases.models import Case
from cases.services.case import involvement_start
from meetings.models import Meeting
from oversight import summary
from safeguard.audit.models import AuditEvent
from safeguard.core.pagination import KeysetCursorPagination
from tests.factories import make_user
from tests.meetings.meeting_helpers import travel
from tests.oversight.oversight_world import NOW
from tests.oversight.test_dashboard import (
    drill,
    figures,
    independent_assessments,
    independent_triage,
)

pytestmark = pytest.mark.django_db

DASHBOARD = "/api/v1/dashboard/"
CASES = "/api/v1/dashboard/cases/"
CONFERENCES = "/api/v1/dashboard/conferences/"


def timescale(code: str) -> str:
    return f"/api/v1/dashboard/timescales/{code}/"


def api(user) -> APIClient:
    client = APIClient()
    with travel(NOW):
        key = Token.objects.get_or_create(user=user)[0].key
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def get(client: APIClient, url: str, **params):
    with travel(NOW):
        return client.get(url, params)


def every(client: APIClient, url: str, **params) -> list[dict]:
    """Every row of a drill-down, following its cursors to the end."""
    response = get(client, url, **params)
    assert response.status_code == 200, response.content
    body = response.json()
    rows = body["results"]
    while body["next"]:
        with travel(NOW):
            response = client.get(body["next"])
        assert response.status_code == 200, response.content
        body = response.json()
        rows += body["results"]
    return rows


def api_figures(client: APIClient) -> dict:
    """measure -> month -> (done, on time), months with something done."""
    response = get(client, DASHBOARD)
    assert response.status_code == 200, response.content
    return {
        t["code"]: {m["month"]: (m["total"], m["on_time"]) for m in t["months"] if m["total"]}
        for t in response.json()["timescales"]
    }


def references(rows: list[dict]) -> list[str]:
    return sorted(r["reference"] for r in rows)


def assert_error(response, status: int, *fields: str) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"detail", "errors"}, body
    assert set(body["errors"]) == set(fields), body


def test_the_api_gives_each_figure_the_page_gives_and_the_records_say(client, year):
    shown = api_figures(api(year.manager))
    assert (
        shown["triage"]
        == independent_triage(year)
        == {
            "2025-09": (1, 1),
            "2026-03": (2, 1),
            "2026-04": (1, 1),
            "2026-05": (1, 1),
        }
    )
    assert shown["assessments"] == independent_assessments(year)
    assert shown["icpcs"] == {"2025-10": (1, 1), "2026-05": (1, 0)}
    assert shown["core-groups"] == {"2026-05": (1, 1)}
    assert shown["reviews"] == {"2026-01": (1, 0)}
    assert shown["visits"] == {"2026-05": (1, 1), "2026-06": (1, 0)}
    assert shown == figures(client, year.manager)


def test_the_api_says_when_the_worker_counted_the_figures_and_reads_the_same_after(
    year, django_capture_on_commit_callbacks
):
    client = api(year.manager)
    # Never counted: counted for this answer (null), and the worker is asked.
    with travel(NOW), django_capture_on_commit_callbacks(execute=True):
        first = client.get("/api/v1/dashboard/")
    assert first.status_code == 200 and first.json()["figures_as_at"] is None
    # The worker ran when the first answer committed: the next reads its count.
    second = get(client, "/api/v1/dashboard/").json()
    assert abs(dt.datetime.fromisoformat(second["figures_as_at"]) - NOW) < dt.timedelta(seconds=5)
    assert second["timescales"] == first.json()["timescales"]


def test_the_api_dashboard_counts_caseloads_and_unallocated_work(year):
    response = get(api(year.manager), DASHBOARD)
    body = response.json()
    assert body["agencies"] == [{"slug": "la-csc", "name": year.la.name}]
    assert (body["first_month"], body["last_month"]) == ("2025-07", "2026-06")
    visible_open = Case.objects.filter(lead_agency=year.la, status="open", is_restricted=False)
    expected = Counter(
        visible_open.exclude(allocated_worker=None).values_list("allocated_worker_id", flat=True)
    )
    loads = {row["worker_id"]: row["open_cases"] for row in body["caseloads"]}
    assert loads[year.social_worker.pk] == expected[year.social_worker.pk] == 1
    assert loads[year.manager.pk] == 0
    assert sum(loads.values()) == sum(expected.values())
    waiting = body["unallocated"]
    assert waiting["count"] == visible_open.filter(allocated_worker=None).count() == 4
    oldest = waiting["oldest"]
    assert [c["reference"] for c in oldest][0] == year.d.reference
    assert oldest[0]["days_open"] == (NOW.date() - dt.date(2025, 9, 30)).days
    assert oldest[0]["child_name"] == "Dan Test"
    # One audit row, as for the page, naming the children listed.
    (row,) = AuditEvent.objects.filter(event="oversight_dashboard_viewed")
    assert row.username == year.manager.username
    assert sorted(row.detail["references"]) == sorted(c["reference"] for c in oldest)


def test_every_api_figure_drills_down_to_exactly_the_cases_it_counted(client, year):
    manager = api(year.manager)
    body = get(manager, DASHBOARD).json()
    client.force_login(year.manager)
    for section in body["timescales"]:
        code = section["code"]
        for m in section["months"]:
            if not m["total"]:
                continue
            everything = every(manager, timescale(code), month=m["month"])
            on_time = every(manager, timescale(code), month=m["month"], outcome="on-time")
            late = every(manager, timescale(code), month=m["month"], outcome="late")
            assert (len(everything), len(on_time), len(late)) == (
                m["total"],
                m["on_time"],
                m["late"],
            )
            assert all(r["on_time"] for r in on_time) and not any(r["on_time"] for r in late)
            assert all(r["late_by_working_days"] > 0 for r in late if r["done"] > r["due"])
            # The same cases as the page's drill-down.
            page = reverse("dashboard_figure", args=[code]) + "?month=" + m["month"]
            assert references(everything) == drill(client, page)
    late_march = every(manager, timescale("triage"), month="2026-03", outcome="late")
    assert references(late_march) == [year.b.reference]
    (b,) = late_march
    assert b["case"]["id"] == str(year.b.pk) and b["concern"]["reference"]
    assert (b["due"], b["done"], b["late_by_working_days"]) == ("2026-03-05", "2026-03-09", 2)
    (c,) = every(manager, timescale("icpcs"), month="2026-05", outcome="late")
    assert c["reference"] == year.c.reference and c["concern"] is None
    assert (c["due"], c["done"]) == ("2026-05-13", "2026-05-19")
    for load in body["caseloads"]:
        rows = every(manager, CASES, worker=load["worker_id"], agency=load["agency"])
        assert len(rows) == load["open_cases"]
        assert {r["allocated_worker_id"] for r in rows} <= {load["worker_id"]}
    unallocated = every(manager, CASES, worker="none")
    assert references(unallocated) == sorted(
        [year.b.reference, year.c.reference, year.d.reference, year.e.reference]
    )
    assert len(unallocated) == body["unallocated"]["count"]
    assert all(r["allocated_worker_id"] is None for r in unallocated)


def test_drill_downs_page_by_cursor_in_the_pages_order(year, monkeypatch):
    monkeypatch.setattr(KeysetCursorPagination, "page_size", 2)
    manager = api(year.manager)
    first = get(manager, CASES, worker="none").json()
    assert len(first["results"]) == 2 and first["previous"] is None and first["next"]
    assert "worker=none" in first["next"]
    rows = every(manager, CASES, worker="none")
    # Longest open first, each once, across pages.
    opened = [r["opened_at"] for r in rows]
    assert opened == sorted(opened) and len({r["id"] for r in rows}) == len(rows) == 4
    assert rows[0]["reference"] == year.d.reference
    # Each page is audited with the cases it listed.
    listed = AuditEvent.objects.filter(event="oversight_cases_listed").order_by("id")
    assert [len(r.detail["references"]) for r in listed][-2:] == [2, 2]
    triage = every(manager, timescale("triage"), month="2026-03")
    assert len(triage) == 2
    assert_error(get(manager, CASES, worker="none", cursor="not-a-cursor"), 404)
    # DRF's cursors are not signed: a hand-made position that is no value of
    # the list's column is a cursor not ours (404), never a server error.
    made_up = base64.b64encode(b"p=abc").decode()
    assert_error(get(manager, timescale("icpcs"), month="2026-05", cursor=made_up), 404)
    assert_error(get(manager, timescale("triage"), month="2026-03", cursor=made_up), 404)
    assert_error(get(manager, CASES, worker="none", cursor=made_up), 404)


def test_a_restricted_case_is_in_the_figures_and_lists_only_of_those_named_on_it(year):
    # The social worker named on R is no manager: no dashboard at all.
    assert_error(get(api(year.social_worker), DASHBOARD), 404)
    make_user("social_worker@la", year.la, "manager")
    named = api(year.social_worker)
    shown = api_figures(named)
    assert shown["triage"]["2026-03"] == (3, 2)
    assert shown["assessments"]["2026-03"] == (1, 1)
    rows = every(named, timescale("assessments"), month="2026-03")
    assert references(rows) == [year.r.reference]
    # The manager not named on it: not counted, not listed.
    manager = api(year.manager)
    assert "2026-03" not in api_figures(manager)["assessments"]
    assert every(manager, timescale("assessments"), month="2026-03") == []
    assert year.r.reference not in references(every(manager, timescale("triage"), month="2026-03"))
    assert year.r.reference not in references(every(manager, CASES, worker="none"))
    body = get(manager, DASHBOARD).json()
    assert year.r.reference not in [c["reference"] for c in body["unallocated"]["oldest"]]


def test_an_agency_that_sees_a_case_through_an_involvement_counts_none_of_it(year):
    """Another authority involved in B sees B while involved, but B is this
    authority's figure, never theirs; its involvement ending ends even seeing it,
    and the lead agency's figures count B once throughout."""
    manager, other = api(year.manager), api(year.other_manager)
    before = api_figures(manager)
    with travel(NOW):
        involvement_start(
            acting_user=year.social_worker,
            case=year.b,
            agency=year.other_la,
            level="involved",
            reason="added",
        )
    assert get(other, f"/api/v1/cases/{year.b.pk}/").status_code == 200
    assert api_figures(manager) == before
    assert all(not months for months in api_figures(other).values())
    body = get(other, DASHBOARD).json()
    assert body["unallocated"]["count"] == 0
    assert {row["agency"] for row in body["caseloads"]} <= {"other-la"}
    assert every(other, CASES, worker="none") == []
    assert every(other, timescale("triage"), month="2026-03") == []
    assert every(other, timescale("assessments"), month="2026-06") == []
    assert_error(get(other, CASES, worker="none", agency="la-csc"), 400, "agency")
    with travel(NOW):
        services.case_end_involvement(
            acting_user=year.social_worker,
            involvement=year.b.involvements.get(agency=year.other_la, ended_at__isnull=True),
            reason="No longer working with the family",
        )
    assert_error(get(other, f"/api/v1/cases/{year.b.pk}/"), 404)
    assert every(other, timescale("triage"), month="2026-03") == []
    assert api_figures(manager) == before
    assert year.b.reference in references(every(manager, CASES, worker="none"))


@pytest.mark.parametrize("who", ["teacher", "officer", "chair", "auditor", "la_admin"])
def test_nobody_but_a_lead_agency_manager_has_the_dashboard(year, who):
    client = api(getattr(year, who))
    for url, params in (
        (DASHBOARD, {}),
        (CASES, {"worker": "none"}),
        (timescale("triage"), {"month": "2026-03"}),
        # Even a request that is wrong in itself: who is asked about first.
        (timescale("triage"), {}),
        (CASES, {}),
    ):
        assert_error(get(client, url, **params), 404)
    assert not AuditEvent.objects.filter(
        event__in=["oversight_dashboard_viewed", "oversight_cases_listed"]
    ).exists()


def test_nobody_but_a_chair_or_manager_has_the_conferences_owed(year):
    for user in (year.social_worker, year.teacher, year.auditor, year.la_admin):
        assert_error(get(api(user), CONFERENCES), 404)
    assert not AuditEvent.objects.filter(event="conferences_due_listed").exists()


def test_anonymous_callers_and_bad_tokens_are_not_answered(year):
    anonymous = APIClient()
    stranger = APIClient()
    stranger.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    for client in (anonymous, stranger):
        for url in (DASHBOARD, CASES + "?worker=none", timescale("triage"), CONFERENCES):
            assert_error(get(client, url), 401)


def test_requests_outside_the_dashboard_are_refused_by_field(year):
    manager = api(year.manager)
    for params, field in (
        ({"month": "2024-03"}, "month"),
        ({"month": "2026-13"}, "month"),
        ({"month": "March"}, "month"),
        ({}, "month"),
        ({"month": "2026-03", "outcome": "maybe"}, "outcome"),
        ({"month": "2026-03", "outcome": ""}, "outcome"),
    ):
        assert_error(get(manager, timescale("triage"), **params), 400, field)
    assert_error(get(manager, timescale("nonsense"), month="2026-03"), 404)
    for params, field in (
        ({"worker": "someone"}, "worker"),
        ({"worker": "²"}, "worker"),
        ({"worker": "99999999999"}, "worker"),
        ({}, "worker"),
        ({"worker": "none", "agency": "no-such-agency"}, "agency"),
        ({"worker": "none", "agency": ""}, "agency"),
        ({"worker": ""}, "worker"),
    ):
        assert_error(get(manager, CASES, **params), 400, field)
    # A worker who holds nothing: nothing (not an error), as on the page.
    assert every(manager, CASES, worker=str(year.teacher.pk)) == []


def test_the_chair_reads_the_conferences_owed_as_the_page_shows_them(client, year):
    response = get(api(year.chair), CONFERENCES)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["today"] == "2026-06-15" and body["shown"] == 100
    icpcs = body["icpcs"]
    assert (icpcs["owed"], icpcs["late"]) == (1, 1)
    (e,) = icpcs["rows"]
    assert e["case"] == {"id": str(year.e.pk), "reference": year.e.reference}
    assert (e["clock_runs_from"], e["due"], e["overdue"]) == ("2026-05-20", "2026-06-11", True)
    assert e["working_days_left"] == -2 and e["arranged"] is None
    reviews = body["reviews"]
    assert (reviews["owed"], reviews["late"]) == (2, 0)
    assert [(r["case"]["reference"], r["due"]) for r in reviews["rows"]] == [
        (year.c.reference, "2026-06-16"),
        (year.d.reference, "2026-07-17"),
    ]
    (row,) = AuditEvent.objects.filter(event="conferences_due_listed")
    assert row.detail["references"] == sorted(
        [year.c.reference, year.d.reference, e["case"]["reference"]]
    )
    # The page says the same.
    client.force_login(year.chair)
    with travel(NOW):
        page = client.get(reverse("conferences_due")).context
    assert [r["case"].reference for r in page["reviews"]] == [
        r["case"]["reference"] for r in reviews["rows"]
    ]
    assert page["owed"]["icpcs"].owed == icpcs["owed"]


def test_an_arranged_conference_is_given_with_its_meeting(year):
    from meetings import services as meetings

    with travel(NOW):
        icpc = meetings.meeting_schedule(
            acting_user=year.social_worker,
            kind=Meeting.Kind.ICPC,
            cases=[year.e],
            chair=year.chair,
            scheduled_at=NOW + dt.timedelta(days=2),
            location="Civic Centre",
            late_reason="The family's solicitor could not attend sooner",
        )
    (row,) = get(api(year.chair), CONFERENCES).json()["icpcs"]["rows"]
    assert row["arranged"]["meeting_id"] == str(icpc.pk)
    assert row["arranged"]["reference"] == icpc.reference


def test_the_conferences_owed_are_only_of_cases_the_caller_may_see(year):
    from cases.services.restrictions import case_restrict

    newcomer = make_user("chair2@la", year.la, "chair")
    body = get(api(newcomer), CONFERENCES).json()
    assert body["icpcs"]["rows"] == body["reviews"]["rows"] == []
    assert body["icpcs"]["owed"] == body["reviews"]["owed"] == 0
    with travel(NOW):
        case_restrict(
            acting_user=year.manager,
            case=year.e,
            reason="High-profile family: only the allocated worker may see it.",
            named_users=[year.social_worker],
        )
    assert get(api(year.manager), CONFERENCES).json()["icpcs"]["owed"] == 0
    other = get(api(year.other_manager), CONFERENCES).json()
    assert other["icpcs"]["rows"] == other["reviews"]["rows"] == []


def test_the_api_reads_a_fixed_few_queries(year, django_assert_max_num_queries):
    manager = api(year.manager)
    get(manager, DASHBOARD)  # the token's first use of the day writes its row
    with travel(NOW):
        summary.refresh()  # the worker's count, which the dashboard reads
    # Token and its use, memberships and agencies, 3 for caseloads, 2 for
    # unallocated work, the counted figures and what the viewer adds on
    # restricted cases, the audit row, savepoints.
    with django_assert_max_num_queries(18):
        assert get(manager, DASHBOARD).status_code == 200
    # A drill-down: the token (3: session, token, its use), the agencies, the
    # rows with their cases and children in one query, the audit row (2), savepoints.
    for code, month in (("icpcs", "2026-05"), ("triage", "2026-03"), ("visits", "2026-06")):
        with django_assert_max_num_queries(9):
            assert get(manager, timescale(code), month=month).status_code == 200
    with django_assert_max_num_queries(9):
        assert get(manager, CASES, worker="none").status_code == 200
    chair = api(year.chair)
    get(chair, CONFERENCES)
    # The token (3), the agencies, a count and a list per kind, the audit row (2).
    with django_assert_max_num_queries(12):
        assert get(chair, CONFERENCES).status_code == 200


def test_the_schema_documents_every_dashboard_operation(year):
    schema = get(api(year.manager), "/api/schema/", format="json").json()
    operations = {
        DASHBOARD: "Dashboard",
        CASES: "PaginatedWorkloadCaseList",
        "/api/v1/dashboard/timescales/{code}/": "PaginatedFigureRowList",
        CONFERENCES: "ConferencesDue",
    }
    for path, component in operations.items():
        responses = schema["paths"][path]["get"]["responses"]
        assert {"200", "400", "401", "403", "404"} <= set(responses), path
        ok = responses["200"]["content"]["application/json"]["schema"]["$ref"]
        assert ok.endswith("/" + component), path
        assert responses["404"]["content"]["application/json"]["schema"]["$ref"].endswith("/Error")
    row = schema["components"]["schemas"]["FigureRow"]["properties"]
    assert row["case"]["nullable"] and row["concern"]["nullable"]
    assert schema["components"]["schemas"]["MonthFigure"]["properties"]["percent"]["nullable"]
