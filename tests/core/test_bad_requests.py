"""Bad input never reaches a 500, and is answered in the service's own shape."""

from __future__ import annotations

import json

import pytest

from tests.factories import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def teacher_client(client):
    world = World()
    client.force_login(world.teacher)
    return client


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_json_nested_a_thousand_deep_is_a_clear_400(teacher_client):
    response = teacher_client.post(
        "/api/v1/concerns/", data=nested(1000), content_type="application/json"
    )
    assert response.status_code == 400
    assert "nested more than 32 levels" in response.json()["detail"]


def test_json_nested_past_the_limit_is_refused_and_within_it_is_parsed(teacher_client):
    too_deep = {"summary": json.loads(nested(40))}
    response = teacher_client.post(
        "/api/v1/concerns/", data=json.dumps(too_deep), content_type="application/json"
    )
    assert response.status_code == 400
    assert "nested" in response.json()["detail"]
    # An ordinary body goes on to validation, which answers field by field.
    response = teacher_client.post(
        "/api/v1/concerns/", data=json.dumps({"summary": ""}), content_type="application/json"
    )
    assert response.status_code == 400
    assert "nested" not in json.dumps(response.json())


def test_an_oversize_api_body_is_a_400_in_the_api_format(teacher_client, settings):
    body = json.dumps({"summary": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)})
    response = teacher_client.post("/api/v1/concerns/", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "larger than" in response.json()["detail"]


def test_an_oversize_page_post_gets_the_service_page_not_a_bare_error(teacher_client, settings):
    settings.DEBUG = False
    response = teacher_client.post(
        "/concerns/new/", {"summary": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem with what was sent" in html
    assert "larger than this service accepts (2048 KB of text)" in html
    assert 'class="govuk-header' in html or "govuk-template" in html
