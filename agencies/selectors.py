"""Reads about agencies and people's memberships, always for an acting user."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from agencies.models import Agency, Membership


def active_memberships(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Membership]:
    if not user.is_authenticated or not user.is_active:
        return Membership.objects.none()
    return Membership.objects.filter(user=user, is_active=True, agency__is_active=True)


def agency_slugs_for(user: AbstractBaseUser | AnonymousUser) -> list[str]:
    return sorted(set(active_memberships(user).values_list("agency__slug", flat=True)))


def agencies_where(
    user: AbstractBaseUser | AnonymousUser, roles: Iterable[str], kind: str | None = None
) -> QuerySet[Agency]:
    """The agencies in which ``user`` holds one of ``roles``."""
    qs = Agency.objects.filter(
        memberships__in=active_memberships(user).filter(role__in=list(roles))
    )
    if kind:
        qs = qs.filter(kind=kind)
    return qs.distinct()


def has_role(
    user: AbstractBaseUser | AnonymousUser, roles: Iterable[str], agency: Agency | None = None
) -> bool:
    qs = active_memberships(user).filter(role__in=list(roles))
    if agency is not None:
        qs = qs.filter(agency=agency)
    return qs.exists()


def roles_for(user: AbstractBaseUser | AnonymousUser) -> set[str]:
    return set(active_memberships(user).values_list("role", flat=True))


def lead_agencies() -> QuerySet[Agency]:
    return Agency.objects.filter(kind=Agency.Kind.SOCIAL_CARE, is_active=True)


def members_with_roles(agency: Agency, roles: Iterable[str]) -> QuerySet:
    """Active people holding one of ``roles`` in ``agency``: whom to notify or offer."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__agency=agency,
            memberships__role__in=list(roles),
            memberships__is_active=True,
        )
        .distinct()
    )
