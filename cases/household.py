"""The child's household and significant people, and siblings as linked cases."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from cases import selectors
from cases.models import Case, HouseholdMember
from safeguard.audit.services import audit_record


def household_for(case: Case):
    """The case's child's household; ``case`` came from a selector."""
    return case.child.household.select_related("sibling")


def linked_sibling_cases(user: AbstractBaseUser, case: Case):
    """Open cases of siblings on record that this user may see."""
    siblings = case.child.household.filter(sibling__isnull=False).values("sibling_id")
    return (
        selectors.cases_for(user)
        .filter(child_id__in=siblings, status=Case.Status.OPEN)
        .select_related("child")
    )


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
    if not selectors.has_lead_access(acting_user, case):
        raise PermissionDenied("The lead agency records the household.")
    sibling = None
    if sibling_reference.strip():
        if relationship != HouseholdMember.Relationship.SIBLING:
            raise ValidationError({"sibling_reference": "Only a sibling can be linked"})
        sibling = (
            selectors.children_at_front_door(acting_user, case.lead_agency)
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
