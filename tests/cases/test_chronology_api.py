"""The API's chronology (``/api/v1/cases/{id}/chronology/``) reads its count and
page together and writes its rows without the serializer (cases/api/
chronology.py, cases/selectors/chronology_page.py). What a person reads must
be what ``ChronologyEntrySerializer`` over ``chronology_for``, paged by DRF's
``PageNumberPagination``, gave them: the same entries at the same level of
access, the same JSON, the same pages, links and 404s."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from cases import selectors
from cases.api.cases import ChronologyEntrySerializer
from cases.models import ChronologyEntry
from cases.services.case import involvement_end
from tests.factories import World, open_case_from_concern, submit_concern

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def add_entries(world, case, label: str = "") -> None:
    """An entry of every kind, shared and lead-only, with and without an
    agency, in winter and in summer time, with text that must be escaped."""
    kinds = [kind for kind, _ in ChronologyEntry.Kind.choices]
    for i, kind in enumerate(kinds):
        month = 1 if i % 2 else 7  # GMT and BST: "Z" and "+01:00"
        ChronologyEntry.objects.create(
            case=case,
            occurred_at=dt.datetime(2025, month, 1 + i, 9, i, 30, 123456, tzinfo=dt.UTC),
            agency=(world.la, world.school, None)[i % 3],
            kind=kind,
            title=f"{label}{kind} \u201cquoted\u201d <b>&</b>",
            body="" if i % 2 else f"Line one\nline two {label}",
            visibility=("lead_only" if i % 4 == 0 else "shared"),
            source_reference=f"REF-{i}" if i % 3 else "",
        )


def drf_page(user, case, query: dict[str, str]) -> dict:
    """What the action answered before: ``chronology_for``, filtered, paged by
    ``PageNumberPagination`` and written by ``ChronologyEntrySerializer``."""
    url = f"/api/v1/cases/{case.pk}/chronology/"
    request = Request(APIRequestFactory().get(url, query))
    entries = selectors.chronology_for(user, case)
    if "agency" in query:
        entries = entries.filter(agency__slug=query["agency"])
    if "kind" in query:
        entries = entries.filter(kind=query["kind"])
    paginator = PageNumberPagination()
    page = paginator.paginate_queryset(entries, request)
    data = ChronologyEntrySerializer(page, many=True).data
    return paginator.get_paginated_response(data).data


def test_each_entry_is_written_as_the_serializer_writes_it(world):
    case = open_case_from_concern(world, submit_concern(world))
    add_entries(world, case)
    for user in (world.social_worker, world.teacher):
        for query in (
            {},
            {"agency": "school"},
            {"kind": "note"},
            {"agency": "la-csc", "kind": "meeting"},
        ):
            body = api(user).get(f"/api/v1/cases/{case.pk}/chronology/", query).json()
            expected = drf_page(user, case, query)
            assert body == _as_json(expected), (user, query)
    lead = api(world.social_worker).get(f"/api/v1/cases/{case.pk}/chronology/").json()
    shared = api(world.teacher).get(f"/api/v1/cases/{case.pk}/chronology/").json()
    # The lead reads the lead-only entries; an involved school does not.
    assert {e["visibility"] for e in lead["results"]} == {"shared", "lead_only"}
    assert {e["visibility"] for e in shared["results"]} == {"shared"}
    assert None in [e["agency"] for e in lead["results"]]
    assert {e["occurred_at"][-6:] for e in lead["results"]} >= {"+01:00"}


def test_pages_links_and_refusals_are_the_paginators(world):
    case = open_case_from_concern(world, submit_concern(world))
    for _ in range(3):
        add_entries(world, case)
    client = api(world.social_worker)
    url = f"/api/v1/cases/{case.pk}/chronology/"
    first = client.get(url).json()
    assert first["count"] > 25 and len(first["results"]) == 25
    queries = [{}, {"page": "1"}, {"page": "2"}, {"page": "last"}, {"page": "1", "kind": "note"}]
    for query in queries:
        assert client.get(url, query).json() == _as_json(drf_page(world.social_worker, case, query))
    assert client.get(url, {"page": "last"}).json() == client.get(url, {"page": "2"}).json()
    assert client.get(url, {"page": "1"}).json()["next"].endswith("chronology/?page=2")
    assert client.get(url, {"page": "2"}).json()["previous"].endswith("chronology/")
    for page in ("3", "0", "-1", "abc", "1.5", "99999999999999999999999"):
        response = client.get(url, {"page": page})
        assert response.status_code == 404, page
        assert response.json()["detail"] == "Invalid page.", page
    # An empty chronology is one empty page, not a 404.
    assert client.get(url, {"kind": "referral", "agency": "police"}).json() == {
        "count": 0,
        "next": None,
        "previous": None,
        "results": [],
    }


def test_the_filters_are_checked_as_before(world):
    case = open_case_from_concern(world, submit_concern(world))
    client = api(world.social_worker)
    url = f"/api/v1/cases/{case.pk}/chronology/"
    assert client.get(url, {"kind": "gossip"}).status_code == 400
    assert client.get(url, {"agency": "not a slug"}).status_code == 400
    assert client.get(url, {"unknown": "ignored"}).json() == client.get(url).json()


def test_the_count_and_the_page_are_one_statement_on_postgresql(world):
    case = open_case_from_concern(world, submit_concern(world))
    add_entries(world, case)
    client = api(world.teacher)
    client.get(f"/api/v1/cases/{case.pk}/chronology/")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(f"/api/v1/cases/{case.pk}/chronology/").status_code == 200
    reads = [q["sql"] for q in ctx.captured_queries if "cases_chronologyentry" in q["sql"]]
    # PostgreSQL: count and page together; elsewhere a count, then the page.
    assert len(reads) == (1 if connection.vendor == "postgresql" else 2), reads


@pytest.mark.postgres
def test_each_request_reads_its_own_persons_level_and_case(world):
    """The statement is compiled once per process and prepared by PostgreSQL
    after a few runs: past that, two people and two cases alternating each
    read their own entries and nothing of the other's; and an involvement
    that ends between two requests takes the case away on the next."""
    first = open_case_from_concern(world, submit_concern(world))
    second = open_case_from_concern(world, submit_concern(world, child_first_name="Ben"))
    add_entries(world, first, label="first ")
    add_entries(world, second, label="second ")
    people = {"lead": api(world.social_worker), "school": api(world.teacher)}

    def titles(who: str, case) -> set[str]:
        response = people[who].get(f"/api/v1/cases/{case.pk}/chronology/")
        assert response.status_code == 200, (who, case)
        return {e["title"] for e in response.json()["results"]}

    def expected(user, case) -> set[str]:
        return set(selectors.chronology_for(user, case).values_list("title", flat=True))

    users = {"lead": world.social_worker, "school": world.teacher}
    lead_only = set(
        ChronologyEntry.objects.filter(visibility="lead_only").values_list("title", flat=True)
    )
    for _ in range(8):
        for who in ("lead", "school"):
            for case, other in ((first, "second "), (second, "first ")):
                seen = titles(who, case)
                assert seen == expected(users[who], case), (who, case)
                assert not [t for t in seen if t.startswith(other)], (who, case)
                # The lead's level is the person's own, not the last caller's.
                assert bool(seen & lead_only) == (who == "lead"), (who, case)

    involvement_end(
        acting_user=world.manager, involvement=first.involvements.get(agency=world.school)
    )
    assert people["school"].get(f"/api/v1/cases/{first.pk}/chronology/").status_code == 404
    assert titles("school", second) == expected(world.teacher, second)
    assert titles("lead", first) & lead_only


def _as_json(data):
    """The reference through the same JSON a client reads."""
    import json

    from rest_framework.utils.encoders import JSONEncoder

    return json.loads(json.dumps(data, cls=JSONEncoder))
