from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "safeguard.core"
    label = "core"
    verbose_name = "Safeguard core"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from safeguard.core import checks  # noqa: F401 - registers the deploy checks
        from safeguard.core.middleware import mark_renewed

        def renewed_at_sign_in(sender, request, user, **kwargs) -> None:
            # Signing in saves the session: its idle timer starts now.
            if request is not None and hasattr(request, "session"):
                mark_renewed(request.session)

        user_logged_in.connect(renewed_at_sign_in, dispatch_uid="safeguard.core.renewed_at_sign_in")
