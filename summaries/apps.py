from django.apps import AppConfig


class SummariesConfig(AppConfig):
    name = "summaries"
    verbose_name = "PDF case summaries and meeting packs"

    def ready(self) -> None:
        from summaries import contributions

        contributions.register()
