from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Count

from cases.demo_data import build_children, children_already_seeded, ensure_agencies_and_users
from cases.models import Case, Concern


class Command(BaseCommand):
    help = (
        "Build the fictional local authority Northshire: agencies, one user per agency "
        "and role (<role>@<agency-slug>, password from DEMO_PASSWORD), and about 40 "
        "children at every stage. Safe to run again: it changes nothing the second time."
    )

    def handle(self, *args, **options) -> None:
        built = ensure_agencies_and_users(settings.DEMO_PASSWORD)
        if children_already_seeded(built):
            self.stdout.write("Demo children already present; agencies and users checked.")
        else:
            with transaction.atomic():
                build_children(built)
        by_status = dict(Concern.objects.values_list("status").annotate(n=Count("id")).order_by())
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(built.agencies)} agencies, {len(built.users)} users, "
                f"{Case.objects.count()} cases, concerns by status {by_status}."
            )
        )
