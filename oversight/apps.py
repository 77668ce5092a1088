from django.apps import AppConfig


class OversightConfig(AppConfig):
    """Oversight (SPEC 3.8): a manager's dashboard of caseloads, unallocated
    work and timescale compliance, and a chair's view of conferences owed. It
    reads the domain apps through their access policy; the only rows it owns
    are the timescale figures the worker counts (``oversight.summary``)."""

    name = "oversight"
    verbose_name = "Oversight"

    def ready(self) -> None:
        from django.conf import settings

        from agencies.roles import Role
        from safeguard import beat
        from safeguard.core import navigation

        navigation.register("Dashboard", "dashboard", roles={Role.MANAGER}, position=45)
        navigation.register("Conferences due", "conferences_due", roles={Role.CHAIR}, position=55)
        beat.register(
            "oversight-refresh-figures",
            task="oversight.tasks.refresh_compliance_figures",
            every_seconds=settings.OVERSIGHT_REFRESH_SECONDS,
        )
        beat.register(
            "oversight-compact-open-case-counts",
            task="oversight.tasks.compact_open_case_counts",
            every_seconds=settings.OVERSIGHT_COMPACT_SECONDS,
        )
