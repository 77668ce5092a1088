from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Meetings and conferences"

    def ready(self) -> None:
        # What this app contributes to the case record and its access rules;
        # `cases` knows nothing of meetings.
        from agencies.roles import CASE_AND_MEETING_ROLES
        from meetings import contributions
        from safeguard.core import navigation

        contributions.register()
        navigation.register("Meetings", "meeting_list", roles=CASE_AND_MEETING_ROLES, position=50)
