"""The CIN census return over the API (issue 16), driven as an integration
would: a manager's token asks for the demo's return, polls its status while
it waits for a worker, is refused the download until it is built, then
downloads the XML with the demo's children in it. Everyone else meets 404s,
as on the pages.

Tasks run eagerly here; the hand-over to the worker is an ``on_commit``
callback, run when the test says (``django_capture_on_commit_callbacks``).
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET  # noqa: S405 - our own output

import pytest
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases.models import Case, Child
from census.builder import la_child_id
from census.models import CensusReturn
from census.years import year_choices
from safeguard.audit.models import AuditEvent
from tests.factories import World, make_user, open_case_from_concern, submit_concern

pytestmark = pytest.mark.django_db

API = "/api/v1/census/returns/"


def token_client(user) -> APIClient:
    client = APIClient()
    key = Token.objects.get_or_create(user=user)[0].key
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def demo(settings, seed_demo, tmp_path):
    settings.DEMO_PASSWORD = seed_demo.password
    seed_demo()
    settings.MEDIA_ROOT = str(tmp_path)


def test_a_manager_builds_the_demos_return_and_downloads_it(
    demo, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    manager = get_user_model().objects.get(username="manager@northshire-csc")
    client = token_client(manager)
    this_year = year_choices()[0][0]

    with django_capture_on_commit_callbacks() as hand_over:
        asked = client.post(API, {"year": this_year, "la_code": "990"}, format="json")
    assert asked.status_code == 202, asked.content
    state = asked.json()
    assert asked["Location"] == state["status_url"]
    assert state["status"] == "queued" and state["finished"] is False
    assert state["download_url"] is None

    # Waiting for a worker: the status says so, and the download is refused.
    polled = client.get(state["status_url"])
    assert polled.status_code == 200 and polled.json()["status"] == "queued"
    assert "no-store" in polled["Cache-Control"]
    download = f"{API}{state['id']}/download/"
    early = client.get(download)
    assert early.status_code == 409
    assert early.json()["detail"].startswith("The return is still being built")
    assert early.json()["errors"] == {}

    # The worker builds it (eagerly here), and the status says it is ready.
    for callback in hand_over:
        callback()
    polled = client.get(state["status_url"]).json()
    assert polled["status"] == "ready" and polled["finished"] is True
    assert polled["progress"] == 100 and polled["download_url"].endswith(download)
    detail = client.get(f"{API}{state['id']}/").json()
    assert detail["schema_valid"] is True and detail["schema_errors"] == []
    assert detail["year"] == this_year and detail["requested_by"] == "manager@northshire-csc"
    assert detail["error_count"] == 0

    response = client.get(polled["download_url"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert "attachment" in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    root = ET.fromstring(content)  # noqa: S314 - our own output
    in_return = {child.findtext("ChildIdentifiers/LAchildID") for child in root.iter("Child")}
    assert len(in_return) == detail["child_count"] > 10
    # Every child of Northshire with an open case is in it; the neighbour's are not.
    open_cases = Case.objects.filter(lead_agency__slug="northshire-csc", status=Case.Status.OPEN)
    expected = {la_child_id(case.child.reference) for case in open_cases.select_related("child")}
    assert expected and expected <= in_return
    eastfield = Child.objects.filter(lead_agency__slug="eastfield-csc")
    assert not {la_child_id(child.reference) for child in eastfield} & in_return

    row = AuditEvent.objects.get(event="cin_census_downloaded")
    assert row.detail["sha256"] == hashlib.sha256(content).hexdigest() == detail["sha256"]
    assert AuditEvent.objects.filter(event="cin_census_requested", user=manager).count() == 1

    # The list of returns pages by cursor, and its reads do not grow with its rows.
    with django_capture_on_commit_callbacks():
        client.post(API, {"year": year_choices()[1][0], "la_code": "990"}, format="json")
    with django_assert_max_num_queries(8):
        listed = client.get(API).json()
    assert [r["id"] for r in listed["results"]][1] == state["id"]
    assert listed["results"][0]["status"] == "queued"


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    w = World()
    w.la.la_code = "201"
    w.la.save(update_fields=["la_code"])
    w.case = open_case_from_concern(w, submit_concern(w))
    return w


def ask(client, year=None, la_code="201", **extra):
    return client.post(API, {"year": year or year_choices()[0][0], "la_code": la_code, **extra})


def test_what_was_sent_wrong_is_a_400_with_the_error_body(world):
    client = token_client(world.manager)
    bad_code = ask(client, la_code="2x1")
    assert bad_code.status_code == 400
    assert bad_code.json()["errors"] == {
        "la_code": ["Enter the DfE's three-digit local authority code, like 201"]
    }
    too_old = ask(client, year="2015-16")
    assert too_old.status_code == 400 and "year" in too_old.json()["errors"]
    not_mine = ask(client, agency="other-la")
    assert not_mine.json()["errors"] == {"agency": ["Choose one of your lead agencies"]}
    assert not CensusReturn.objects.exists()


def test_a_return_that_is_not_offered_for_download_is_a_409(
    world, django_capture_on_commit_callbacks
):
    """A return not valid against the schema is not offered, as on the page."""
    Child.objects.filter(pk=world.case.child_id).update(sex="X")
    client = token_client(world.auditor)  # an auditor may produce the return too
    with django_capture_on_commit_callbacks(execute=True):
        state = ask(client).json()
    census_return = CensusReturn.objects.get(pk=state["id"])
    assert census_return.status == CensusReturn.Status.READY and not census_return.schema_valid
    refused = client.get(f"{API}{state['id']}/download/")
    assert refused.status_code == 409
    assert "not valid against the CIN census schema" in refused.json()["detail"]
    assert client.get(state["status_url"]).json()["download_url"] is None
    assert client.get(f"{API}{state['id']}/").json()["schema_errors"]
    CensusReturn.objects.filter(pk=state["id"]).update(
        status=CensusReturn.Status.FAILED, failure_reason="The worker gave up."
    )
    failed = client.get(f"{API}{state['id']}/download/").json()
    assert failed["detail"] == "The return could not be built: The worker gave up."
    assert not AuditEvent.objects.filter(event="cin_census_downloaded").exists()


def test_everyone_else_gets_404_including_on_the_download(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        state = ask(token_client(world.manager)).json()
    urls = [f"{API}{state['id']}/{part}" for part in ("", "status/", "download/")]
    wrong_role = [world.social_worker, world.teacher, world.officer, world.chair, world.la_admin]
    for user in wrong_role:
        client = token_client(user)
        assert client.get(API).status_code == 404, user
        refused = ask(client)
        assert refused.status_code == 404 and set(refused.json()) == {"detail", "errors"}
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
    # Another authority's manager and auditor have their own returns, never this one.
    for user in (world.other_manager, make_user("auditor@other-la", world.other_la, "auditor")):
        client = token_client(user)
        assert client.get(API).json()["results"] == []
        assert client.get(API, {"agency": "la-csc"}).json()["results"] == []
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
    assert CensusReturn.objects.count() == 1
    assert not AuditEvent.objects.filter(event="cin_census_downloaded").exists()
    assert APIClient().get(API).status_code == 401
