"""The API obeys the same rules as the pages (SPEC 2, 3.10, 6)."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases import services
from cases.models import ChronologyEntry
from cases.services import restrictions
from safeguard.audit.models import AuditEvent
from tests.factories import PASSWORD, World, make_user, open_case_from_concern, submit_concern

pytestmark = pytest.mark.django_db

ACTIONS = ("link-child", "decision", "authorise", "return")


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
    return {k: v for k, v in body.items() if v is not ...}


def new_child(world, **kwargs):
    return services.child_create(
        acting_user=world.social_worker,
        lead_agency=world.la,
        first_name=kwargs.pop("first_name", "Amelia"),
        last_name=kwargs.pop("last_name", "Hart"),
        **kwargs,
    )


# Authentication -------------------------------------------------------------------


def test_token_authentication(world):
    concern = submit_concern(world)
    response = api(world.teacher, token=True).get("/api/v1/concerns/")
    assert response.status_code == 200
    assert [c["reference"] for c in response.json()["results"]] == [concern.reference]


def test_a_wrong_token_is_refused(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = client.get("/api/v1/concerns/")
    # 403 while SessionAuthentication is first in settings; 401 if Token were first.
    assert response.status_code in (401, 403)
    assert response.json() == {"detail": "Invalid token.", "errors": {}}


def test_session_authentication_with_csrf_on_writes(world):
    client = APIClient(enforce_csrf_checks=True)
    assert client.login(username=world.teacher.username, password=PASSWORD)
    assert client.get("/api/v1/concerns/").status_code == 200
    # A session is a browser's credential: writes need the CSRF token.
    refused = client.post("/api/v1/concerns/", new_concern(), format="json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    client.get("/")  # any page sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    accepted = client.post(
        "/api/v1/concerns/", new_concern(), format="json", HTTP_X_CSRFTOKEN=token
    )
    assert accepted.status_code == 201, accepted.json()


def test_anonymous_gets_nothing(world):
    concern = submit_concern(world)
    client = APIClient()
    for url in ("/api/v1/", "/api/v1/concerns/", f"/api/v1/concerns/{concern.pk}/"):
        assert client.get(url).status_code in (401, 403), url
    assert client.post("/api/v1/concerns/", new_concern(), format="json").status_code in (401, 403)


@pytest.mark.two_factor
def test_a_session_without_two_factor_cannot_read_the_api_by_adding_a_token_header(world):
    open_case_from_concern(world, submit_concern(world))
    client = APIClient()
    assert client.login(username=world.social_worker.username, password=PASSWORD)
    assert client.get("/api/v1/cases/").status_code == 403  # two-factor still to do
    response = client.get("/api/v1/cases/", HTTP_AUTHORIZATION="Token anything")
    assert response.status_code in (401, 403)


def test_issue_token_prints_the_same_token_each_time(world, capsys):
    call_command("issue_token", world.teacher.username)
    first = capsys.readouterr().out.strip()
    call_command("issue_token", world.teacher.username)
    assert capsys.readouterr().out.strip() == first == Token.objects.get(user=world.teacher).key


# Lists ----------------------------------------------------------------------------


def test_every_list_is_paginated(world):
    case = open_case_from_concern(world, submit_concern(world))
    worker = api(world.social_worker)
    for url in (
        "/api/v1/concerns/",
        "/api/v1/cases/",
        "/api/v1/children/",
        f"/api/v1/cases/{case.pk}/chronology/",
    ):
        body = worker.get(url).json()
        # SPEC 6: big lists page by cursor and are never counted; a case's
        # chronology and the children list are small enough to count.
        big = url in ("/api/v1/concerns/", "/api/v1/cases/")
        shape = {"next", "previous", "results"} | (set() if big else {"count"})
        assert set(body) == shape, url
        assert len(body["results"]) >= 1, url
        if not big:
            assert body["count"] == len(body["results"]), url


def test_pages_of_twenty_five(world):
    for i in range(26):
        submit_concern(world, child_first_name=f"Child{i}")
    teacher = api(world.teacher)
    first = teacher.get("/api/v1/concerns/").json()
    assert "count" not in first and len(first["results"]) == 25
    assert first["previous"] is None and "cursor=" in first["next"]
    second = teacher.get(first["next"]).json()
    assert [c["child_first_name"] for c in second["results"]] == ["Child0"]  # oldest last
    assert second["next"] is None and "cursor=" in second["previous"]
    back = teacher.get(second["previous"]).json()
    assert [c["id"] for c in back["results"]] == [c["id"] for c in first["results"]]


def test_each_list_request_is_audited_with_the_references_shown(world):
    concern = submit_concern(world)
    case = open_case_from_concern(world, concern)
    worker = api(world.social_worker)
    worker.get("/api/v1/concerns/")
    worker.get("/api/v1/cases/")
    worker.get("/api/v1/children/")
    rows = {
        row.event: row for row in AuditEvent.objects.filter(user=world.social_worker, action="list")
    }
    assert rows["concerns_listed"].detail == {"references": [concern.reference]}
    assert rows["cases_listed"].detail == {"references": [case.reference]}
    assert rows["children_listed"].detail == {"references": [case.child.reference]}
    assert rows["cases_listed"].path == "/api/v1/cases/"


# Concerns -------------------------------------------------------------------------


def test_submit_a_concern_through_the_api(world):
    response = api(world.teacher).post("/api/v1/concerns/", new_concern(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["reference"].startswith("CON-")
    assert response["Location"].endswith(f"/api/v1/concerns/{body['id']}/")
    assert body["status"] == "submitted"
    assert body["reporting_agency"]["slug"] == "school"
    assert body["lead_agency"]["slug"] == "la-csc"  # the school's usual front door
    # Stored and returned as typed: escaping is the renderer's job, not the API's.
    assert body["account"] == "She said <script>alert(1)</script> dad shouts."
    assert body["decision"] is None and body["decision_reason"] is None
    assert body["case"] is None and body["child"] is None
    assert AuditEvent.objects.filter(event="concern_submitted", object_id=body["id"]).exists()
    mine = api(world.teacher).get(f"/api/v1/concerns/{body['id']}/").json()
    assert mine["reference"] == body["reference"]
    assert mine["account"] == "She said <script>alert(1)</script> dad shouts."


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"child_first_name": "  "}, "child_first_name"),
        ({"child_first_name": ...}, "child_first_name"),
        ({"child_date_of_birth": "2999-01-01"}, "child_date_of_birth"),
        ({"child_date_of_birth": None}, "child_age_years"),
        ({"account": "   "}, "account"),
        ({"account": ...}, "account"),
        ({"categories": []}, "categories"),
        ({"categories": ["bad-luck"]}, "categories"),
        ({"child_nhs_number": "1234567890"}, "child_nhs_number"),
        ({"child_upn": "A801200110001"}, "child_upn"),
        ({"immediate_risk": ...}, "immediate_risk"),
        ({"immediate_risk": True}, "actions_taken"),
        ({"sharing_basis": ...}, "sharing_basis"),
        ({"sharing_basis": "no_consent_risk"}, "sharing_reason"),
        ({"sharing_basis": "no_consent_risk", "sharing_reason": "  "}, "sharing_reason"),
        ({"observed_at": "2999-01-01T10:00:00Z"}, "observed_at"),
        ({"observed_at": ...}, "observed_at"),
        ({"lead_agency": "school"}, "lead_agency"),
        ({"reporting_agency": "la-csc"}, "reporting_agency"),
    ],
)
def test_bad_input_is_refused_with_the_field_named(world, overrides, field):
    response = api(world.teacher).post("/api/v1/concerns/", new_concern(**overrides), format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    # Nested fields are named by their path: "categories.0" for the first category.
    assert any(name == field or name.startswith(f"{field}.") for name in errors), errors


def test_a_future_date_of_birth_says_so(world):
    response = api(world.teacher).post(
        "/api/v1/concerns/", new_concern(child_date_of_birth="2999-01-01"), format="json"
    )
    assert response.json()["errors"] == {
        "child_date_of_birth": ["Date of birth must be today or in the past"]
    }


def test_valid_identifiers_are_stored_compact_and_age_may_replace_date_of_birth(world):
    response = api(world.teacher).post(
        "/api/v1/concerns/",
        new_concern(
            child_date_of_birth=None,
            child_age_years=9,
            child_nhs_number="943 476 5919",
            child_upn="Q801200110001",
            immediate_risk=True,
            actions_taken="Called the police.",
            sharing_basis="no_consent_harm",
            sharing_reason="At risk of significant harm.",
        ),
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["child_nhs_number"] == "9434765919" and body["child_upn"] == "Q801200110001"
    assert body["child_age_years"] == 9 and body["immediate_risk"] is True


def test_someone_in_several_agencies_says_which_they_report_for(world):
    make_user(world.teacher.username, world.police, "practitioner")
    client = api(world.teacher)
    ambiguous = client.post("/api/v1/concerns/", new_concern(), format="json")
    assert ambiguous.status_code == 400
    message = ambiguous.json()["errors"]["reporting_agency"][0]
    assert "police" in message and "school" in message
    chosen = client.post("/api/v1/concerns/", new_concern(reporting_agency="police"), format="json")
    assert chosen.status_code == 201, chosen.json()
    assert chosen.json()["reporting_agency"]["slug"] == "police"


def test_a_front_door_can_be_chosen(world):
    response = api(world.teacher).post(
        "/api/v1/concerns/", new_concern(lead_agency="other-la"), format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["lead_agency"]["slug"] == "other-la"


def test_agency_admin_and_auditor_cannot_log_a_concern(world):
    for user in (world.la_admin, world.auditor, world.chair):
        response = api(user).post("/api/v1/concerns/", new_concern(), format="json")
        assert response.status_code == 403, user


def test_the_reporter_sees_the_decision_only_once_it_is_authorised(world):
    concern = submit_concern(world)
    child = new_child(world)
    services.concern_link_child(acting_user=world.social_worker, concern=concern, child=child)
    services.concern_record_decision(
        acting_user=world.social_worker, concern=concern, decision="advice", reason="Signposted."
    )
    url = f"/api/v1/concerns/{concern.pk}/"
    waiting = api(world.teacher).get(url).json()
    assert waiting["status"] == "awaiting_authorisation"
    assert waiting["decision"] is waiting["decision_reason"] is waiting["child"] is None
    # The front door sees its own work in progress.
    at_door = api(world.social_worker).get(url).json()
    assert at_door["decision"] == "advice" and at_door["child"]["id"] == str(child.pk)
    services.concern_authorise_decision(acting_user=world.manager, concern=concern)
    done = api(world.teacher).get(url).json()
    assert done["decision"] == "advice"
    assert done["decision_display"] == "Advice and signposting"
    assert done["decision_reason"] == "Signposted."
    assert done["case"] is None  # advice opens no case


def test_retrieving_a_concern_is_audited(world):
    concern = submit_concern(world)
    api(world.social_worker).get(f"/api/v1/concerns/{concern.pk}/")
    assert AuditEvent.objects.filter(
        user=world.social_worker, event="concern_viewed", object_id=str(concern.pk)
    ).exists()


def test_other_peoples_drafts_and_your_own_are_not_in_the_api(world):
    draft = services.concern_save_draft(
        acting_user=world.teacher, reporting_agency=world.school, data={"account": ["..."]}
    )
    for user in (world.teacher, world.social_worker):
        client = api(user)
        assert client.get("/api/v1/concerns/").json()["results"] == []
        assert client.get(f"/api/v1/concerns/{draft.pk}/").status_code == 404


# Who sees what --------------------------------------------------------------------


def test_unrelated_agencies_and_non_case_roles_see_nothing(world):
    concern = submit_concern(world)
    case = open_case_from_concern(world, concern)
    other_child = new_child(world, first_name="Ben")  # held by the lead agency, no case
    for user in [*world.unrelated_users(), world.la_admin, world.auditor, world.chair]:
        client = api(user)
        for url in ("/api/v1/concerns/", "/api/v1/cases/", "/api/v1/children/"):
            body = client.get(url).json()
            assert body["results"] == [] and body["next"] is None, (user, url)
        for url in (
            f"/api/v1/concerns/{concern.pk}/",
            f"/api/v1/cases/{case.pk}/",
            f"/api/v1/cases/{case.pk}/chronology/",
            f"/api/v1/children/{case.child_id}/",
            f"/api/v1/children/{other_child.pk}/",
        ):
            assert client.get(url).status_code == 404, (user, url)
        for name in ACTIONS:
            response = client.post(f"/api/v1/concerns/{concern.pk}/{name}/", {}, format="json")
            assert response.status_code == 404, (user, name)


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
    assert [c["id"] for c in teacher.get("/api/v1/cases/").json()["results"]] == [str(case.pk)]
    detail = teacher.get(f"/api/v1/cases/{case.pk}/").json()
    assert detail["lead_access"] is False
    assert detail["child"] == {
        "id": str(case.child_id),
        "reference": case.child.reference,
        "first_name": "Amelia",
        "last_name": "Hart",
        "date_of_birth": "2016-05-04",
    }
    assert {(i["agency"]["slug"], i["level"], i["reason"]) for i in detail["involvements"]} == {
        ("la-csc", "lead", "lead_agency"),
        ("school", "involved", "concern"),
    }
    titles = [
        e["title"] for e in teacher.get(f"/api/v1/cases/{case.pk}/chronology/").json()["results"]
    ]
    assert "Case opened" in titles and "Lead only: legal planning" not in titles
    assert teacher.get(f"/api/v1/children/{case.child_id}/").status_code == 200
    worker = api(world.social_worker)
    assert worker.get(f"/api/v1/cases/{case.pk}/").json()["lead_access"] is True
    worker_titles = [
        e["title"] for e in worker.get(f"/api/v1/cases/{case.pk}/chronology/").json()["results"]
    ]
    assert "Lead only: legal planning" in worker_titles


def test_the_list_says_the_level_of_access_per_case(world):
    case = open_case_from_concern(world, submit_concern(world))
    (listed,) = api(world.teacher).get("/api/v1/cases/").json()["results"]
    assert listed["lead_access"] is False and len(listed["involvements"]) == 2
    (listed,) = api(world.social_worker).get("/api/v1/cases/").json()["results"]
    assert listed["lead_access"] is True and listed["reference"] == case.reference


def test_ending_an_involvement_ends_api_access(world):
    from cases.services.case import involvement_end

    case = open_case_from_concern(world, submit_concern(world))
    involvement = case.involvements.get(agency=world.school)
    involvement_end(acting_user=world.manager, involvement=involvement)
    teacher = api(world.teacher)
    assert teacher.get("/api/v1/cases/").json()["results"] == []
    assert teacher.get(f"/api/v1/cases/{case.pk}/").status_code == 404


def test_chronology_filters(world):
    case = open_case_from_concern(world, submit_concern(world))
    worker = api(world.social_worker)
    url = f"/api/v1/cases/{case.pk}/chronology/"
    by_school = worker.get(url, {"agency": "school"}).json()["results"]
    assert by_school and {e["agency"]["slug"] for e in by_school} == {"school"}
    opened = worker.get(url, {"kind": "case_opened"}).json()["results"]
    assert [e["title"] for e in opened] == ["Case opened"]
    assert worker.get(url, {"kind": "gossip"}).status_code == 400


def test_front_door_staff_see_their_authoritys_children(world):
    child = new_child(world, first_name="Ben")
    names = [
        c["first_name"] for c in api(world.social_worker).get("/api/v1/children/").json()["results"]
    ]
    assert names == ["Ben"]
    assert api(world.manager).get(f"/api/v1/children/{child.pk}/").status_code == 200
    assert AuditEvent.objects.filter(event="child_viewed", object_id=str(child.pk)).exists()
    # A practitioner with no case for the child, and another authority, see nothing.
    assert api(world.teacher).get(f"/api/v1/children/{child.pk}/").status_code == 404
    assert api(world.other_social_worker).get(f"/api/v1/children/{child.pk}/").status_code == 404


def test_a_restricted_case_is_a_notice_to_those_who_would_see_it_and_404_to_the_rest(world):
    case = open_case_from_concern(world, submit_concern(world))
    restrictions.case_restrict(
        acting_user=world.manager,
        case=case,
        reason="The child of a member of staff at the authority.",
        named_users=[world.social_worker],
    )
    # Named: sees everything.
    worker = api(world.social_worker)
    assert worker.get(f"/api/v1/cases/{case.pk}/").json()["is_restricted"] is True
    assert worker.get(f"/api/v1/children/{case.child_id}/").status_code == 200
    # Would see it but for the restriction: told it exists, nothing more.
    for user in (world.manager, world.teacher):
        client = api(user)
        assert client.get("/api/v1/cases/").json()["results"] == []
        for url in (f"/api/v1/cases/{case.pk}/", f"/api/v1/cases/{case.pk}/chronology/"):
            response = client.get(url)
            assert response.status_code == 403, (user, url)
            assert response.json()["restricted"] is True
            assert response.json()["reference"] == case.reference
            assert "Amelia" not in response.content.decode()
        # The front-door rule does not reach a restricted child.
        assert client.get(f"/api/v1/children/{case.child_id}/").status_code == 404
        assert client.get("/api/v1/children/").json()["count"] == 0
    assert AuditEvent.objects.filter(
        user=world.manager, event="restricted_notice_shown", case_id=case.pk
    ).exists()
    # Everyone else: nothing at all.
    response = api(world.other_manager).get(f"/api/v1/cases/{case.pk}/")
    assert response.status_code == 404


# Triage ---------------------------------------------------------------------------


def test_triage_through_the_api(world):
    concern = submit_concern(world)
    url = f"/api/v1/concerns/{concern.pk}"
    # The teacher sees their concern but may not triage it.
    teacher = api(world.teacher)
    for name in ACTIONS:
        response = teacher.post(f"{url}/{name}/", {"decision": "nfa", "reason": "x"})
        assert response.status_code == 403, name
    child = new_child(world)
    worker = api(world.social_worker)
    response = worker.post(
        f"{url}/decision/", {"decision": "assessment", "reason": "x", "referral_source": "2A"}
    )
    assert response.status_code == 400  # the child must be found first
    assert "non_field_errors" in response.json()["errors"]
    response = worker.post(f"{url}/link-child/", {"child": str(child.pk)})
    assert response.status_code == 200, response.json()
    assert response.json()["child"]["reference"] == child.reference
    response = worker.post(
        f"{url}/decision/",
        {"decision": "assessment", "reason": "Needs assessment.", "referral_source": "2A"},
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "awaiting_authorisation"
    # Social workers decide; only managers authorise or return.
    assert worker.post(f"{url}/authorise/").status_code == 403
    assert worker.post(f"{url}/return/", {"comment": "x"}).status_code == 403
    response = api(world.manager).post(f"{url}/authorise/")
    assert response.status_code == 200, response.json()
    case = response.json()["case"]
    assert case is not None and response.json()["status"] == "completed"
    assert [c["id"] for c in worker.get("/api/v1/cases/").json()["results"]] == [case["id"]]
    # The teacher now sees the decision and the case their agency is involved in.
    mine = teacher.get(f"{url}/").json()
    assert mine["decision_reason"] == "Needs assessment." and mine["case"]["id"] == case["id"]
    # A decided concern cannot be decided again.
    again = worker.post(
        f"{url}/decision/",
        {"decision": "nfa", "reason": "Changed my mind.", "referral_source": "2A"},
    )
    assert again.status_code == 400


def test_a_manager_returns_a_decision(world):
    concern = submit_concern(world)
    services.concern_link_child(
        acting_user=world.social_worker, concern=concern, child=new_child(world)
    )
    services.concern_record_decision(
        acting_user=world.social_worker, concern=concern, decision="nfa", reason="Nothing."
    )
    manager = api(world.manager)
    url = f"/api/v1/concerns/{concern.pk}/return/"
    assert manager.post(url, {"comment": "  "}).json()["errors"] == {
        "comment": ["Enter why the decision is being returned"]
    }
    # A number is not somebody's reason: refused, not recorded as "1e+16".
    number = manager.post(url, {"comment": 1e16}, format="json")
    assert number.status_code == 400
    assert number.json()["errors"] == {"comment": ["Not a valid string."]}
    concern.refresh_from_db()
    assert concern.status != "submitted"
    response = manager.post(url, {"comment": "Speak to the school first."})
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    assert manager.post(f"/api/v1/concerns/{concern.pk}/authorise/").status_code == 400


def test_a_child_held_by_another_authority_cannot_be_linked(world):
    concern = submit_concern(world)
    theirs = services.child_create(
        acting_user=world.other_social_worker,
        lead_agency=world.other_la,
        first_name="Amelia",
        last_name="Hart",
    )
    worker = api(world.social_worker)
    url = f"/api/v1/concerns/{concern.pk}/link-child/"
    for body in ({"child": str(theirs.pk)}, {"child": "not-a-uuid"}, {}):
        response = worker.post(url, body, format="json")
        assert response.status_code == 400 and "child" in response.json()["errors"], body


def test_ids_that_are_not_uuids_are_404(world):
    client = api(world.social_worker)
    for url in (
        "/api/v1/cases/123/",
        "/api/v1/cases/123/chronology/",
        "/api/v1/concerns/not-a-uuid/",
        "/api/v1/children/1/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post("/api/v1/concerns/x/decision/", {}).status_code == 404


# Schema and cost ------------------------------------------------------------------


def test_schema_is_served_to_signed_in_users_only(client):
    assert client.get("/api/schema/").status_code == 401
    client.force_login(World().teacher)
    response = client.get("/api/schema/")
    assert response.status_code == 200
    text = response.content.decode()
    assert text.startswith("openapi: 3")
    for path in (
        "/api/v1/concerns/",
        "/api/v1/concerns/{id}/decision/",
        "/api/v1/cases/{id}/chronology/",
        "/api/v1/children/",
    ):
        assert f"  {path}:" in text, path


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        assert response.status_code == 200
    return len(ctx.captured_queries), response.json()


def test_list_queries_do_not_grow_with_the_data(world):
    first = open_case_from_concern(world, submit_concern(world))
    open_case_from_concern(world, submit_concern(world, child_first_name="B"))
    worker, teacher = api(world.social_worker), api(world.teacher)
    urls = {
        worker: ["/api/v1/cases/", "/api/v1/concerns/", "/api/v1/children/"],
        teacher: ["/api/v1/cases/", "/api/v1/concerns/"],
    }
    chronology = f"/api/v1/cases/{first.pk}/chronology/"
    for client in urls:
        _count_queries(client, "/api/v1/cases/")  # warm per-process caches
    before = {
        (client, url): _count_queries(client, url)[0]
        for client, client_urls in urls.items()
        for url in [*client_urls, chronology]
    }
    for i in range(18):
        open_case_from_concern(world, submit_concern(world, child_first_name=f"C{i}"))
        ChronologyEntry.objects.create(
            case=first, occurred_at=timezone.now(), agency=world.la, kind="note", title=f"N{i}"
        )
    for (client, url), count in before.items():
        after, body = _count_queries(client, url)
        shown = body["count"] if url == chronology else len(body["results"])
        assert shown >= (18 if url == chronology else 20), url
        assert after == count, (url, count, after)


def test_actions_through_the_api(world):
    import datetime as dt

    case = open_case_from_concern(world, submit_concern(world))
    worker = APIClient()
    worker.force_authenticate(world.social_worker)
    due = (dt.date.today() + dt.timedelta(days=7)).isoformat()
    response = worker.post(
        f"/api/v1/cases/{case.pk}/actions/",
        {
            "description": "Check attendance",
            "agency": "school",
            "owner": world.teacher.username,
            "due_on": due,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    action_id = response.json()["id"]
    teacher = APIClient()
    teacher.force_authenticate(world.teacher)
    listed = teacher.get(f"/api/v1/cases/{case.pk}/actions/").json()
    assert [a["id"] for a in listed["results"]] == [action_id]
    assert listed["next"] is None
    # Involved agencies cannot set actions: setting them is the lead agency's
    # work, which for anyone else does not exist (404), as on the case page.
    refused = teacher.post(
        f"/api/v1/cases/{case.pk}/actions/",
        {"description": "x", "agency": "school", "due_on": due},
        format="json",
    )
    assert refused.status_code == 404
    done = teacher.post(f"/api/v1/cases/{case.pk}/actions/{action_id}/done/")
    assert done.json()["status"] == "done"
    outsider = APIClient()
    outsider.force_authenticate(world.other_social_worker)
    assert outsider.get(f"/api/v1/cases/{case.pk}/actions/").status_code == 404


def test_child_updates_need_if_match_and_refuse_stale_versions(world):
    case = open_case_from_concern(world, submit_concern(world))
    url = f"/api/v1/children/{case.child_id}/"
    first, second = APIClient(), APIClient()
    first.force_authenticate(world.social_worker)
    second.force_authenticate(world.manager)
    etag = first.get(url)["ETag"]
    assert second.get(url)["ETag"] == etag
    assert first.patch(url, {"language": "Welsh"}, format="json").status_code == 428
    ok = first.patch(url, {"language": "Welsh"}, format="json", HTTP_IF_MATCH=etag)
    assert ok.status_code == 200 and ok["ETag"] != etag
    stale = second.patch(url, {"language": "Polish"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert stale.json()["current"]["language"] == "Welsh"
    teacher = APIClient()
    teacher.force_authenticate(world.teacher)
    refused = teacher.patch(url, {"language": "x"}, format="json", HTTP_IF_MATCH=ok["ETag"])
    assert refused.status_code in (403, 404)
