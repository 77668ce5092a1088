from django.apps import AppConfig


class WorkConfig(AppConfig):
    """ "My work": the home page that gathers what needs each person's attention
    from the domain apps."""

    name = "work"
    verbose_name = "My work"

    def ready(self) -> None:
        from safeguard.core import navigation

        navigation.register("My work", "home", roles=None, position=0)
