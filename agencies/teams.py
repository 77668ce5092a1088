"""Teams in an agency, managed by its administrators: a name, a manager and the
workers cases are allocated to within it. No case data here; every change audited."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from agencies.models import Agency, Team
from agencies.roles import Role
from agencies.services import _require_agency_admin
from safeguard.audit.services import audit_record

TEAM_ROLES = (Role.SOCIAL_WORKER, Role.MANAGER)


def team_people(agency: Agency, roles=TEAM_ROLES) -> QuerySet:
    """Active people holding one of ``roles`` in the agency: who may be in its teams."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__agency=agency,
            memberships__is_active=True,
            memberships__role__in=list(roles),
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def _check(agency: Agency, *, name: str, manager, members, team: Team | None = None) -> None:
    errors: dict[str, str] = {}
    namesakes = Team.objects.filter(agency=agency, name__iexact=name.strip())
    if team is not None:
        namesakes = namesakes.exclude(pk=team.pk)
    if not name.strip():
        errors["name"] = "Enter the team's name"
    elif namesakes.exists():
        errors["name"] = "There is already a team with that name"
    if manager is not None and not team_people(agency, [Role.MANAGER]).filter(pk=manager.pk):
        errors["manager"] = "The team manager must be a manager in this agency"
    allowed = set(team_people(agency).values_list("pk", flat=True))
    if any(m.pk not in allowed for m in members):
        errors["members"] = "Team members must be social workers or managers in this agency"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def team_create(
    *,
    acting_user: AbstractBaseUser,
    agency: Agency,
    name: str,
    manager: AbstractBaseUser | None,
    members: list[AbstractBaseUser],
) -> Team:
    _require_agency_admin(acting_user, agency)
    _check(agency, name=name, manager=manager, members=members)
    team = Team.objects.create(agency=agency, name=name.strip(), manager=manager)
    team.members.set(members)
    audit_record(
        user=acting_user,
        action="create",
        event="team_created",
        obj=team,
        detail={"agency": agency.slug, "name": team.name, "members": len(members)},
    )
    return team


@transaction.atomic
def team_update(
    *,
    acting_user: AbstractBaseUser,
    team: Team,
    name: str,
    manager: AbstractBaseUser | None,
    members: list[AbstractBaseUser],
) -> Team:
    _require_agency_admin(acting_user, team.agency)
    _check(team.agency, name=name, manager=manager, members=members, team=team)
    before = set(team.members.values_list("pk", flat=True))
    team.name = name.strip()
    team.manager = manager
    team.save(update_fields=["name", "manager"])
    team.members.set(members)
    after = {m.pk for m in members}
    audit_record(
        user=acting_user,
        action="update",
        event="team_changed",
        obj=team,
        detail={
            "agency": team.agency.slug,
            "name": team.name,
            "joined": len(after - before),
            "left": len(before - after),
        },
    )
    return team
