from django.apps import AppConfig


class WorkConfig(AppConfig):
    """ "My work": the home page that gathers what needs each person's attention
    from the domain apps."""

    name = "work"
    verbose_name = "My work"
