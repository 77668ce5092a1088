"""Destroying a record at the end of its retention: the personal data is gone
from every table and file, the certificate stays, and the audit chain still
verifies (SPEC 3.9, issue 13)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from cases.models import BodyMapMark, Case, CaseDocument, Child
from retention.models import DestructionCertificate, RetentionReview
from retention.services import retention_refresh
from safeguard.audit.models import AuditEvent
from safeguard.audit.services import audit_record, audit_seal
from safeguard.audit.verification import verify_chain
from summaries.models import CaseSummary
from tests.retention.conftest import add_cp_plan, close_case, years_ago

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="searches PostgreSQL's catalogue"),
]

NHS_NUMBER = "9434765919"


def _text_columns() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = 'public' AND data_type IN"
            " ('text', 'character varying', 'jsonb', 'json', 'character')"
        )
        return list(cursor.fetchall())


def _tables_holding(*needles: str) -> list[str]:
    """Every (table, column) of the database whose text holds any needle."""
    found = []
    with connection.cursor() as cursor:
        for table, column in _text_columns():
            for needle in needles:
                cursor.execute(
                    f'SELECT count(*) FROM "{table}" WHERE "{column}"::text ILIKE %s',  # noqa: S608 - names from the catalogue
                    [f"%{needle}%"],
                )
                if cursor.fetchone()[0]:
                    found.append(f"{table}.{column} holds {needle!r}")
    return found


def _files_holding(root: Path, *needles: bytes) -> list[str]:
    return [
        str(path)
        for path in root.rglob("*")
        if path.is_file() and any(needle in path.read_bytes() for needle in needles)
    ]


@pytest.fixture
def old_cp_record(settings, tmp_path, world):
    """A child protection record with a note, a document, a PDF summary, a
    body map, a referral, a conference with a report and an NHS number, the
    case closed 36 years ago."""
    from cases.services.record import case_note_add, document_upload
    from meetings.models import AgencyReport, Meeting, MeetingCase
    from referrals.services import referral_send
    from tests.factories import open_case_from_concern, submit_concern

    settings.MEDIA_ROOT = str(tmp_path / "media")
    concern = submit_concern(
        world,
        child_first_name="Wilhelmina",
        child_last_name="Quarrington",
        child_nhs_number=NHS_NUMBER,
    )
    case = open_case_from_concern(world, concern)
    child = case.child
    name = child.full_name
    Child.objects.filter(pk=child.pk).update(nhs_number=NHS_NUMBER)
    add_cp_plan(case, dt.date(1988, 1, 1))
    case_note_add(
        acting_user=world.social_worker,
        case=case,
        agency=world.la,
        text=f"Home visit: {name} was quiet.",
        sensitivity="shared",
    )
    document_upload(
        acting_user=world.social_worker,
        case=case,
        agency=world.la,
        title=f"Letter about {name}",
        upload=SimpleUploadedFile(
            "letter.pdf", f"%PDF-1.4\n{name} NHS {NHS_NUMBER}\n%%EOF\n".encode()
        ),
        sensitivity="shared",
    )
    summary = CaseSummary.objects.create(case=case, requested_by=world.manager, status="ready")
    summary.file.save("summary.pdf", ContentFile(f"%PDF {name}".encode()))
    BodyMapMark.objects.create(
        concern=concern, side="front", region="left_arm", description=f"{name}'s bruise"
    )
    referral_send(
        acting_user=world.social_worker,
        case=case,
        from_agency=world.la,
        to_agency=world.police,
        reason=f"{name} missing overnight",
        request="Joint visit",
        urgency="routine",
        sharing_basis="no_consent_harm",
        sharing_reason="The child is at risk of significant harm.",
    )
    meeting = Meeting.objects.create(
        reference="MTG-1988-000001",
        kind=Meeting.Kind.ICPC,
        lead_agency=world.la,
        chair=world.chair,
        scheduled_at=years_ago(37),
        purpose=f"Initial conference for {name}",
    )
    MeetingCase.objects.create(meeting=meeting, case=case, decision_notes=f"{name}: plan")
    AgencyReport.objects.create(
        meeting=meeting,
        agency=world.police,
        text=f"Police report on {name}",
        submitted_at=years_ago(37),
    )
    # The child's name in an audit payload, as a view of the child leaves it.
    audit_record(
        user=world.manager,
        action="view",
        event="child_viewed",
        obj=child,
        case_id=case.pk,
        detail={"name_searched": name},
    )
    close_case(case, closed_at=years_ago(36))
    retention_refresh()
    return child, case


def test_destruction_removes_the_personal_data_everywhere_and_the_chain_verifies(
    client, settings, world, old_cp_record
):
    child, case = old_cp_record
    name = child.full_name
    media = Path(settings.MEDIA_ROOT)
    assert _tables_holding(name, NHS_NUMBER), "the test must start with the data in place"
    assert _files_holding(media, name.encode())
    document_files = list(CaseDocument.objects.filter(case=case).values_list("file", flat=True))
    audit_seal(force_checkpoint=True)

    review = RetentionReview.objects.get(child=child)
    auditor = world.auditor
    client.force_login(auditor)
    page = client.get(reverse("retention_review", args=[review.pk])).content.decode()
    assert name in page and "Child protection record" in page
    destroy = reverse("retention_destroy", args=[review.pk])
    response = client.post(destroy, {})
    assert response.status_code == 400
    assert "Confirm that the record must be destroyed" in response.content.decode()
    assert Child.objects.filter(pk=child.pk).exists()

    with django_capture_on_commit(client, destroy) as response:
        pass
    certificate = DestructionCertificate.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("retention_certificate", args=[certificate.pk])

    # Gone from every table and every file.
    assert _tables_holding(name, NHS_NUMBER) == []
    assert _files_holding(media, name.encode(), NHS_NUMBER.encode()) == []
    for stored in document_files:
        assert not (media / stored).exists()
    assert not Child.objects.filter(pk=child.pk).exists()
    assert not Case.objects.filter(pk=case.pk).exists()

    # The certificate says what, which rule, who and when, without personal data.
    assert certificate.rule == "child_protection"
    assert certificate.record_reference == child.reference
    assert certificate.confirmed_by == auditor
    assert certificate.counts["case"] == 1 and certificate.counts["child"] == 1
    assert certificate.counts["casedocument"] == 1 and certificate.counts["bodymapmark"] == 1
    assert certificate.counts["referral"] == 1 and certificate.counts["meeting"] >= 1
    assert certificate.files_deleted == 2
    assert certificate.audit_rows_redacted > 0
    shown = client.get(response["Location"]).content.decode()
    assert certificate.reference in shown and name not in shown

    # The audit trail stays: who did what, when; the chain still verifies.
    assert AuditEvent.objects.filter(case_id=case.pk).exists()
    assert not AuditEvent.objects.filter(case_id=case.pk, redacted_at__isnull=True).exists()
    destroyed = AuditEvent.objects.get(event="record_destroyed")
    assert destroyed.user == auditor and destroyed.redacted_at is None
    audit_seal(force_checkpoint=True)
    assert verify_chain().ok, verify_chain().problem
    call_command("verify_audit")

    # It cannot be undone, or done twice.
    assert client.post(destroy, {"confirm": "on"}).status_code == 404


class django_capture_on_commit:  # noqa: N801 - reads as the context manager it is
    """POST the destruction and run its on-commit work (the file deletions),
    as a committed request would."""

    def __init__(self, client, url):
        self.client, self.url = client, url

    def __enter__(self):
        from django.test import TestCase

        with TestCase.captureOnCommitCallbacks(execute=True):
            self.response = self.client.post(self.url, {"confirm": "on"})
        return self.response

    def __exit__(self, *exc):
        return False


def test_a_rolled_back_destruction_keeps_every_file(settings, world, old_cp_record, monkeypatch):
    child, case = old_cp_record
    from retention import destruction, services

    files = [
        Path(settings.MEDIA_ROOT) / name
        for name in CaseDocument.objects.filter(case=case).values_list("file", flat=True)
    ]

    def fail(_destroyed):
        raise RuntimeError("database went away")

    monkeypatch.setattr(destruction, "redact_audit", fail)
    auditor = world.auditor
    with pytest.raises(RuntimeError):
        services.retention_destroy(
            acting_user=auditor, review=RetentionReview.objects.get(child=child)
        )
    assert Child.objects.filter(pk=child.pk).exists()
    assert all(path.exists() for path in files)
    assert RetentionReview.objects.filter(child=child).exists()
