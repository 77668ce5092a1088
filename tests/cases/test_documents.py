"""Documents: type sniffed from content, size-limited, read only through an
audited, permission-checked download."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

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


def upload(client, case, name, content, sensitivity="shared", agency=None, title="Report"):
    data = {"title": title, "sensitivity": sensitivity, "upload": SimpleUploadedFile(name, content)}
    if agency is not None:
        data["agency"] = agency.pk
    return client.post(reverse("case_document_upload", args=[case.pk]), data)


def test_upload_and_download_is_audited_with_the_hash(client, world):
    client.force_login(world.social_worker)
    assert upload(client, world.case, "minutes.pdf", PDF).status_code == 302
    document = CaseDocument.objects.get()
    assert document.content_type == "application/pdf" and document.size == len(PDF)
    assert not document.file.name.endswith("minutes.pdf")  # our name, not theirs
    client.force_login(world.teacher)
    response = client.get(reverse("case_document_download", args=[world.case.pk, document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    row = AuditEvent.objects.get(event="document_downloaded")
    assert row.username == world.teacher.username
    assert row.detail["sha256"] == hashlib.sha256(PDF).hexdigest()


def test_the_type_is_sniffed_not_trusted_from_the_name(client, world):
    client.force_login(world.social_worker)
    response = upload(client, world.case, "report.pdf", b"MZ\x90\x00\x03 this is a program")
    assert response.status_code == 400
    assert "must be a PDF, PNG or JPEG" in response.content.decode()
    assert not CaseDocument.objects.exists()


def test_oversize_files_are_refused(client, world, settings):
    settings.DOCUMENT_MAX_BYTES = 100
    client.force_login(world.social_worker)
    response = upload(client, world.case, "big.pdf", PDF + b"x" * 200)
    assert response.status_code == 400
    assert "smaller than" in response.content.decode()


def test_unshared_documents_are_invisible_at_the_involved_level(client, world):
    client.force_login(world.social_worker)
    upload(client, world.case, "legal.pdf", PDF, sensitivity="restricted", title="Legal advice")
    client.force_login(world.officer)
    upload(client, world.case, "intel.pdf", PDF, sensitivity="internal", title="Police intel")
    legal = CaseDocument.objects.get(title="Legal advice")
    intel = CaseDocument.objects.get(title="Police intel")

    client.force_login(world.teacher)
    page = client.get(reverse("case_detail", args=[world.case.pk])).content.decode()
    assert "Legal advice" not in page and "Police intel" not in page
    for document in (legal, intel):
        url = reverse("case_document_download", args=[world.case.pk, document.pk])
        assert client.get(url).status_code == 404
    client.force_login(world.social_worker)
    assert (
        client.get(reverse("case_document_download", args=[world.case.pk, legal.pk])).status_code
        == 200
    )
    assert (
        client.get(reverse("case_document_download", args=[world.case.pk, intel.pk])).status_code
        == 404
    )
    client.force_login(world.other_social_worker)
    assert (
        client.get(reverse("case_document_download", args=[world.case.pk, legal.pk])).status_code
        == 404
    )
