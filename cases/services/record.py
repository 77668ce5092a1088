"""Writes to the case record: notes, documents, professionals, actions, household."""

from __future__ import annotations

import datetime as dt
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
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency
from agencies.roles import CASE_WORKING_ROLES
from agencies.selectors import agencies_where, members_with_roles
from cases.concurrency import StaleChange, person
from cases.models import (
    Case,
    CaseAction,
    CaseDocument,
    CaseNote,
    CaseProfessional,
    ChronologyEntry,
    HouseholdMember,
)
from cases.selectors.cases import cases_for, has_lead_access
from cases.selectors.children import children_at_front_door
from cases.selectors.policy import can_manage_professionals
from cases.selectors.record import action_agencies, note_agencies_for
from safeguard.audit.services import audit_record
from safeguard.notifications.services import notify


@transaction.atomic
def case_note_add(
    *, acting_user: AbstractBaseUser, case: Case, agency: Agency, text: str, sensitivity: str
) -> CaseNote:
    if not cases_for(acting_user).filter(pk=case.pk).exists():
        raise PermissionDenied("You cannot add notes to this case.")
    if not note_agencies_for(acting_user, case).filter(pk=agency.pk).exists():
        raise PermissionDenied("You can write only for an agency involved in this case.")
    if sensitivity == CaseNote.Sensitivity.RESTRICTED and agency.pk != case.lead_agency_id:
        raise ValidationError({"sensitivity": "Only the lead agency can restrict a note"})
    if not text.strip():
        raise ValidationError({"text": "Enter the note"})
    note = CaseNote.objects.create(
        case=case, agency=agency, author=acting_user, text=text, sensitivity=sensitivity
    )
    audit_record(
        user=acting_user,
        action="create",
        event="case_note_added",
        obj=note,
        case_id=case.pk,
        detail={"sensitivity": sensitivity, "agency": agency.slug},
    )
    return note


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


@transaction.atomic
def professional_add(
    *,
    acting_user: AbstractBaseUser,
    case: Case,
    name: str,
    role: str,
    agency: Agency,
    phone: str = "",
    email: str = "",
    user: AbstractBaseUser | None = None,
) -> CaseProfessional:
    if not can_manage_professionals(acting_user, case):
        raise PermissionDenied("The lead agency records the professionals on a case.")
    if not name.strip():
        raise ValidationError({"name": "Enter the professional's name"})
    if not role.strip():
        raise ValidationError({"role": "Enter their role or job title"})
    if not action_agencies(case).filter(pk=agency.pk).exists():
        raise ValidationError({"agency": "Choose an agency involved in the case"})
    if user is not None and not (
        members_with_roles(agency, CASE_WORKING_ROLES).filter(pk=user.pk).exists()
    ):
        raise ValidationError({"user": "That account does not work for the agency chosen"})
    professional = CaseProfessional.objects.create(
        case=case,
        name=name.strip(),
        role=role.strip(),
        agency=agency,
        phone=phone.strip(),
        email=email.strip(),
        user=user,
        added_by=acting_user,
        added_at=timezone.now(),
    )
    audit_record(
        user=acting_user,
        action="create",
        event="professional_added",
        obj=professional,
        case_id=case.pk,
        detail={"agency": agency.slug, "role": professional.role},
    )
    return professional


@transaction.atomic
def professional_end(
    *, acting_user: AbstractBaseUser, professional: CaseProfessional
) -> CaseProfessional:
    """They no longer work with the child; the row is kept for the record."""
    if not can_manage_professionals(acting_user, professional.case):
        raise PermissionDenied("The lead agency records the professionals on a case.")
    updated = CaseProfessional.objects.filter(pk=professional.pk, ended_at__isnull=True).update(
        ended_at=timezone.now(), ended_by=acting_user
    )
    if not updated:
        raise ValidationError("This professional has already been taken off the case.")
    professional.refresh_from_db()
    audit_record(
        user=acting_user,
        action="update",
        event="professional_ended",
        obj=professional,
        case_id=professional.case_id,
        detail={"agency": professional.agency.slug},
    )
    return professional


@transaction.atomic
def action_add(
    *,
    acting_user: AbstractBaseUser,
    case: Case,
    description: str,
    agency: Agency,
    owner: AbstractBaseUser | None,
    due_on: dt.date,
    meeting=None,
) -> CaseAction:
    """``meeting``: the meeting that agreed it (the chair adds actions as the lead agency)."""
    if not has_lead_access(acting_user, case):
        raise PermissionDenied("The lead agency sets actions.")
    if not action_agencies(case).filter(pk=agency.pk).exists():
        raise ValidationError({"agency": "Choose an agency involved in the case"})
    if (
        owner is not None
        and not members_with_roles(agency, CASE_WORKING_ROLES).filter(pk=owner.pk).exists()
    ):
        raise ValidationError({"owner": "The owner must work for that agency"})
    if due_on < timezone.localdate():
        raise ValidationError({"due_on": "The due date must be today or later"})
    action = CaseAction.objects.create(
        case=case,
        description=description.strip(),
        agency=agency,
        owner=owner,
        due_on=due_on,
        created_by=acting_user,
        meeting=meeting,
    )
    audit_record(
        user=acting_user,
        action="create",
        event="action_added",
        obj=action,
        case_id=case.pk,
        detail={"agency": agency.slug, "due_on": due_on.isoformat()},
    )
    recipients = [owner] if owner else members_with_roles(agency, CASE_WORKING_ROLES)
    notify(
        recipients=recipients,
        kind="action_assigned",
        dedupe_key=f"action:{action.pk}:assigned",
        title=f"New action on case {case.reference}, due {due_on:%d %B %Y}",
        reference=case.reference,
        link_path=reverse("case_detail", args=[case.pk]),
    )
    return action


@transaction.atomic
def action_complete(
    *, acting_user: AbstractBaseUser, action: CaseAction, expected_version: int | None = None
) -> CaseAction:
    """Mark an open action done. ``expected_version`` is the version the person
    saw: if the action changed since, ``StaleChange`` says how and who."""
    lead = has_lead_access(acting_user, action.case)
    own = agencies_where(acting_user, roles=CASE_WORKING_ROLES).filter(pk=action.agency_id)
    if not (lead or own.exists()):
        raise PermissionDenied("Only the agency it is assigned to, or the lead agency.")
    still = CaseAction.objects.filter(pk=action.pk, status=CaseAction.Status.OPEN)
    if expected_version is not None:
        still = still.filter(version=expected_version)
    updated = still.update(
        status=CaseAction.Status.DONE,
        completed_at=timezone.now(),
        completed_by=acting_user,
        version=F("version") + 1,
    )
    if not updated:
        current = CaseAction.objects.select_related("completed_by").get(pk=action.pk)
        if current.status == CaseAction.Status.OPEN:
            raise StaleChange(
                current=current,
                message="Someone else changed this action since you opened the page; "
                "it is still open. Check it, then mark it done again.",
            )
        when = (
            f" on {timezone.localtime(current.completed_at):%-d %B %Y at %H:%M}"
            if (current.completed_at)
            else ""
        )
        raise StaleChange(
            current=current,
            message=f"{person(current.completed_by)} already marked this action "
            f"{current.get_status_display().lower()}{when}. Nothing was changed.",
        )
    action.refresh_from_db()
    ChronologyEntry.objects.create(
        case=action.case,
        occurred_at=action.completed_at,
        agency=action.agency,
        kind=ChronologyEntry.Kind.NOTE,
        title=f"Action done: {action.description[:150]}",
        created_by=acting_user,
    )
    audit_record(
        user=acting_user,
        action="transition",
        event="action_completed",
        obj=action,
        case_id=action.case_id,
    )
    return action


@transaction.atomic
def household_member_add(
    *,
    acting_user: AbstractBaseUser,
    case: Case,
    name: str,
    relationship: str,
    lives_with_child: bool,
    has_parental_responsibility: bool,
    flags: list[str],
    sibling_reference: str = "",
) -> HouseholdMember:
    if not has_lead_access(acting_user, case):
        raise PermissionDenied("The lead agency records the household.")
    sibling = None
    if sibling_reference.strip():
        if relationship != HouseholdMember.Relationship.SIBLING:
            raise ValidationError({"sibling_reference": "Only a sibling can be linked"})
        sibling = (
            children_at_front_door(acting_user, case.lead_agency)
            .filter(reference__iexact=sibling_reference.strip())
            .exclude(pk=case.child_id)
            .first()
        )
        if sibling is None:
            raise ValidationError({"sibling_reference": "No child with that reference"})
        name = name.strip() or sibling.full_name
    if not name.strip():
        raise ValidationError({"name": "Enter the person's name"})
    member = HouseholdMember.objects.create(
        child=case.child,
        name=name.strip(),
        relationship=relationship,
        lives_with_child=lives_with_child,
        has_parental_responsibility=has_parental_responsibility,
        flags=flags,
        sibling=sibling,
    )
    if sibling is not None and not sibling.household.filter(sibling=case.child).exists():
        # Siblings are each other's: the link shows from both records.
        HouseholdMember.objects.create(
            child=sibling,
            name=case.child.full_name,
            relationship=HouseholdMember.Relationship.SIBLING,
            lives_with_child=lives_with_child,
            sibling=case.child,
        )
    audit_record(
        user=acting_user,
        action="create",
        event="household_member_added",
        obj=case,
        case_id=case.pk,
        detail={"relationship": relationship, "flags": flags, "sibling": bool(sibling)},
    )
    return member
