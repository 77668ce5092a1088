from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "safeguard.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # The apps declare what comes due; this app only delivers it.
        from . import registry, signals  # noqa: F401 - signals connect on import

        registry.discover()
