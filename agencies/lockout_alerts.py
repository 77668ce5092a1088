"""Tell people when sign-in locks an account: the person themselves (it may not
have been them) and their agencies' administrators, who can help them back in.

Axes sends ``user_locked_out`` for the attempt that locks the account and again
for each attempt refused during the lock; one alert per lock is enough, so the
dedupe key is the lock's own record (a new lock after it lapses is a new row).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import reverse

from agencies.models import Membership
from agencies.roles import Role
from safeguard.core.api_tokens import token_revoke
from safeguard.notifications.services import notify


def alert_lockout(sender, request=None, username: str | None = None, ip_address=None, **kwargs):
    from axes.models import AccessAttempt

    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        return  # nobody to tell about a username that does not exist
    attempt = (
        AccessAttempt.objects.filter(username=username, ip_address=ip_address)
        .order_by("-attempt_time")
        .first()
    )
    lock = attempt.pk if attempt else "unknown"
    # Someone is guessing this person's password: a token issued to them is
    # revoked too, so a stolen one cannot carry on while they are locked.
    revoked = token_revoke(user=user, why="sign-in locked")
    agencies = Membership.objects.filter(user=user, is_active=True).values("agency_id")
    admins = get_user_model().objects.filter(
        memberships__agency_id__in=agencies,
        memberships__role=Role.AGENCY_ADMIN,
        memberships__is_active=True,
        is_active=True,
    )
    notify(
        recipients=[user],
        kind="sign_in_locked",
        dedupe_key=f"sign_in_locked:{user.pk}:{lock}",
        title="Your account was locked after repeated failed sign-ins. "
        + ("Your API token has been revoked. " if revoked else "")
        + "If that was not you, tell your agency administrator.",
        link_path=reverse("profile"),
    )
    notify(
        recipients=[admin for admin in admins.distinct() if admin.pk != user.pk],
        kind="member_locked_out",
        dedupe_key=f"member_locked_out:{user.pk}:{lock}",
        title=f"{user.get_username()} was locked out after repeated failed sign-ins.",
        link_path=reverse("agency_members_home"),
    )
