"""Named professionals on a case: who, in which agency, and how to reach them.

The lead agency keeps the list (SPEC 3.3); every agency on the case sees it,
as part of "involved agencies and contacts" (SPEC 2).
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from agencies.models import Agency
from agencies.roles import CASE_WORKING_ROLES, LEAD_AGENCY_ROLES
from agencies.selectors import agencies_where
from cases import selectors
from cases.actions import action_agencies
from cases.models import Case, CaseProfessional
from cases.services import members_with_roles
from safeguard.audit.services import audit_record


def can_manage_professionals(user: AbstractBaseUser, case: Case) -> bool:
    """The lead agency's social workers and managers, as for involvements."""
    return agencies_where(user, roles=LEAD_AGENCY_ROLES).filter(
        pk=case.lead_agency_id
    ).exists() and selectors.has_lead_access(user, case)


def professionals_for(case: Case) -> QuerySet[CaseProfessional]:
    """Current professionals. Callers have resolved the case through a selector:
    anyone who sees the case sees its contacts."""
    return case.professionals.filter(ended_at__isnull=True).select_related("agency", "user")


def linkable_people(case: Case):
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__agency__in=action_agencies(case),
            memberships__is_active=True,
            memberships__role__in=list(CASE_WORKING_ROLES),
        )
        .distinct()
        .order_by("username")
    )


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
