"""Documents on a case: what may be uploaded, who may read what.

The type is sniffed from the file's first bytes, never trusted from its name or
the browser; files live in Django's storage (object storage in production) and
leave it only through a permission-checked download that is audited with the
file's SHA-256.
"""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

import puremagic
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet

from agencies.models import Agency
from cases import selectors
from cases.models import Case, CaseDocument, CaseNote
from cases.notes import note_agencies_for, readable_by
from safeguard.audit.services import audit_record

ALLOWED_TYPES = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
}


def sniff_type(head: bytes) -> str:
    try:
        return puremagic.from_string(head, mime=True) or ""
    except puremagic.PureError:
        return ""


def documents_for(user: AbstractBaseUser, case: Case, *, lead: bool) -> QuerySet[CaseDocument]:
    return case.documents.filter(readable_by(user, lead=lead)).select_related(
        "agency", "uploaded_by"
    )


def get_document_for(user: AbstractBaseUser, case_id, document_id) -> CaseDocument:
    from django.http import Http404

    case = selectors.get_case_for(user, case_id, audit=False)
    lead = selectors.has_lead_access(user, case)
    document = documents_for(user, case, lead=lead).filter(pk=document_id).first()
    if document is None:
        raise Http404("No such document")
    return document


@transaction.atomic
def document_upload(
    *,
    acting_user: AbstractBaseUser,
    case: Case,
    agency: Agency,
    title: str,
    upload: UploadedFile,
    sensitivity: str,
) -> CaseDocument:
    if not note_agencies_for(acting_user, case).filter(pk=agency.pk).exists():
        raise PermissionDenied("You can upload only for an agency involved in this case.")
    if sensitivity == CaseNote.Sensitivity.RESTRICTED and agency.pk != case.lead_agency_id:
        raise ValidationError({"sensitivity": "Only the lead agency can restrict a document"})
    if upload.size > settings.DOCUMENT_MAX_BYTES:
        limit = settings.DOCUMENT_MAX_BYTES // (1024 * 1024)
        raise ValidationError({"upload": f"The file must be smaller than {limit} MB"})
    content = upload.read()
    kind = sniff_type(content[:4096])
    if kind not in ALLOWED_TYPES:
        raise ValidationError({"upload": "The file must be a PDF, PNG or JPEG"})
    document = CaseDocument(
        case=case,
        agency=agency,
        uploaded_by=acting_user,
        title=title.strip() or Path(upload.name or "document").stem[:200],
        content_type=kind,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        sensitivity=sensitivity,
    )
    # The stored name is ours, never the uploader's.
    document.file.save(f"{uuid.uuid4()}{ALLOWED_TYPES[kind]}", ContentFile(content), save=False)
    document.save()
    audit_record(
        user=acting_user,
        action="create",
        event="document_uploaded",
        obj=document,
        case_id=case.pk,
        detail={"sha256": document.sha256, "sensitivity": sensitivity, "agency": agency.slug},
    )
    return document


def document_downloaded(*, user: AbstractBaseUser, document: CaseDocument) -> None:
    audit_record(
        user=user,
        action="download",
        event="document_downloaded",
        obj=document,
        case_id=document.case_id,
        detail={"sha256": document.sha256},
    )
