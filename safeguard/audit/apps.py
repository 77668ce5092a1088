from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "safeguard.audit"
    label = "audit"
    verbose_name = "Audit and access log"

    def ready(self) -> None:
        from django.conf import settings

        from safeguard import beat
        from safeguard.audit import checks, signals  # noqa: F401  (register on import)

        # Rows wait for the sealer; verify_audit fails any left longer than
        # AUDIT_SEAL_MAX_AGE_SECONDS, so seal well within it.
        beat.register(
            "audit-seal",
            task="safeguard.audit.tasks.seal_audit_log",
            every_seconds=settings.AUDIT_SEAL_SECONDS,
        )
