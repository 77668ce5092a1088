from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "retention"
    verbose_name = "Retention, legal hold and destruction"

    def ready(self) -> None:
        from django.conf import settings

        from agencies.roles import RETENTION_ROLES
        from retention.schedule import validate_settings
        from safeguard import beat
        from safeguard.core import navigation

        validate_settings()
        navigation.register("Retention", "retention_queue", roles=RETENTION_ROLES, position=88)
        beat.register(
            "retention-refresh-review",
            task="retention.tasks.refresh_retention_review",
            every_seconds=settings.RETENTION_REFRESH_SECONDS,
        )
