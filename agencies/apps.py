from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = "Agencies and memberships"

    def ready(self) -> None:
        from agencies.selectors import agency_slugs_for
        from safeguard.audit.services import register_agency_resolver

        register_agency_resolver(agency_slugs_for)
