"""The OpenAPI schema documents each operation the pages' actions gained, with
every status it can answer and truthful nullability (issue 16 items 1-2)."""

import pytest
from rest_framework.test import APIClient

from tests.factories import World

pytestmark = pytest.mark.django_db

COMMON = {"400", "401", "403", "404"}
CASE = "/api/v1/cases/{case_pk}"
AGENCY = "/api/v1/agencies/{slug}"
# path -> method -> statuses it must document (beyond COMMON)
OPERATIONS = {
    f"{CASE}/notes/": {"get": {"200"}, "post": {"201"}},
    f"{CASE}/allocation/": {"post": {"200", "412"}},
    f"{CASE}/access-log/": {"get": {"200"}},
    f"{CASE}/child/merges/": {"get": {"200"}, "post": {"201"}},
    f"{CASE}/child/merges/{{id}}/undo/": {"post": {"200"}},
    f"{CASE}/who-can-see/": {"get": {"200"}},
    "/api/v1/cases/{id}/chronology/": {"get": {"200"}, "post": {"201"}},
    f"{CASE}/documents/": {"get": {"200"}, "post": {"201", "415"}},
    f"{CASE}/documents/{{id}}/download/": {"get": {"200"}},
    f"{CASE}/household/": {"get": {"200"}, "post": {"201"}},
    f"{CASE}/professionals/": {"get": {"200"}, "post": {"201"}},
    f"{CASE}/professionals/{{id}}/end/": {"post": {"200"}},
    f"{CASE}/restriction/": {"post": {"200", "409"}},
    f"{CASE}/restriction/lift/": {"post": {"200", "409"}},
    f"{CASE}/break-glass/": {"get": {"200"}, "post": {"201"}},
    f"{AGENCY}/members/": {"get": {"200"}, "post": {"201"}},
    f"{AGENCY}/members/{{membership_id}}/role/": {"post": {"200"}},
    f"{AGENCY}/members/{{membership_id}}/deactivate/": {"post": {"200"}},
    f"{AGENCY}/teams/": {"get": {"200"}, "post": {"201"}},
    f"{AGENCY}/teams/{{id}}/": {"get": {"200"}, "put": {"200"}},
}
PAGINATED = {
    f"{CASE}/notes/": "PaginatedCaseNoteList",
    f"{CASE}/documents/": "PaginatedCaseDocumentList",
    f"{CASE}/household/": "PaginatedHouseholdMemberList",
    f"{CASE}/professionals/": "PaginatedProfessionalList",
    f"{AGENCY}/members/": "PaginatedMembershipList",
    f"{CASE}/access-log/": "PaginatedAccessLogRowList",
    f"{AGENCY}/teams/": "PaginatedTeamList",
    f"{CASE}/actions/": "PaginatedCaseActionList",
}
# A meeting's own few rows: whole arrays, as they are returned.
MEETING_ARRAYS = {
    "/api/v1/meetings/{id}/invitations/": "Invitation",
    "/api/v1/meetings/{id}/invitation-requests/": "InvitationRequest",
    "/api/v1/meetings/{id}/reports/": "Report",
    "/api/v1/meetings/{id}/actions/": "MeetingAction",
    "/api/v1/meetings/{meeting_pk}/attendees/": "Attendee",
}


@pytest.fixture(scope="module")
def schema(django_db_blocker, django_db_setup):
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            client = APIClient()
            client.force_authenticate(World().teacher)
            response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
            transaction.set_rollback(True)
    assert response.status_code == 200
    return response.json()


def test_each_new_operation_documents_its_statuses(schema):
    for path, methods in OPERATIONS.items():
        assert path in schema["paths"], path
        for method, statuses in methods.items():
            operation = schema["paths"][path].get(method)
            assert operation is not None, (method, path)
            documented = set(operation["responses"])
            assert documented >= statuses | COMMON, (method, path, documented)
            for code in documented - {"200", "201"}:
                body = operation["responses"][code]["content"]["application/json"]["schema"]
                # The one error body, or one that adds to it (a 412's ``current``).
                component = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
                assert {"detail", "errors"} <= set(component["properties"]), (method, path, code)


def test_nested_lists_are_documented_as_the_paginated_shape_they_return(schema):
    for path, component in PAGINATED.items():
        ok = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
        assert ok["schema"] == {"$ref": f"#/components/schemas/{component}"}, path
        cursor = [p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == "cursor"]
        assert cursor, path


def test_meeting_lists_are_documented_as_the_arrays_they_return(schema):
    for path, component in MEETING_ARRAYS.items():
        get = schema["paths"][path]["get"]
        ok = get["responses"]["200"]["content"]["application/json"]["schema"]
        assert ok == {"type": "array", "items": {"$ref": f"#/components/schemas/{component}"}}
        assert not [p for p in get.get("parameters", []) if p["name"] == "cursor"], path
        # A GET answers no 201 or 409: those are the POST's, documented on it.
        assert set(get["responses"]) == {"200"} | COMMON, (path, sorted(get["responses"]))


def test_uploads_are_multipart_and_downloads_are_the_files_types(schema):
    post = schema["paths"][f"{CASE}/documents/"]["post"]
    assert set(post["requestBody"]["content"]) == {"multipart/form-data"}
    ok = schema["paths"][f"{CASE}/documents/{{id}}/download/"]["get"]["responses"]["200"]
    assert set(ok["content"]) == {"application/pdf", "image/png", "image/jpeg"}


def test_what_can_be_null_is_declared_nullable(schema):
    components = schema["components"]["schemas"]
    for component, field in [
        ("CaseNote", "author"),
        ("CaseDocument", "uploaded_by"),
        ("CaseAction", "owner"),
        ("Invitation", "person"),
        ("MeetingAction", "owner"),
        ("Professional", "username"),
        ("Professional", "ended_at"),
        ("HouseholdMember", "sibling_reference"),
        ("Restriction", "restricted_at"),
        ("Restriction", "restriction_review_due"),
        ("Team", "manager"),
        ("Allocation", "allocated_worker"),
        ("Allocation", "team"),
        ("AccessLogRow", "username"),
        ("AccessReason", "since"),
        ("ChildMerge", "undone_at"),
        ("ChildMerge", "undone_by"),
    ]:
        assert components[component]["properties"][field].get("nullable") is True, (
            component,
            field,
        )
    for component, field in [("CaseNote", "text"), ("BreakGlass", "expires_at")]:
        assert not components[component]["properties"][field].get("nullable"), (component, field)
