"""Deployment checks of our own, run by `manage.py check --deploy`."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def embedded_secret_key(app_configs, **kwargs) -> list[Error]:
    # Django's own check (security.W009) only asks for a long, varied key; the
    # embedded one is both, and public in the source, so sessions, password
    # reset links and CSRF tokens could be forged with it.
    if settings.SECRET_KEY == settings.EMBEDDED_SECRET_KEY:
        return [
            Error(
                "SECRET_KEY is the built-in development default.",
                hint="Set SECRET_KEY in the environment to a long random value "
                "(python -c 'import secrets; print(secrets.token_urlsafe(64))').",
                id="safeguard.E001",
            )
        ]
    return []
