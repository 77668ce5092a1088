from django.apps import AppConfig


class CensusConfig(AppConfig):
    name = "census"
    verbose_name = "Children in need census return"

    def ready(self) -> None:
        from agencies.roles import CENSUS_ROLES
        from safeguard import beat
        from safeguard.core import navigation

        navigation.register("CIN census", "census_home", roles=CENSUS_ROLES, position=85)
        beat.register(
            "census-sweep-returns", task="census.tasks.sweep_census_returns", every_seconds=120
        )
