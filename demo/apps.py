from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Northshire's demo data (``seed_demo``). Domain code never imports it."""

    name = "demo"
    verbose_name = "Demo data"
