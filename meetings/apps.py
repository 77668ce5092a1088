from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Meetings and conferences"

    def ready(self) -> None:
        # What this app contributes to the case record and its access rules;
        # `cases` knows nothing of meetings.
        from meetings import contributions

        contributions.register()
