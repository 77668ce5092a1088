"""The API obeys the same rules as the pages."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases.models import ChronologyEntry
from tests.factories import World, open_case_from_concern, submit_concern

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


def api(user=None, token=False):
    client = APIClient()
    if user is not None:
        if token:
            key = Token.objects.get_or_create(user=user)[0].key
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        else:
            client.force_authenticate(user)
    return client


def new_concern(**overrides):
    body = {
        "child_first_name": "Amelia",
        "child_last_name": "Hart",
        "child_date_of_birth": "2016-05-04",
        "account": "She said <script>alert(1)</script> dad shouts.",
        "observed_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
        "categories": ["emotional"],
        "immediate_risk": False,
        "family_aware": "yes",
        "sharing_basis": "consent",
    }
    body.update(overrides)
    return body


def test_token_authentication_and_paginated_lists(world):
    concern = submit_concern(world)
    response = api(world.teacher, token=True).get("/api/v1/concerns/")
    assert response.status_code == 200
    assert set(response.json()) == {"count", "next", "previous", "results"}
    assert [c["reference"] for c in response.json()["results"]] == [concern.reference]


def test_issue_token_prints_the_same_token_each_time(world, capsys):
    call_command("issue_token", world.teacher.username)
    first = capsys.readouterr().out.strip()
    call_command("issue_token", world.teacher.username)
    assert capsys.readouterr().out.strip() == first == Token.objects.get(user=world.teacher).key


def test_anonymous_gets_nothing(world):
    submit_concern(world)
    assert api().get("/api/v1/concerns/").status_code in (401, 403)


def test_submit_a_concern_through_the_api(world):
    response = api(world.teacher).post("/api/v1/concerns/", new_concern(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["reference"].startswith("CON-")
    assert body["status"] == "submitted"
    assert body["lead_agency"]["slug"] == "la-csc"
    # Stored and returned as typed: escaping is the renderer's job, not the API's.
    assert body["account"] == "She said <script>alert(1)</script> dad shouts."
    assert body["decision_reason"] is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"child_date_of_birth": "2999-01-01"}, "child_date_of_birth"),
        ({"account": "   "}, "account"),
        ({"categories": []}, "categories"),
        ({"child_nhs_number": "1234567890"}, "child_nhs_number"),
        ({"child_upn": "A801200110001"}, "child_upn"),
        ({"immediate_risk": True}, "actions_taken"),
        ({"sharing_basis": "no_consent_risk"}, "sharing_reason"),
        ({"child_date_of_birth": None}, "child_age_years"),
        ({"observed_at": "2999-01-01T10:00:00Z"}, "observed_at"),
    ],
)
def test_bad_input_is_refused_with_the_field_named(world, overrides, field):
    response = api(world.teacher).post("/api/v1/concerns/", new_concern(**overrides), format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_agency_admin_cannot_log_a_concern(world):
    response = api(world.la_admin).post("/api/v1/concerns/", new_concern(), format="json")
    assert response.status_code == 403


def test_unrelated_agencies_see_nothing(world):
    concern = submit_concern(world)
    case = open_case_from_concern(world, concern)
    for user in [*world.unrelated_users(), world.la_admin, world.auditor]:
        client = api(user)
        for url in ("/api/v1/concerns/", "/api/v1/cases/", "/api/v1/children/"):
            assert client.get(url).json()["count"] == 0, (user, url)
        for url in (
            f"/api/v1/concerns/{concern.pk}/",
            f"/api/v1/cases/{case.pk}/",
            f"/api/v1/cases/{case.pk}/chronology/",
            f"/api/v1/children/{case.child_id}/",
        ):
            assert client.get(url).status_code == 404, (user, url)
        assert client.post(f"/api/v1/concerns/{concern.pk}/decision/", {}).status_code == 404


def test_involved_agency_sees_the_case_but_not_lead_only_entries(world):
    case = open_case_from_concern(world, submit_concern(world))
    ChronologyEntry.objects.create(
        case=case,
        occurred_at=timezone.now(),
        agency=world.la,
        kind="note",
        title="Lead only: legal planning",
        visibility="lead_only",
    )
    teacher = api(world.teacher)
    detail = teacher.get(f"/api/v1/cases/{case.pk}/").json()
    assert detail["lead_access"] is False
    assert {i["agency"]["slug"] for i in detail["involvements"]} == {"la-csc", "school"}
    titles = [
        e["title"] for e in teacher.get(f"/api/v1/cases/{case.pk}/chronology/").json()["results"]
    ]
    assert "Case opened" in titles and "Lead only: legal planning" not in titles
    worker_titles = [
        e["title"]
        for e in api(world.social_worker)
        .get(f"/api/v1/cases/{case.pk}/chronology/")
        .json()["results"]
    ]
    assert "Lead only: legal planning" in worker_titles


def test_triage_through_the_api(world):
    concern = submit_concern(world)
    # The teacher can see their concern but not triage it.
    assert (
        api(world.teacher)
        .post(f"/api/v1/concerns/{concern.pk}/decision/", {"decision": "nfa", "reason": "x"})
        .status_code
        == 403
    )
    from cases import services

    child = services.child_create(
        acting_user=world.social_worker, lead_agency=world.la, first_name="Amelia", last_name="Hart"
    )
    worker = api(world.social_worker)
    assert (
        worker.post(
            f"/api/v1/concerns/{concern.pk}/decision/", {"decision": "assessment", "reason": "x"}
        ).status_code
        == 400
    )  # the child must be found first
    response = worker.post(f"/api/v1/concerns/{concern.pk}/link-child/", {"child": str(child.pk)})
    assert response.status_code == 200, response.json()
    response = worker.post(
        f"/api/v1/concerns/{concern.pk}/decision/",
        {"decision": "assessment", "reason": "Needs assessment."},
    )
    assert response.json()["status"] == "awaiting_authorisation"
    assert worker.post(f"/api/v1/concerns/{concern.pk}/authorise/").status_code == 403
    response = api(world.manager).post(f"/api/v1/concerns/{concern.pk}/authorise/")
    assert response.status_code == 200
    case = response.json()["case"]
    assert case is not None
    assert [c["id"] for c in worker.get("/api/v1/cases/").json()["results"]] == [case["id"]]
    # The teacher now sees the decision and the case they are involved in.
    mine = api(world.teacher).get(f"/api/v1/concerns/{concern.pk}/").json()
    assert mine["decision_reason"] == "Needs assessment." and mine["case"]["id"] == case["id"]


def test_ids_that_are_not_uuids_are_404(world):
    client = api(world.social_worker)
    assert client.get("/api/v1/cases/123/").status_code == 404
    assert client.get("/api/v1/concerns/not-a-uuid/").status_code == 404


def test_schema_is_served(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    text = response.content.decode()
    assert text.startswith("openapi: 3") and "/api/v1/concerns/" in text


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_case_list_queries_do_not_grow_with_the_data(world):
    open_case_from_concern(world, submit_concern(world))
    client = api(world.social_worker)
    before = _count_queries(client, "/api/v1/cases/")
    for i in range(12):
        open_case_from_concern(world, submit_concern(world, child_first_name=f"C{i}"))
    assert _count_queries(client, "/api/v1/cases/") == before
    before = _count_queries(client, "/api/v1/concerns/")
    for i in range(5):
        submit_concern(world, child_first_name=f"D{i}")
    assert _count_queries(client, "/api/v1/concerns/") == before
