"""``manage.py check --deploy`` refuses the development audit key."""

from __future__ import annotations

from django.core import checks

from safeguard.audit.keys import DEV_KEY_ID, MIN_SECRET_LENGTH, configured_keys


@checks.register(checks.Tags.security, deploy=True)
def audit_key_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    try:
        keys = configured_keys()
    except ValueError as exc:
        return [checks.Error(str(exc), id="audit.E003")]
    errors: list[checks.CheckMessage] = []
    if keys[0].id == DEV_KEY_ID:
        errors.append(
            checks.Error(
                "AUDIT_KEYS is not set: the audit chain is sealed with the development key "
                "derived from SECRET_KEY.",
                hint="Set AUDIT_KEYS=1:<secret> (python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))'), kept outside the database.",
                id="audit.E001",
            )
        )
    for key in keys:
        if len(key.secret) < MIN_SECRET_LENGTH:
            errors.append(
                checks.Error(
                    f"Audit key '{key.id}' is shorter than {MIN_SECRET_LENGTH} characters.",
                    id="audit.E002",
                )
            )
    return errors
