from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = "Agencies and memberships"

    def ready(self) -> None:
        from axes.signals import user_locked_out

        from agencies.lockout_alerts import alert_lockout
        from agencies.roles import TWO_FACTOR_ROLES, Role
        from agencies.selectors import active_memberships, agency_slugs_for, roles_for
        from safeguard.audit.services import register_agency_resolver
        from safeguard.core import navigation
        from safeguard.core.people import Directory, register_directory

        register_agency_resolver(agency_slugs_for)
        user_locked_out.connect(alert_lockout, dispatch_uid="agencies.alert_lockout")
        register_directory(
            Directory(
                roles_for=roles_for,
                memberships_for=lambda user: active_memberships(user).select_related("agency"),
                two_factor_roles=TWO_FACTOR_ROLES,
            )
        )
        navigation.register(
            "Members", "agency_members_home", roles={Role.AGENCY_ADMIN}, position=80
        )
