"""API tokens that end: they expire, lapse when left unused, and are revoked
when the person's password changes, when sign-in locks their account, and when
their last membership ends. A token is the person's access and nothing more,
so it must not outlive the reasons they had it.

Use is recorded, not audited request by request: every read and change of
personal data through the API already writes its own audit row under the
person's name, so a second row per request would double the audit log's
growth (and the sealer's work) and add nothing those rows do not say. What
they do not say is which credential was used and when it was last seen: the
first use of a token each day writes one ``api_token_used`` row (with the
address it came from), and every use updates ``ApiTokenUse.last_used_at`` (at
most once a minute, so a busy integration costs no write per request). That
time drives the idle timeout and shows on "Your account".
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q
from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from safeguard.audit.context import current_request
from safeguard.audit.services import audit_record
from safeguard.core.models import ApiTokenUse

# A busy integration calls many times a minute: recording each call's time
# would be a write per request for a timestamp nobody needs to the second.
LAST_USED_PRECISION = dt.timedelta(seconds=60)


def expires_at(token: Token) -> dt.datetime:
    return token.created + dt.timedelta(days=settings.API_TOKEN_LIFETIME_DAYS)


def _use(token: Token) -> ApiTokenUse | None:
    try:
        return token.use
    except ApiTokenUse.DoesNotExist:  # a reverse one-to-one with no row yet
        return None


def last_used(token: Token) -> ApiTokenUse | None:
    return _use(token)


def idle_lapses_at(token: Token) -> dt.datetime:
    """When the idle timeout ends the token: API_TOKEN_IDLE_DAYS after its last
    use, or after its creation if it was never used."""
    use = _use(token)
    since = use.last_used_at if use else token.created
    return since + dt.timedelta(days=settings.API_TOKEN_IDLE_DAYS)


def ends_at(token: Token) -> dt.datetime:
    """When the token stops working if nothing else happens to it."""
    return min(idle_lapses_at(token), expires_at(token))


def token_used(token: Token) -> None:
    """Record a use: the time (to the minute), and an audit row on the first use each day."""
    now = timezone.now()
    today = timezone.localdate(now)
    ip = current_request.get().ip_address
    use = _use(token)
    if use is None:
        ApiTokenUse.objects.bulk_create(
            [ApiTokenUse(token=token, last_used_at=now, last_used_from=ip)],
            ignore_conflicts=True,
        )
    elif now - use.last_used_at >= LAST_USED_PRECISION or use.last_used_from != ip:
        ApiTokenUse.objects.filter(pk=token.pk).update(last_used_at=now, last_used_from=ip)
    # Exactly one request a day wins this conditional UPDATE, even when many
    # arrive at once: that one writes the day's audit row.
    first_today = ApiTokenUse.objects.filter(
        Q(audited_on__isnull=True) | Q(audited_on__lt=today), pk=token.pk
    ).update(audited_on=today)
    if first_today:
        audit_record(
            user=token.user,
            action="login",
            event="api_token_used",
            detail={"token": f"…{token.key[-4:]}", "day": today.isoformat()},
        )


def token_revoke(*, user: AbstractBaseUser, why: str) -> bool:
    """Delete the person's token, if any, and record why. True if one was revoked."""
    deleted, _ = Token.objects.filter(user=user).delete()
    if deleted:
        audit_record(
            user=None,
            action="revoke",
            event="api_token_revoked",
            detail={"for": user.get_username(), "why": why},
        )
    return bool(deleted)


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing a token past its lifetime or left
    unused longer than the idle timeout, and recording each use."""

    def authenticate_credentials(self, key):
        # One query for the token, its person and its last use.
        try:
            token = Token.objects.select_related("user", "use").get(key=key)
        except Token.DoesNotExist:
            raise AuthenticationFailed("Invalid token.") from None
        if not token.user.is_active:
            raise AuthenticationFailed("User inactive or deleted.")
        now = timezone.now()
        if now >= expires_at(token):
            raise AuthenticationFailed(
                "Your API token has expired. Create a new one on your account page."
            )
        if now >= idle_lapses_at(token):
            raise AuthenticationFailed(
                f"Your API token was not used for {settings.API_TOKEN_IDLE_DAYS} days and has "
                "lapsed. Create a new one on your account page."
            )
        token_used(token)
        return token.user, token


class RevokeTokensOnPasswordChange:
    """A password validator only for Django's ``password_changed`` hook, which
    runs whenever a password is set and saved (change, reset, admin)."""

    def validate(self, password, user=None) -> None:
        return None

    def password_changed(self, password, user=None) -> None:
        if user is not None and user.pk is not None:
            token_revoke(user=user, why="password changed")

    def get_help_text(self) -> str:
        return ""
