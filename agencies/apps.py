from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = "Agencies and memberships"

    def ready(self) -> None:
        from axes.signals import user_locked_out
        from django.db.models.signals import post_save

        from agencies.lockout_alerts import alert_lockout
        from agencies.models import Membership
        from agencies.roles import TWO_FACTOR_ROLES, Role
        from agencies.selectors import (
            active_memberships,
            agency_slugs_for,
            forget_memberships,
            roles_for,
        )
        from safeguard.audit.services import register_agency_resolver
        from safeguard.core import navigation
        from safeguard.core.people import Directory, register_directory

        register_agency_resolver(agency_slugs_for)
        user_locked_out.connect(alert_lockout, dispatch_uid="agencies.alert_lockout")
        # Roles and agencies are read once per request: a change within it is
        # read afresh.
        post_save.connect(
            lambda sender, instance, **kwargs: forget_memberships(instance.user_id),
            sender=Membership,
            weak=False,
            dispatch_uid="agencies.forget_memberships",
        )
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
