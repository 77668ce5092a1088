from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "safeguard.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from django.conf import settings

        from safeguard import beat
        from safeguard.notifications import registry, signals  # noqa: F401 - signals connect on import

        # The apps declare what comes due; this app only delivers it.
        registry.discover()
        tasks = "safeguard.notifications.tasks"
        beat.register(
            "notifications-redispatch-stuck",
            task=f"{tasks}.sweep_outbox",
            every_seconds=settings.OUTBOX_SWEEP_SECONDS,
        )
        beat.register(
            "reminders-sweep",
            task=f"{tasks}.sweep_reminders",
            every_seconds=settings.REMINDER_SWEEP_SECONDS,
        )
        beat.register(
            "reminders-daily-digest", task=f"{tasks}.send_reminder_digests", every_seconds=15 * 60
        )
        beat.register(
            "heartbeat", task=f"{tasks}.heartbeat", every_seconds=settings.HEARTBEAT_SECONDS
        )
