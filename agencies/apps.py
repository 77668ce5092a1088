from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = "Agencies and memberships"

    def ready(self) -> None:
        from safeguard.audit.services import register_agency_resolver

        from .selectors import agency_slugs_for

        register_agency_resolver(agency_slugs_for)
