"""Case notes and who may read them.

Every agency on a case may add notes. A note is shared with every agency on
the case, internal to the author's agency, or (lead agency only) restricted to
the lead agency. Involved agencies never see the lead agency's restricted
notes nor other agencies' internal notes.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet

from agencies.models import Agency
from agencies.roles import CASE_WORKING_ROLES
from agencies.selectors import agencies_where
from cases import selectors
from cases.models import Case, CaseNote
from safeguard.audit.services import audit_record


def note_agencies_for(user: AbstractBaseUser, case: Case) -> QuerySet[Agency]:
    """The user's agencies that take part in the case, in whose name they may write."""
    return (
        agencies_where(user, roles=CASE_WORKING_ROLES)
        .filter(involvements__case=case, involvements__ended_at__isnull=True)
        .distinct()
    )


def readable_by(user: AbstractBaseUser, *, lead: bool) -> Q:
    """Which notes and documents (by their sensitivity) the user may read."""
    mine = agencies_where(user, roles=CASE_WORKING_ROLES).values("pk")
    visible = Q(sensitivity=CaseNote.Sensitivity.SHARED) | Q(
        sensitivity=CaseNote.Sensitivity.INTERNAL, agency__in=mine
    )
    if lead:
        visible |= Q(sensitivity=CaseNote.Sensitivity.RESTRICTED)
    return visible


def notes_for(user: AbstractBaseUser, case: Case, *, lead: bool) -> QuerySet[CaseNote]:
    """The case's notes the user may read; ``case`` already came from a selector."""
    return case.notes.filter(readable_by(user, lead=lead)).select_related("agency", "author")


@transaction.atomic
def case_note_add(
    *, acting_user: AbstractBaseUser, case: Case, agency: Agency, text: str, sensitivity: str
) -> CaseNote:
    if not selectors.cases_for(acting_user).filter(pk=case.pk).exists():
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
