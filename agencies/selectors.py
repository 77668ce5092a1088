"""Reads about agencies and people's memberships, always for an acting user."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from agencies.models import Agency, Membership
from safeguard.audit.context import request_memo


def active_memberships(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Membership]:
    if not user.is_authenticated or not user.is_active:
        return Membership.objects.none()
    return Membership.objects.filter(user=user, is_active=True, agency__is_active=True)


def _membership_rows(user: AbstractBaseUser | AnonymousUser) -> list[tuple[str, str]]:
    """(role, agency slug) of the user's active memberships, read once per
    request: the page, the navigation and each audit row all ask."""
    memo = request_memo()
    key = ("memberships", getattr(user, "pk", None))
    if memo is not None and key in memo:
        return memo[key]
    rows = list(active_memberships(user).values_list("role", "agency__slug"))
    if memo is not None:
        memo[key] = rows
    return rows


def forget_memberships(user_id: int) -> None:
    """After a change to a person's memberships, read them afresh (a signal on
    every membership save calls this)."""
    memo = request_memo()
    if memo is not None:
        memo.pop(("memberships", user_id), None)


def agency_slugs_for(user: AbstractBaseUser | AnonymousUser) -> list[str]:
    return sorted({slug for _, slug in _membership_rows(user)})


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
    return {role for role, _ in _membership_rows(user)}


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
