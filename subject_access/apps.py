from django.apps import AppConfig


class SubjectAccessConfig(AppConfig):
    name = "subject_access"
    verbose_name = "Subject access requests"

    def ready(self) -> None:
        from agencies.roles import INFORMATION_GOVERNANCE_ROLES
        from safeguard import beat
        from safeguard.core import navigation

        navigation.register(
            "Subject access", "subject_access_list", roles=INFORMATION_GOVERNANCE_ROLES, position=88
        )
        beat.register(
            "subject-access-sweep-bundles",
            task="subject_access.tasks.sweep_subject_access_bundles",
            every_seconds=120,
        )
