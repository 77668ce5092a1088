from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "safeguard.audit"
    label = "audit"
    verbose_name = "Audit and access log"

    def ready(self) -> None:
        from safeguard.audit import signals  # noqa: F401  (connects the sign-in receivers)
