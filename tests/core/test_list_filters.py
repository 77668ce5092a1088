"""Lists people can narrow (issue 15, item 3), on the demo: each filter gives
exactly the rows the selector gives with the same condition, the pages keep
the filters in their Next links, the filters applied are shown and each link
removes one, and a filtered page stays within the lists' query budget."""

from __future__ import annotations

import datetime as dt
import html
import re
from urllib.parse import urlparse

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django.utils import timezone

from cases import selectors
from cases.models import Case, Plan
from meetings.selectors import meeting_list_for
from referrals.selectors import received_for, sent_for
from safeguard.audit.models import AuditEvent
from safeguard.core import keyset
from tests.core.test_list_keyset import (
    MOST_AUDIT,
    MOST_CASE_LIST,
    MOST_OTHER,
    SMALL_PAGE,
    counted,
    next_link,
    references_in,
    signed_in,
)

pytestmark = pytest.mark.django_db

MANAGER = "manager@northshire-csc"


@pytest.fixture
def demo(settings, seed_demo, monkeypatch):
    settings.DEMO_PASSWORD = seed_demo.password
    seed_demo()
    monkeypatch.setattr(keyset, "PER_PAGE", SMALL_PAGE)


def user(username: str):
    return get_user_model().objects.get(username=username)


def walk(client, path: str, params: dict, marker: str):
    """Every page of a filtered list: (references, query counts, first page)."""
    response, n = counted(client, f"{path}?" + "&".join(f"{k}={v}" for k, v in params.items()))
    assert response.status_code == 200
    first, counts, shown = response, [n], references_in(response, marker)
    while href := next_link(response):
        for key, value in params.items():
            assert f"{key}={value}" in href, (href, key)  # the filters ride along
        response, n = counted(client, path + href)
        counts.append(n)
        shown += references_in(response, marker)
        assert len(counts) < 50
    return shown, counts, first


def applied(response) -> list[tuple[str, str]]:
    """(text, removal link) of each filter shown as applied."""
    block = response.content.decode().split('data-testid="applied-filters"', 1)
    if len(block) < 2:
        return []
    found = re.findall(
        r'<a class="govuk-link app-applied-filters__tag" href="([^"]+)">([^<]+)<', block[1]
    )
    return [(text.strip(), html.unescape(href)) for href, text in found]


CASE_FILTERS = [
    ({"status": "closed"}, lambda qs, u: qs.filter(status="closed")),
    ({"status": "open"}, lambda qs, u: qs.filter(status="open")),
    ({"allocated": "none"}, lambda qs, u: qs.filter(allocated_worker__isnull=True)),
    ({"restricted": "no"}, lambda qs, u: qs.filter(is_restricted=False)),
    (
        {"plan": "cp"},
        lambda qs, u: qs.filter(
            Exists(
                Plan.objects.filter(
                    case=OuterRef("pk"), kind="cp", start_date__lte=timezone.localdate()
                ).exclude(end_date__lt=timezone.localdate())
            )
        ),
    ),
    (
        {"lead_agency": "northshire-csc"},
        lambda qs, u: qs.filter(lead_agency__slug="northshire-csc"),
    ),
]


@pytest.mark.parametrize(("params", "expect"), CASE_FILTERS)
@pytest.mark.parametrize("username", [MANAGER, "practitioner@northshire-police"])
def test_case_list_filters_give_the_selectors_rows_in_budget(
    client, demo, username, params, expect
):
    signed_in(client, username)
    shown, counts, first = walk(client, "/cases/", params, "case-list")
    expected = [
        c.reference for c in expect(selectors.case_list_for(user(username)), user(username))
    ]
    assert shown == expected
    assert max(counts) <= MOST_CASE_LIST, counts
    if len(counts) > 2:
        assert len(set(counts[1:])) == 1, counts
    (label, remove), *_ = applied(first)
    assert remove.startswith("?") and list(params)[0] not in remove


def test_the_case_list_sorts_by_an_indexed_order_either_way(client, demo):
    signed_in(client, MANAGER)
    mine = selectors.case_list_for(user(MANAGER))
    for sort, order in [
        ("opened", ("-opened_at", "-id")),
        ("opened_oldest", ("opened_at", "id")),
        ("changed_oldest", ("updated_at", "id")),
    ]:
        shown, counts, first = walk(client, "/cases/", {"sort": sort}, "case-list")
        assert shown == [c.reference for c in mine.order_by(*order)], sort
        assert max(counts) <= MOST_CASE_LIST
        assert applied(first) == []  # a sort is not a filter


def test_allocated_to_me_and_to_a_colleague(client, demo):
    manager = user(MANAGER)
    allocated = Case.objects.filter(allocated_worker__isnull=False).select_related(
        "allocated_worker"
    )
    worker = allocated.first().allocated_worker
    signed_in(client, MANAGER)
    shown, _, first = walk(client, "/cases/", {"allocated": str(worker.pk)}, "case-list")
    assert shown == [
        c.reference for c in selectors.case_list_for(manager).filter(allocated_worker=worker)
    ]
    assert shown
    signed_in(client, worker.username)
    mine, _, _ = walk(client, "/cases/", {"allocated": "me"}, "case-list")
    assert mine == [
        c.reference for c in selectors.case_list_for(worker).filter(allocated_worker=worker)
    ]


def test_removing_one_filter_keeps_the_others(client, demo):
    signed_in(client, MANAGER)
    response = client.get("/cases/", {"status": "open", "allocated": "none", "sort": "opened"})
    shown = dict(applied(response))
    assert set(shown) == {"Status: Open", "Allocated to: Not allocated"}
    remove_status = shown["Status: Open"]
    assert "allocated=none" in remove_status and "status" not in remove_status
    assert "sort=opened" in remove_status
    after = client.get("/cases/" + remove_status)
    assert [text for text, _ in applied(after)] == ["Allocated to: Not allocated"]


def test_a_filter_that_does_not_validate_narrows_nothing(client, demo):
    signed_in(client, MANAGER)
    everything = references_in(client.get("/cases/"), "case-list")
    response = client.get("/cases/", {"status": "nonsense"})
    assert response.status_code == 200
    assert references_in(response, "case-list") == everything
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "expect"),
    [
        ({"risk": "yes"}, lambda qs: qs.filter(immediate_risk=True)),
        ({"risk": "no"}, lambda qs: qs.filter(immediate_risk=False)),
        ({"sort": "newest"}, lambda qs: qs.order_by("-submitted_at", "-id")),
        ({"age": "unknown"}, lambda qs: qs.filter(child_date_of_birth__isnull=True)),
    ],
)
def test_front_door_filters(client, demo, params, expect):
    signed_in(client, MANAGER)
    shown, counts, _ = walk(client, "/front-door/", params, "front-door-queue")
    assert shown == [c.reference for c in expect(selectors.front_door_queue_for(user(MANAGER)))]
    assert max(counts) <= MOST_OTHER, counts


def test_front_door_age_bands_cover_the_queue_once(client, demo):
    signed_in(client, MANAGER)
    queue = [c.reference for c in selectors.front_door_queue_for(user(MANAGER))]
    seen: list[str] = []
    for band in ["under_1", "1_4", "5_10", "11_15", "16_plus", "unknown"]:
        shown, counts, _ = walk(client, "/front-door/", {"age": band}, "front-door-queue")
        seen += shown
        assert max(counts) <= MOST_OTHER
    assert sorted(seen) == sorted(queue)


def _meeting_refs(response) -> list[str]:
    return re.findall(r"MTG-\d{4}-\d+", response.content.decode())


@pytest.mark.parametrize(
    ("params", "keep"),
    [
        ({"kind": "strategy"}, lambda m: m.kind == "strategy"),
        ({"state": "finalised"}, lambda m: m.finalised_at is not None),
        ({"state": "open"}, lambda m: m.finalised_at is None),
    ],
)
def test_meeting_filters(client, demo, params, keep, monkeypatch):
    monkeypatch.setattr(keyset, "PER_PAGE", 100)
    username = "social_worker@northshire-csc"
    signed_in(client, username)
    response, n = counted(client, "/meetings/?" + "&".join(f"{k}={v}" for k, v in params.items()))
    assert response.status_code == 200 and n <= MOST_OTHER
    expected = {m.reference for m in meeting_list_for(user(username)) if keep(m)}
    assert set(_meeting_refs(response)) == expected


def test_meetings_between_two_dates(client, demo, monkeypatch):
    monkeypatch.setattr(keyset, "PER_PAGE", 100)
    username = "social_worker@northshire-csc"
    signed_in(client, username)
    today = timezone.localdate()
    start, end = today - dt.timedelta(days=30), today + dt.timedelta(days=30)
    params = {
        "date_from_0": start.day,
        "date_from_1": start.month,
        "date_from_2": start.year,
        "date_to_0": end.day,
        "date_to_1": end.month,
        "date_to_2": end.year,
    }
    response, n = counted(client, "/meetings/?" + "&".join(f"{k}={v}" for k, v in params.items()))
    assert n <= MOST_OTHER
    expected = {
        m.reference
        for m in meeting_list_for(user(username))
        if start <= timezone.localtime(m.scheduled_at).date() <= end
    }
    assert set(_meeting_refs(response)) == expected
    labels = [text for text, _ in applied(response)]
    assert labels == [f"On or after: {start:%-d %B %Y}", f"On or before: {end:%-d %B %Y}"]


@pytest.mark.parametrize("params", [{"status": "sent"}, {"urgency": "urgent"}, {"sort": "oldest"}])
def test_referral_filters(client, demo, params):
    username = MANAGER
    signed_in(client, username)
    response, n = counted(client, "/referrals/?" + "&".join(f"{k}={v}" for k, v in params.items()))
    assert response.status_code == 200 and n <= MOST_OTHER
    body = response.content.decode()
    for referral in [*received_for(user(username)), *sent_for(user(username))]:
        wanted = all(getattr(referral, k) == v for k, v in params.items() if k != "sort")
        assert (referral.reference in body) == wanted, (params, referral.reference)


def test_audit_search_pages_by_key_without_counting(client, demo, monkeypatch):
    monkeypatch.setattr("cases.views.audit.PER_PAGE", 5)
    signed_in(client, "auditor@northshire-csc")
    auditor = user("auditor@northshire-csc")
    for _ in range(7):  # each search is itself audited: rows to page through
        client.get("/audit/")
    rows = selectors.audit_rows_for(auditor).filter(event__icontains="searched")
    expected = list(rows.values_list("id", flat=True)[:10])
    assert len(expected) > 5
    response, n = counted(client, "/audit/?event=searched")
    assert n <= MOST_AUDIT
    page = response.context["page"]
    assert [r.id for r in page] == expected[:5]
    assert "event=searched" in page.next_link
    response, n = counted(client, "/audit/" + page.next_link)
    assert n <= MOST_AUDIT
    second = response.context["page"]
    assert [r.id for r in second] == expected[5:10]
    # Its API in as few statements, page after page.
    monkeypatch.setattr("safeguard.core.pagination.KeysetCursorPagination.page_size", 5)
    response, n = counted(client, "/api/v1/audit/?event=searched")
    assert response.status_code == 200 and n <= MOST_AUDIT
    assert {row["event"] for row in response.json()["results"]} == {"audit_searched"}
    following = urlparse(response.json()["next"])._replace(scheme="", netloc="").geturl()
    response, n = counted(client, following)
    assert response.status_code == 200 and n <= MOST_AUDIT and response.json()["results"]
    oldest = client.get("/audit/", {"event": "searched", "sort": "oldest"}).context["page"]
    assert [r.id for r in oldest] == list(rows.order_by("id").values_list("id", flat=True)[:5])
    assert AuditEvent.objects.filter(event="audit_searched", username=auditor.username).exists()
