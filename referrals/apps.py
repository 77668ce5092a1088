from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals between agencies"

    def ready(self) -> None:
        from agencies.roles import CASE_WORKING_ROLES
        from safeguard.core import navigation

        navigation.register("Referrals", "referral_list", roles=CASE_WORKING_ROLES, position=60)
