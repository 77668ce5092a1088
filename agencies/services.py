"""Changes to agencies and memberships: each one atomic and audited."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, Group, Permission
from django.db import transaction

from safeguard.audit.services import audit_record

from .models import Agency, AgencyRoleGroup, Membership
from .roles import ROLE_PERMISSIONS, Role, group_name


def role_group(*, agency: Agency, role: str) -> Group:
    """The group for (agency, role), created with its model permissions on first use."""
    link = AgencyRoleGroup.objects.select_related("group").filter(agency=agency, role=role).first()
    if link:
        return link.group
    with transaction.atomic():
        group, _ = Group.objects.get_or_create(name=group_name(agency.slug, role))
        AgencyRoleGroup.objects.get_or_create(agency=agency, role=role, defaults={"group": group})
        codenames = ROLE_PERMISSIONS.get(Role(role), ())
        perms = [
            Permission.objects.get(content_type__app_label=app, codename=codename)
            for app, codename in (c.split(".") for c in codenames)
        ]
        group.permissions.set(perms)
    return group


@transaction.atomic
def membership_add(
    *, acting_user: AbstractBaseUser | None, user: AbstractBaseUser, agency: Agency, role: str
) -> Membership:
    membership, created = Membership.objects.get_or_create(user=user, agency=agency, role=role)
    if not membership.is_active:
        membership.is_active = True
        membership.save(update_fields=["is_active"])
        created = True
    user.groups.add(role_group(agency=agency, role=role))
    if created:
        audit_record(
            user=acting_user,
            action="grant",
            event="membership_added",
            obj=membership,
            detail={"member": user.get_username(), "agency": agency.slug, "role": role},
        )
    return membership


@transaction.atomic
def membership_deactivate(*, acting_user: AbstractBaseUser | None, membership: Membership) -> None:
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    membership.user.groups.remove(role_group(agency=membership.agency, role=membership.role))
    audit_record(
        user=acting_user,
        action="revoke",
        event="membership_deactivated",
        obj=membership,
        detail={
            "member": membership.user.get_username(),
            "agency": membership.agency.slug,
            "role": membership.role,
        },
    )
