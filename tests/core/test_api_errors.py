"""Every API error has one body, ``{"detail": "...", "errors": {field: [...]}}``,
and the schema says so for every operation."""

from __future__ import annotations

import json
import uuid

import pytest
import yaml
from rest_framework.test import APIClient

from tests.cases.test_api import new_concern
from tests.factories import World, open_case_from_concern, submit_concern

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def error(response, status: int) -> dict:
    """The body of an error response, after checking its shape."""
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"].strip()
    assert isinstance(body["errors"], dict)
    for field, messages in body["errors"].items():
        assert isinstance(field, str)
        assert messages and all(isinstance(m, str) and m for m in messages), body
    return body


def test_400_names_each_field_with_its_messages(world):
    body = error(api(world.teacher).post("/api/v1/concerns/", {}, format="json"), 400)
    assert "see the fields named in errors" in body["detail"]
    assert body["errors"]["account"] == ["Enter what you saw or heard"]


def test_400_for_the_request_as_a_whole_says_it_in_detail(world):
    concern = submit_concern(world)
    response = api(world.social_worker).post(
        f"/api/v1/concerns/{concern.pk}/decision/",
        {"decision": "assessment", "reason": "x", "referral_source": "2A"},
    )
    body = error(response, 400)
    assert body["detail"] == " ".join(body["errors"]["non_field_errors"])


def test_400_nested_field_errors_are_flattened_to_dotted_names():
    from safeguard.core.api_errors import flatten

    assert flatten({"decisions": {"abc": {"next_review_on": ["Bad date"]}}, "x": ["y"]}) == {
        "decisions.abc.next_review_on": ["Bad date"],
        "x": ["y"],
    }
    nested_list = {"items": [{}, {"name": ["Enter a name"]}]}
    assert flatten(nested_list) == {"items.1.name": ["Enter a name"]}
    assert flatten(["Whole request"]) == {"non_field_errors": ["Whole request"]}


def test_400_for_bodies_the_parser_refuses(world):
    client = api(world.teacher)
    deep = "[" * 1000 + "]" * 1000
    error(client.generic("POST", "/api/v1/concerns/", deep, "application/json"), 400)
    error(client.generic("POST", "/api/v1/concerns/", "{not json", "application/json"), 400)
    big = json.dumps({"account": "x" * (3 * 1024 * 1024)})
    body = error(client.generic("POST", "/api/v1/concerns/", big, "application/json"), 400)
    assert "larger than" in body["detail"]


def test_401_without_credentials_or_with_a_wrong_token():
    body = error(api().get("/api/v1/concerns/"), 401)
    assert body["errors"] == {}
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert error(client.get("/api/v1/concerns/"), 401)["detail"] == "Invalid token."


def test_403_when_signed_in_but_not_allowed(world):
    # The teacher who logged the concern sees it, but does not work the front door.
    concern = submit_concern(world)
    response = api(world.teacher).post(
        f"/api/v1/concerns/{concern.pk}/decision/",
        {"decision": "nfa", "reason": "x", "referral_source": "2A"},
        format="json",
    )
    assert error(response, 403)["detail"] == "You do not work this front door."


def test_404_from_a_view_and_from_the_url_resolver(world):
    client = api(world.teacher)
    error(client.get(f"/api/v1/concerns/{uuid.uuid4()}/"), 404)
    error(client.get("/api/v1/concerns/not-a-uuid/"), 404)
    error(client.get("/api/v1/no-such-thing/"), 404)


def test_409_when_a_summary_is_not_ready(world):
    case = open_case_from_concern(world, submit_concern(world))
    client = api(world.manager)
    queued = client.post(f"/api/v1/cases/{case.pk}/summaries/", {}, format="json")
    assert queued.status_code == 202
    summary = queued.json()["id"]
    error(client.get(f"/api/v1/cases/{case.pk}/summaries/{summary}/download/"), 409)


def test_412_and_428_on_a_child_update(world):
    case = open_case_from_concern(world, submit_concern(world))
    url = f"/api/v1/children/{case.child_id}/"
    client = api(world.social_worker)
    etag = client.get(url)["ETag"]
    error(client.patch(url, {"language": "Welsh"}, format="json"), 428)
    changed = client.patch(url, {"language": "Welsh"}, format="json", HTTP_IF_MATCH=etag)
    assert changed.status_code == 200
    stale = error(client.patch(url, {"language": "Urdu"}, format="json", HTTP_IF_MATCH=etag), 412)
    assert stale["current"]["language"] == "Welsh"  # what changed, beside the error


def test_an_impossible_date_is_a_400_by_field(world):
    response = api(world.teacher).post(
        "/api/v1/concerns/", new_concern(child_date_of_birth="0001-01-01"), format="json"
    )
    assert error(response, 400)["errors"] == {
        "child_date_of_birth": ["Date of birth must be in 1900 or later"]
    }


def test_the_schema_documents_the_error_body_on_every_operation(world):
    client = api(world.teacher)
    schema = yaml.safe_load(client.get("/api/schema/").content)
    assert set(schema["components"]["schemas"]["Error"]["required"]) == {"detail", "errors"}
    operations = 0
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            operations += 1
            responses = operation["responses"]
            for code in ("400", "401", "403", "404"):
                assert code in responses, (method, path, code)
            for code, response in responses.items():
                if code.startswith("4"):
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    name = ref.rsplit("/", 1)[1]
                    component = schema["components"]["schemas"][name]
                    if name != "Error":  # a refusal that also carries the current state
                        assert {"detail", "errors"} <= set(component["properties"]), name
    assert operations >= 37
    child = schema["paths"]["/api/v1/children/{id}/"]["patch"]["responses"]
    assert {"412", "428"} <= set(child)
    assert "409" in schema["paths"]["/api/v1/meetings/{id}/record/"]["post"]["responses"]
