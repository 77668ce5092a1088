from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Children, cases and concerns"

    def ready(self) -> None:
        from agencies.roles import CASE_AND_MEETING_ROLES, CONCERN_LOGGING_ROLES, TRIAGE_ROLES, Role
        from safeguard.core import navigation

        navigation.register(
            "Log a concern", "concern_create", roles=CONCERN_LOGGING_ROLES, position=10
        )
        navigation.register("My concerns", "concern_list", roles=CONCERN_LOGGING_ROLES, position=20)
        navigation.register("Front door", "front_door", roles=TRIAGE_ROLES, position=30)
        navigation.register("Cases", "case_list", roles=CASE_AND_MEETING_ROLES, position=40)
        navigation.register("Audit log", "audit_search", roles={Role.AUDITOR}, position=90)
        navigation.register_search("search", roles=CASE_AND_MEETING_ROLES)
