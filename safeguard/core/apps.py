from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "safeguard.core"
    label = "core"
    verbose_name = "Safeguard core"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from safeguard.core import checks  # noqa: F401 - registers the deploy checks
        from safeguard.core.middleware import renewed_at_sign_in

        user_logged_in.connect(renewed_at_sign_in, dispatch_uid="safeguard.core.renewed_at_sign_in")
