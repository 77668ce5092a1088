"""Changes to agencies and memberships: each one atomic and audited.

Only an active administrator of an agency changes its members. The one
exception is ``membership_add`` with ``acting_user=None``: the system itself
(seed data, tests' factories), never a person.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from agencies.models import Agency, AgencyRoleGroup, Membership
from agencies.roles import ROLE_PERMISSIONS, Role, group_name
from agencies.selectors import has_role
from safeguard.audit.context import request_memo
from safeguard.audit.services import audit_record
from safeguard.core.api_tokens import token_revoke


def role_group(*, agency: Agency, role: str) -> Group:
    """The group for (agency, role), created with its model permissions on first use.

    Granting access for one meeting asks for the same few groups dozens of
    times (each invitee, each case, each role): within one request an
    existing group is read once. A group created here is not remembered, so a
    rolled-back creation is never handed out."""
    memo = request_memo()
    key = ("role_group", agency.pk, role)
    if memo is not None and key in memo:
        return memo[key]
    link = AgencyRoleGroup.objects.select_related("group").filter(agency=agency, role=role).first()
    if link:
        if memo is not None:
            memo[key] = link.group
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


def _require_agency_admin(user: AbstractBaseUser | None, agency: Agency) -> None:
    """Refuse anyone who is not, right now, an active administrator of ``agency``."""
    if user is None or not has_role(user, [Role.AGENCY_ADMIN], agency=agency):
        raise PermissionDenied("Only an administrator of this agency can change its members.")


def _require_role(role: str) -> None:
    if role not in Role.values:
        raise ValidationError({"role": "Choose a role from the list"})


def _activate(*, user: AbstractBaseUser, agency: Agency, role: str) -> tuple[Membership, bool]:
    """Make (user, agency, role) an active membership; True if that changed anything."""
    membership, created = Membership.objects.get_or_create(user=user, agency=agency, role=role)
    if not membership.is_active:
        membership.is_active = True
        membership.save(update_fields=["is_active"])
        created = True
    user.groups.add(role_group(agency=agency, role=role))
    return membership, created


def _lock_admins(agency: Agency) -> list[int]:
    """The agency's active administrators' membership ids, locked for this transaction,
    so two administrators removing each other cannot leave the agency with none."""
    return list(
        Membership.objects.select_for_update()
        .filter(agency=agency, role=Role.AGENCY_ADMIN, is_active=True)
        .values_list("pk", flat=True)
    )


def _refuse_removing_last_admin(membership: Membership) -> None:
    if membership.role != Role.AGENCY_ADMIN or not membership.is_active:
        return
    if _lock_admins(membership.agency) == [membership.pk]:
        raise ValidationError(
            f"You cannot remove the only administrator of {membership.agency.name}. "
            "Add another administrator first."
        )


@transaction.atomic
def membership_add(
    *, acting_user: AbstractBaseUser | None, user: AbstractBaseUser, agency: Agency, role: str
) -> Membership:
    """Give ``user`` a role in ``agency``. ``acting_user=None`` is the system (seeding)."""
    if acting_user is not None:
        _require_agency_admin(acting_user, agency)
    _require_role(role)
    membership, created = _activate(user=user, agency=agency, role=role)
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
    _require_agency_admin(acting_user, membership.agency)
    membership = (
        Membership.objects.select_for_update()
        .select_related("user", "agency")
        .get(pk=membership.pk)
    )
    if not membership.is_active:
        raise ValidationError("This membership has already been deactivated.")
    _refuse_removing_last_admin(membership)
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    membership.user.groups.remove(role_group(agency=membership.agency, role=membership.role))
    if not Membership.objects.filter(user=membership.user, is_active=True).exists():
        # Their last role has ended: a token would outlive the reason for it.
        token_revoke(user=membership.user, why="last membership ended")
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


@transaction.atomic
def member_invite(
    *,
    acting_user: AbstractBaseUser,
    agency: Agency,
    username: str,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
) -> Membership:
    """Give a person a role in ``agency``, creating their account if the username is new.

    A new account has no usable password (set_unusable_password), so nobody can
    sign in with it until a password is set for it. An existing account is only added if the e-mail
    address matches, so a mistyped username cannot hand someone else access.
    """
    _require_agency_admin(acting_user, agency)
    _require_role(role)
    User = get_user_model()
    username = username.strip()
    email = email.strip()
    user = User.objects.filter(username__iexact=username).first()
    user_created = user is None
    if user is None:
        user = User(
            username=username,
            email=email,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
        )
        user.set_unusable_password()
        user.full_clean()
        user.save()
    elif (user.email or "").lower() != email.lower():
        raise ValidationError(
            {"email": "Someone else already has this username. Check the username and e-mail."}
        )
    if Membership.objects.filter(user=user, agency=agency, role=role, is_active=True).exists():
        raise ValidationError(
            f"{user.get_username()} is already a {Role(role).label.lower()} in {agency.name}."
        )
    membership, _ = _activate(user=user, agency=agency, role=role)
    if user_created:
        _send_welcome(user=user, agency=agency, membership=membership)
    audit_record(
        user=acting_user,
        action="grant",
        event="member_invited",
        obj=membership,
        detail={
            "member": user.get_username(),
            "agency": agency.slug,
            "role": role,
            "user_created": user_created,
        },
    )
    return membership


def _send_welcome(*, user: AbstractBaseUser, agency: Agency, membership: Membership) -> None:
    """A link to set a first password (Django's one-time, expiring reset token)."""
    from django.contrib.auth.tokens import default_token_generator
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from safeguard.notifications.services import notify

    link = reverse(
        "member_set_password",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    notify(
        recipients=[user],
        kind="invitation",
        dedupe_key=f"invitation:{membership.pk}",
        title=f"You have been invited to Safeguard by {agency.name}: set your password",
        reference=user.get_username(),
        link_path=link,
    )


@transaction.atomic
def membership_change_role(
    *, acting_user: AbstractBaseUser, membership: Membership, role: str
) -> Membership:
    """Move an active membership to another role; the person's groups follow.

    Returns the membership that now holds the role: the same row, or the
    person's earlier, deactivated membership with that role brought back.
    """
    _require_agency_admin(acting_user, membership.agency)
    _require_role(role)
    membership = (
        Membership.objects.select_for_update()
        .select_related("user", "agency")
        .get(pk=membership.pk)
    )
    if not membership.is_active:
        raise ValidationError("This membership has been deactivated.")
    old_role = membership.role
    if role == old_role:
        return membership
    user, agency = membership.user, membership.agency
    if Membership.objects.filter(user=user, agency=agency, role=role, is_active=True).exists():
        raise ValidationError(
            {"role": f"{user.get_username()} already has this role in {agency.name}."}
        )
    _refuse_removing_last_admin(membership)
    earlier = Membership.objects.filter(user=user, agency=agency, role=role).first()
    if earlier is None:
        membership.role = role
        membership.save(update_fields=["role"])
        result = membership
    else:
        # One row per (person, agency, role): bring the old one back instead.
        membership.is_active = False
        membership.save(update_fields=["is_active"])
        earlier.is_active = True
        earlier.save(update_fields=["is_active"])
        result = earlier
    user.groups.remove(role_group(agency=agency, role=old_role))
    user.groups.add(role_group(agency=agency, role=role))
    audit_record(
        user=acting_user,
        action="update",
        event="membership_role_changed",
        obj=result,
        detail={
            "member": user.get_username(),
            "agency": agency.slug,
            "from_role": old_role,
            "to_role": role,
        },
    )
    return result
