"""Notes and documents over the API: the page's services, permissions and audit
(SPEC 2, 3.10, 6; issue 16 item 1)."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases import services
from cases.models import CaseDocument, CaseNote
from safeguard.audit.models import AuditEvent
from tests.cases.api_world import api, assert_error, audit_rows, case_world, end_police_involvement

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return case_world()


def notes_url(world):
    return f"/api/v1/cases/{world.case.pk}/notes/"


def documents_url(world):
    return f"/api/v1/cases/{world.case.pk}/documents/"


def add_note(world, user, agency, text, sensitivity):
    return services.case_note_add(
        acting_user=user, case=world.case, agency=agency, text=text, sensitivity=sensitivity
    )


# Notes --------------------------------------------------------------------------


def test_notes_are_listed_at_each_level_of_access_and_each_read_audited(world):
    shared = add_note(world, world.social_worker, world.la, "Home visit went well.", "shared")
    restricted = add_note(world, world.social_worker, world.la, "Lead only.", "restricted")
    police_internal = add_note(world, world.officer, world.police, "Police only.", "internal")

    lead = api(world.social_worker).get(notes_url(world))
    assert lead.status_code == 200
    body = lead.json()
    assert set(body) >= {"next", "previous", "results"}
    assert {n["id"] for n in body["results"]} == {str(shared.pk), str(restricted.pk)}
    assert body["results"][0]["author"] == "social_worker@la"

    police = api(world.officer).get(notes_url(world)).json()["results"]
    assert {n["id"] for n in police} == {str(shared.pk), str(police_internal.pk)}

    school = api(world.teacher).get(notes_url(world)).json()["results"]
    assert [n["id"] for n in school] == [str(shared.pk)]

    (row,) = audit_rows("case_notes_listed", world.teacher)
    assert row.case_id == world.case.pk and row.detail["ids"] == [str(shared.pk)]
    assert len(audit_rows("case_notes_listed", world.officer)) == 1


def test_a_note_added_over_the_api_is_the_pages_note(world):
    response = api(world.officer).post(
        notes_url(world), {"text": "Called at the house.", "sensitivity": "shared"}, format="json"
    )
    assert response.status_code == 201, response.content
    note = CaseNote.objects.get(pk=response.json()["id"])
    # One agency to write for: chosen for them, as on the page.
    assert note.agency == world.police and note.author == world.officer
    row = AuditEvent.objects.get(event="case_note_added")
    assert row.case_id == world.case.pk and row.username == world.officer.username


def test_bad_notes_are_refused_with_the_error_body(world):
    client = api(world.teacher)
    assert_error(
        client.post(notes_url(world), {"sensitivity": "shared"}, format="json"), 400, "text"
    )
    assert_error(
        client.post(notes_url(world), {"text": "x", "sensitivity": "secret"}, format="json"),
        400,
        "sensitivity",
    )
    # Only the lead agency restricts a note (the page does not offer it either).
    assert_error(
        client.post(notes_url(world), {"text": "x", "sensitivity": "restricted"}, format="json"),
        400,
        "sensitivity",
    )
    # Not one of the writer's agencies on the case.
    assert_error(
        client.post(
            notes_url(world),
            {"text": "x", "sensitivity": "shared", "agency": "police"},
            format="json",
        ),
        400,
        "agency",
    )
    assert_error(client.post(notes_url(world), {"text": "   ", "sensitivity": "shared"}), 400)
    assert not CaseNote.objects.exists()


def test_notes_of_a_case_you_cannot_see_do_not_exist(world):
    for user in world.unrelated_users():
        client = api(user)
        assert_error(client.get(notes_url(world)), 404)
        assert_error(client.post(notes_url(world), {"text": "x", "sensitivity": "shared"}), 404)
    assert not AuditEvent.objects.filter(event="case_notes_listed").exists()


def test_an_ended_involvement_ends_the_notes(world):
    assert api(world.officer).get(notes_url(world)).status_code == 200
    end_police_involvement(world)
    client = api(world.officer)
    assert_error(client.get(notes_url(world)), 404)
    assert_error(client.post(notes_url(world), {"text": "x", "sensitivity": "shared"}), 404)


def test_notes_are_paginated_by_cursor(world):
    for i in range(30):
        add_note(world, world.social_worker, world.la, f"Note {i}", "shared")
    client = api(world.teacher)
    first = client.get(notes_url(world)).json()
    assert len(first["results"]) == 25 and first["next"]
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 5 and second["next"] is None
    seen = {n["id"] for n in first["results"]} | {n["id"] for n in second["results"]}
    assert len(seen) == 30
    assert_error(client.get(notes_url(world) + "?cursor=not-a-cursor"), 404)


# Documents ----------------------------------------------------------------------


def upload(client, world, content=PDF, name="minutes.pdf", **fields):
    data = {"title": "Minutes", "sensitivity": "shared"} | fields
    if content is not None:
        data["upload"] = SimpleUploadedFile(name, content)
    return client.post(documents_url(world), data, format="multipart")


def test_upload_list_and_download_over_the_api(world):
    response = upload(api(world.social_worker), world)
    assert response.status_code == 201, response.content
    created = response.json()
    document = CaseDocument.objects.get(pk=created["id"])
    assert created["sha256"] == hashlib.sha256(PDF).hexdigest() == document.sha256
    assert created["content_type"] == "application/pdf"
    assert not document.file.name.endswith("minutes.pdf")  # our name, not theirs
    assert AuditEvent.objects.filter(event="document_uploaded", case_id=world.case.pk).exists()

    teacher = api(world.teacher)
    listed = teacher.get(documents_url(world)).json()
    assert [d["id"] for d in listed["results"]] == [created["id"]]
    (row,) = audit_rows("case_documents_listed", world.teacher)
    assert row.case_id == world.case.pk and row.detail["ids"] == [created["id"]]

    download = teacher.get(created["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in download["Content-Disposition"]
    (row,) = audit_rows("document_downloaded", world.teacher)
    assert row.case_id == world.case.pk and row.detail["sha256"] == document.sha256


def test_uploads_get_the_pages_file_checks(world, settings):
    client = api(world.social_worker)
    body = assert_error(upload(client, world, b"MZ\x90\x00\x03 a program", "r.pdf"), 400, "upload")
    assert "PDF, PNG or JPEG" in body["errors"]["upload"][0]
    assert_error(upload(client, world, content=None), 400, "upload")
    assert_error(upload(client, world, b""), 400, "upload")
    assert_error(upload(client, world, title=""), 400, "title")
    settings.DOCUMENT_MAX_BYTES = 10
    assert_error(upload(client, world), 400, "upload")
    # JSON is not an upload.
    assert_error(client.post(documents_url(world), {"title": "x"}, format="json"), 415)
    assert not CaseDocument.objects.exists()


def test_documents_follow_sensitivity_and_access(world):
    internal = api(world.officer)
    doc = upload(internal, world, sensitivity="internal").json()
    # The school does not see the police's internal document, nor download it.
    assert api(world.teacher).get(documents_url(world)).json()["results"] == []
    assert_error(api(world.teacher).get(doc["download_url"]), 404)
    assert not audit_rows("document_downloaded", world.teacher)
    for user in world.unrelated_users():
        client = api(user)
        assert_error(client.get(documents_url(world)), 404)
        assert_error(client.get(doc["download_url"]), 404)
        assert_error(upload(client, world), 404)
    end_police_involvement(world)
    assert_error(internal.get(documents_url(world)), 404)
    assert_error(internal.get(doc["download_url"]), 404)
    assert_error(upload(internal, world), 404)
