"""API tokens that end: they expire, and they are revoked when the person's
password changes, when sign-in locks their account, and when their last
membership ends. A token is the person's access and nothing more, so it must
not outlive the reasons they had it."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from safeguard.audit.services import audit_record


def expires_at(token: Token) -> dt.datetime:
    return token.created + dt.timedelta(days=settings.API_TOKEN_LIFETIME_DAYS)


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
    """DRF's token authentication, refusing a token past its lifetime."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if timezone.now() >= expires_at(token):
            raise AuthenticationFailed(
                "Your API token has expired. Create a new one on your account page."
            )
        return user, token


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
