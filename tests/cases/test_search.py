"""Search (issue 15, item 2): each kind of look-up finds the child, the
matcher's fuzzy rules apply, and nothing outside the access policy is found
or counted: a restricted case you are not named on, an involvement that has
ended, another authority's child."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Child, Involvement
from cases.selectors import search as search_module
from cases.selectors.search import Kind, parse, search
from cases.services.case import involvement_end, involvement_start
from cases.services.restrictions import case_restrict
from cases.services.statutory import plan_open
from safeguard.audit.models import AuditEvent
from safeguard.core.dates import age_label
from tests.factories import World, open_case_from_concern, submit_concern

pytestmark = pytest.mark.django_db

MOST = 12  # the list budget of issue 11, for the search page and the API
NHS = "9434765919"
UPN = "A123456789012"


@pytest.fixture
def world():
    w = World()
    w.case = open_case_from_concern(w, submit_concern(w))
    w.child = w.case.child
    Child.objects.filter(pk=w.child.pk).update(nhs_number=NHS, upn=UPN, postcode="NS1 2AB")
    w.child.refresh_from_db()
    w.concern = w.case.concerns.get()
    plan_open(  # as an ICPC's record starts it (the conference itself is not the point here)
        acting_user=w.chair,
        case=w.case,
        kind="cp",
        category="NEG",
        start_date=timezone.localdate(),
        source="MTG-TEST-ICPC",
    )
    # A restricted case: only the manager is named on it.
    w.hidden = open_case_from_concern(
        w,
        submit_concern(
            w,
            child_first_name="Ruby",
            child_last_name="Hartley",
            child_date_of_birth=dt.date(2015, 1, 9),
        ),
    )
    Child.objects.filter(pk=w.hidden.child_id).update(nhs_number="4010232137", postcode="NS9 9ZZ")
    case_restrict(
        acting_user=w.manager,
        case=w.hidden,
        reason="Child of a member of staff in the duty team.",
        named_users=[w.manager],
    )
    return w


def found(user, text, **kwargs) -> list:
    return [hit.child.pk for hit in search(user, text, **kwargs).hits if hit.child]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Amelia Hart", Kind.NAME),
        ("Emilia Hart", Kind.NAME),  # a first name spelt otherwise
        ("Amelia Harte", Kind.NAME),  # a surname that sounds alike
        ("Hart, Amelia", Kind.NAME),  # surname first
        ("Hart Amelia", Kind.NAME),  # swapped, as hurried reports do
        ("Hart", Kind.NAME),
        ("Amelia Hart 04/05/2016", Kind.NAME),
        ("04/05/2016", Kind.DATE_OF_BIRTH),
        ("4.5.2016", Kind.DATE_OF_BIRTH),
        ("2016-05-04", Kind.DATE_OF_BIRTH),
        ("4 May 2016", Kind.DATE_OF_BIRTH),
        ("04052016", Kind.DATE_OF_BIRTH),
        ("943 476 5919", Kind.NHS_NUMBER),
        (NHS, Kind.NHS_NUMBER),
        (UPN.lower(), Kind.UPN),
        ("ns12ab", Kind.POSTCODE),
        ("NS1 2AB", Kind.POSTCODE),
    ],
)
def test_each_kind_of_look_up_finds_the_child(world, text, kind):
    assert parse(text).kind == kind
    assert world.child.pk in found(world.social_worker, text), text


def test_references_find_the_child_and_the_concern(world):
    for text in (world.case.reference, world.child.reference, world.concern.reference):
        assert found(world.social_worker, text.lower()) == [world.child.pk], text
    results = search(world.social_worker, world.concern.reference)
    assert results.query.kind == Kind.CONCERN_REFERENCE
    assert results.hits[0].concern == world.concern
    # The number alone, without its zeros, is the same reference.
    number = int(world.case.reference.rsplit("-", 1)[1])
    short = f"CAS-{world.case.reference.split('-')[1]}-{number}"
    assert found(world.social_worker, short) == [world.child.pk]


def test_a_result_shows_age_lead_agency_open_case_and_plan(world):
    hit = search(world.social_worker, "Amelia Hart").hits[0]
    assert hit.child == world.child
    assert hit.age == age_label(dt.date(2016, 5, 4))
    assert hit.lead_agency == world.la
    assert hit.open_case == world.case and hit.case == world.case
    assert [p.kind for p in hit.plans] == ["cp"]
    assert "same surname" in hit.reasons


def test_a_restricted_case_you_are_not_named_on_is_never_found(world, client):
    hidden = world.hidden
    for text in ("Ruby Hartley", "4010232137", hidden.reference, hidden.child.reference, "NS9 9ZZ"):
        assert hidden.child_id not in found(world.social_worker, text), text
        assert hidden.child_id in found(world.manager, text), text
    # Nor counted: a surname search shows Amelia alone, and says nothing of more.
    client.force_login(world.social_worker)
    page = client.get(reverse("search"), {"q": "Hartley"}).content.decode()
    assert "Ruby" not in page and hidden.reference not in page and "More than" not in page
    api = client.get("/api/v1/search/", {"q": "Ruby Hartley"}).json()
    assert all(r["child"]["id"] != str(hidden.child_id) for r in api["results"])
    assert api["more"] is False


def test_an_ended_involvement_is_never_found(world):
    involvement = involvement_start(
        acting_user=None,
        case=world.case,
        agency=world.police,
        level=Involvement.Level.INVOLVED,
        reason=Involvement.Reason.ADDED,
    )
    assert found(world.officer, "Amelia Hart") == [world.child.pk]
    involvement_end(acting_user=world.social_worker, involvement=involvement)
    for text in ("Amelia Hart", NHS, world.case.reference, world.child.reference):
        assert found(world.officer, text) == [], text


def test_another_authority_never_finds_the_child(world):
    for text in ("Amelia Hart", NHS, UPN, "NS1 2AB", "04/05/2016", world.case.reference):
        assert found(world.other_social_worker, text) == [], text
        assert found(world.other_manager, text) == [], text
    # A school not involved in the case does not find it either.
    assert found(world.other_teacher, "Amelia Hart") == []


def test_every_search_is_audited_without_what_it_found(world, client):
    client.force_login(world.social_worker)
    client.get(reverse("search"), {"q": "Amelia Hart"})
    row = AuditEvent.objects.filter(event="searched").latest("id")
    assert row.username == world.social_worker.username
    assert row.detail["searched"] == "Amelia Hart" and row.detail["as"] == Kind.NAME
    assert row.detail["shown"] == 1
    assert world.child.reference not in str(row.detail) and NHS not in str(row.detail)
    client.get("/api/v1/search/", {"q": NHS})
    row = AuditEvent.objects.filter(event="searched").latest("id")
    assert row.detail["where"] == "api" and row.detail["as"] == Kind.NHS_NUMBER


def test_more_than_the_limit_asks_for_a_narrower_search(world, client, monkeypatch):
    monkeypatch.setattr(search_module, "LIMIT", 1)
    submit = submit_concern(world, child_first_name="Jack", child_date_of_birth=dt.date(2014, 2, 2))
    open_case_from_concern(world, submit)
    results = search(world.manager, "Hart")
    assert len(results.hits) == 1 and results.more
    client.force_login(world.manager)
    page = client.get(reverse("search"), {"q": "Hart"}).content.decode()
    assert "More than 1 result" in page and "Narrow your search" in page


@pytest.mark.parametrize(
    "text", ["Amelia Hart", NHS, "Hart", "04/05/2016", "NS1 2AB", "CAS-2026-1"]
)
def test_search_is_a_bounded_number_of_queries(world, client, text):
    client.force_login(world.social_worker)
    for url, params in ((reverse("search"), {"q": text}), ("/api/v1/search/", {"q": text})):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, params)
        assert response.status_code == 200
        assert len(queries.captured_queries) <= MOST, (url, len(queries.captured_queries))


def test_the_search_box_is_for_people_who_see_case_data(world, client):
    client.force_login(world.social_worker)
    assert 'id="header-search-q"' in client.get(reverse("case_list")).content.decode()
    client.force_login(world.la_admin)
    home = client.get("/").content.decode()
    assert 'id="header-search-q"' not in home
    assert client.get(reverse("search"), {"q": "Amelia"}).status_code == 404
    assert client.get("/api/v1/search/", {"q": "Amelia"}).status_code == 404
    assert not AuditEvent.objects.filter(event="searched", username=world.la_admin.username)


def test_the_api_answers_in_its_documented_shape(world, client):
    client.force_login(world.social_worker)
    body = client.get("/api/v1/search/", {"q": "Amelia Hart 4 May 2016"}).json()
    assert body["kind"] == Kind.NAME and body["more"] is False
    (hit,) = body["results"]
    assert hit["child"]["reference"] == world.child.reference
    assert hit["case"] == {
        "id": str(world.case.pk),
        "reference": world.case.reference,
        "status": "open",
    }
    assert hit["lead_agency"]["slug"] == world.la.slug
    assert hit["plans"][0]["kind"] == "Child protection plan"
    missing = client.get("/api/v1/search/")
    assert missing.status_code == 400 and "q" in missing.json()["errors"]
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/search/" in schema and "SearchResults" in schema


def test_the_front_door_looks_a_child_up_in_its_own_scope(world, client):
    concern = submit_concern(world, child_first_name="Unnamed", child_last_name="Person")
    client.force_login(world.social_worker)
    url = reverse("concern_triage", args=[concern.pk])
    page = client.get(url, {"find": NHS}).content.decode()
    assert world.child.reference in page and "Children matching NHS number" in page
    # The restricted child stays hidden from the look-up too.
    hidden = client.get(url, {"find": "Ruby Hartley"}).content.decode()
    assert world.hidden.child.reference not in hidden
    row = AuditEvent.objects.filter(event="searched").latest("id")
    assert row.detail["where"] == "front door"


def test_age_is_told_in_words():
    today = dt.date(2026, 6, 15)
    assert age_label(None, today) == "Not recorded"
    assert age_label(dt.date(2016, 6, 16), today) == "9 years"
    assert age_label(dt.date(2016, 6, 15), today) == "10 years"
    assert age_label(dt.date(2026, 1, 20), today) == "4 months"
    assert age_label(dt.date(2025, 6, 15), today) == "1 year"
