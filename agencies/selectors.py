"""Reads about agencies and people's memberships, always for an acting user."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import Http404

from agencies.models import Agency, Membership, Team
from agencies.roles import Role
from safeguard.audit.context import request_memo


def active_memberships(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Membership]:
    if not user.is_authenticated or not user.is_active:
        return Membership.objects.none()
    return Membership.objects.filter(user=user, is_active=True, agency__is_active=True)


def _membership_rows(user: AbstractBaseUser | AnonymousUser) -> list[tuple[str, str, str]]:
    """(role, agency slug, agency kind) of the user's active memberships, read
    once per request: the page, the navigation and each audit row all ask."""
    memo = request_memo()
    key = ("memberships", getattr(user, "pk", None))
    _take_preloaded(user, memo)
    if memo is not None and key in memo:
        return memo[key]
    rows = list(active_memberships(user).values_list("role", "agency__slug", "agency__kind"))
    if memo is not None:
        memo[key] = rows
    return rows


def _take_preloaded(user: AbstractBaseUser | AnonymousUser, memo: dict | None) -> None:
    """Put the memberships the sign-in backend read with the user this
    request (agencies.signed_in) into the memo, in both forms, and drop them
    from the user: handed over once, so that a change later in the request,
    which clears the memo, is read afresh rather than from this copy."""
    preloaded = getattr(user, "preloaded_memberships", None)
    if preloaded is None or memo is None:
        return
    del user.preloaded_memberships
    if not user.is_active:
        return
    held: dict = {}
    for role, _, _, agency_id in preloaded:
        held.setdefault(agency_id, set()).add(role)
    memo[("roles_by_agency", user.pk)] = held
    memo[("memberships", user.pk)] = [(role, slug, kind) for role, slug, kind, _ in preloaded]


def forget_memberships(user_id: int) -> None:
    """After a change to a person's memberships, read them afresh (a signal on
    every membership save calls this)."""
    memo = request_memo()
    if memo is not None:
        memo.pop(("memberships", user_id), None)
        memo.pop(("roles_by_agency", user_id), None)


def holds_role_in(user: AbstractBaseUser | AnonymousUser, roles: Iterable[str], agency_id) -> bool:
    """Whether ``user`` holds one of ``roles`` in the agency ``agency_id``
    (active membership of an active agency). The case page asks this of the
    lead agency half a dozen times (may they allocate, restrict, add a
    professional...): one query per request answers them all."""
    return bool(_roles_by_agency(user).get(agency_id, set()) & set(roles))


def agency_ids_where(user: AbstractBaseUser | AnonymousUser, roles: Iterable[str]) -> set[int]:
    """The ids of ``agencies_where(user, roles)``, from the memberships read
    once per request (with the person, at sign-in): a list's page asks which
    of its rows' agencies the person works in, and need not ask the database."""
    wanted = set(roles)
    return {pk for pk, held in _roles_by_agency(user).items() if held & wanted}


def _roles_by_agency(user: AbstractBaseUser | AnonymousUser) -> dict[int, set[str]]:
    """{agency id: the roles held in it} over the user's active memberships
    of active agencies, read once per request."""
    memo = request_memo()
    key = ("roles_by_agency", getattr(user, "pk", None))
    _take_preloaded(user, memo)
    if memo is not None and key in memo:
        return memo[key]
    held: dict = {}
    for role, pk in active_memberships(user).values_list("role", "agency_id"):
        held.setdefault(pk, set()).add(role)
    if memo is not None:
        memo[key] = held
    return held


def agency_slugs_for(user: AbstractBaseUser | AnonymousUser) -> list[str]:
    return sorted({slug for _, slug, _ in _membership_rows(user)})


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


def roles_for(user: AbstractBaseUser | AnonymousUser, kind: str | None = None) -> set[str]:
    """The roles the user holds (in agencies of ``kind``, when given), from the
    memberships read once per request."""
    return {role for role, _, of in _membership_rows(user) if kind is None or of == kind}


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


# Agency administration: the members and teams pages and the API ask here, so
# they cannot disagree about who administers what.


def administered_agencies(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Agency]:
    """The active agencies ``user`` administers."""
    return agencies_where(user, roles=[Role.AGENCY_ADMIN]).filter(is_active=True)


def agency_for_admin(user: AbstractBaseUser | AnonymousUser, slug: str) -> Agency:
    """The agency, for one of its administrators; for anyone else it does not exist."""
    agency = administered_agencies(user).filter(slug=slug).first()
    if agency is None:
        raise Http404("No such agency")
    return agency


def memberships_of(agency: Agency) -> QuerySet[Membership]:
    """Every membership of ``agency`` (an administrator's view), current ones first."""
    return (
        Membership.objects.filter(agency=agency)
        .select_related("user")
        .annotate(
            inactive_first=Case(
                When(is_active=True, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("inactive_first", "user__last_name", "user__first_name", "user__username", "role")
    )


def teams_of(agency: Agency) -> QuerySet[Team]:
    return Team.objects.filter(agency=agency).select_related("manager").prefetch_related("members")
