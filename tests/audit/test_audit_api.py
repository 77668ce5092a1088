"""The audit search over the API (issue 16): the page's filters and rows, for
auditors only, audited as the page is."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from safeguard.audit.models import AuditEvent
from tests.factories import World, make_user, open_case_from_concern, submit_concern

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = World()
    w.case = open_case_from_concern(w, submit_concern(w))
    w.other_auditor = make_user("auditor@other-la", w.other_la, "auditor")
    return w


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def every(client, url: str, **params) -> list[dict]:
    rows, response = [], client.get(url, params)
    while True:
        assert response.status_code == 200, response.content
        rows += response.json()["results"]
        if not response.json()["next"]:
            return rows
        response = client.get(response.json()["next"])


def test_an_auditor_searches_by_person_reference_and_date_as_on_the_page(client, world):
    client.force_login(world.social_worker)
    client.get(reverse("case_detail", args=[world.case.pk]))
    auditor = api(world.auditor)

    by_person = every(auditor, "/api/v1/audit/", username="social_worker@la")
    assert "case_viewed" in {r["event"] for r in by_person}
    assert {r["username"] for r in by_person} == {"social_worker@la"}

    by_reference = every(auditor, "/api/v1/audit/", reference=world.case.reference)
    assert len(by_reference) >= 2
    assert {r["object_reference"] for r in by_reference} == {world.case.reference}
    # The same rows the page lists, newest first; oldest first when asked.
    ids = [r["id"] for r in by_reference]
    assert ids == sorted(ids, reverse=True)
    oldest = every(auditor, "/api/v1/audit/", reference=world.case.reference, sort="oldest")
    assert [r["id"] for r in oldest] == sorted(ids)

    today = timezone.localdate()
    assert every(auditor, "/api/v1/audit/", date_to=str(today - dt.timedelta(days=1))) == []
    assert every(auditor, "/api/v1/audit/", date_from=str(today), username="social_worker@la")

    # The search itself is audited, with what was asked.
    searched = AuditEvent.objects.filter(event="audit_searched", username="auditor@la")
    assert {"reference": world.case.reference} in [e.detail for e in searched]


def test_another_authoritys_auditor_finds_none_of_it(world):
    assert every(api(world.other_auditor), "/api/v1/audit/", reference=world.case.reference) == []


@pytest.mark.parametrize("who", ["social_worker", "manager", "la_admin", "teacher"])
def test_only_auditors_reach_the_audit_search(world, who):
    assert api(getattr(world, who)).get("/api/v1/audit/").status_code == 404


def test_bad_filters_are_refused_by_field(world):
    response = api(world.auditor).get("/api/v1/audit/", {"date_from": "2026-02-31"})
    assert response.status_code == 400 and "date_from" in response.json()["errors"]
    # Given but empty is refused, not read as not given.
    response = api(world.auditor).get("/api/v1/audit/?reference=")
    assert response.status_code == 400 and "reference" in response.json()["errors"]
    response = api(world.auditor).get("/api/v1/audit/", {"sort": "sideways"})
    assert response.status_code == 400 and "sort" in response.json()["errors"]
    assert APIClient().get("/api/v1/audit/").status_code == 401
