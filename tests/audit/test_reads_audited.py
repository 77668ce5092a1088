"""Reads of case data that used to leave no trace now leave one, written by the
selector that reads (so every path that reads is covered), on the case where
there is one, so the read shows in its "who has viewed this record"."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse
from rest_framework.test import APIClient

from cases import selectors, services
from cases.models import CaseDocument
from cases.services.case import involvement_start
from safeguard.audit.models import AuditEvent
from tests.factories import World, open_case_from_concern, submit_concern

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    w = World()
    w.case = open_case_from_concern(w, submit_concern(w))
    involvement_start(
        acting_user=w.social_worker, case=w.case, agency=w.police, level="involved", reason="added"
    )
    return w


def rows(event: str):
    return list(AuditEvent.objects.filter(event=event).order_by("id"))


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_apis_case_actions_list_is_audited_on_the_case(world):
    services.action_add(
        acting_user=world.social_worker,
        case=world.case,
        description="Check school attendance daily",
        agency=world.school,
        owner=None,
        due_on=dt.date.today() + dt.timedelta(days=7),
    )
    response = api(world.teacher).get(f"/api/v1/cases/{world.case.pk}/actions/")
    assert response.status_code == 200 and len(response.json()["results"]) == 1
    (row,) = rows("case_actions_listed")
    assert (row.username, row.case_id, row.action) == (
        world.teacher.username,
        world.case.pk,
        "list",
    )
    assert row.detail["actions"] == [response.json()["results"][0]["id"]]
    # ...and it is in the case's "who has viewed this record".
    assert row in selectors.access_log_for(world.manager, world.case)
    # An outsider reads nothing, and leaves no row claiming they did.
    assert (
        api(world.other_social_worker).get(f"/api/v1/cases/{world.case.pk}/actions/").status_code
        == 404
    )
    assert len(rows("case_actions_listed")) == 1


def test_a_download_is_audited_by_the_selector_that_fetches_the_document(client, world):
    client.force_login(world.social_worker)
    client.post(
        reverse("case_document_upload", args=[world.case.pk]),
        {
            "title": "Police report",
            "sensitivity": "shared",
            "upload": SimpleUploadedFile("report.pdf", PDF),
        },
    )
    document = CaseDocument.objects.get()
    # Whoever asks the selector for the file leaves the row, not only the page.
    selectors.get_document_for(world.officer, world.case.pk, document.pk)
    (row,) = rows("document_downloaded")
    assert (row.username, row.case_id, row.action, row.object_id) == (
        world.officer.username,
        world.case.pk,
        "download",
        str(document.pk),
    )
    client.force_login(world.teacher)
    response = client.get(reverse("case_document_download", args=[world.case.pk, document.pk]))
    assert response.status_code == 200
    assert [r.username for r in rows("document_downloaded")] == [
        world.officer.username,
        world.teacher.username,  # exactly one row for the page's download
    ]
    # A refused download writes nothing.
    with pytest.raises(Http404):
        selectors.get_document_for(world.other_social_worker, world.case.pk, document.pk)
    assert len(rows("document_downloaded")) == 2


def test_the_home_pages_allocated_cases_list_is_audited(client, world):
    services.case_allocate(acting_user=world.manager, case=world.case, worker=world.social_worker)
    client.force_login(world.social_worker)
    page = client.get(reverse("home")).content.decode()
    assert world.case.reference in page
    (row,) = rows("my_work_listed")
    assert (row.username, row.action) == (world.social_worker.username, "list")
    assert row.detail["references"] == [world.case.reference]
    # Nothing allocated, nothing listed: no row pretending a read.
    client.force_login(world.manager)
    client.get(reverse("home"))
    assert len(rows("my_work_listed")) == 1


def test_reading_the_child_shows_in_who_has_viewed_the_case(client, world):
    client.force_login(world.teacher)
    assert client.get(f"/api/v1/children/{world.case.child_id}/").status_code == 200
    row = AuditEvent.objects.filter(event="child_viewed").latest("id")
    assert (row.username, row.case_id, row.action) == (
        world.teacher.username,
        world.case.pk,
        "view",
    )
    client.force_login(world.manager)
    response = client.get(reverse("case_access_log", args=[world.case.pk]))
    assert any(
        r.event == "child_viewed" and r.username == world.teacher.username
        for r in response.context["page"]
    )
