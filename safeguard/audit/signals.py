"""Sign-ins, sign-outs and failed attempts belong in the access log too."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from safeguard.audit.services import audit_record


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs) -> None:
    audit_record(user=user, action="login", event="signed_in")


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_record(user=user, action="logout", event="signed_out")


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    # The username tried is recorded; the password never is.
    audit_record(
        user=None,
        action="login_failed",
        event="sign_in_failed",
        detail={"username": str(credentials.get("username", ""))[:150]},
    )
