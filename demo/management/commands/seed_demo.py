"""``manage.py seed_demo``: the fictional local authority Northshire (SPEC 5)."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from agencies.models import Agency
from cases.models import Case, Child, Concern
from demo.data import (
    NORTHSHIRE,
    allocate_to_teams,
    build_children,
    children_already_seeded,
    ensure_agencies_and_users,
)


class Command(BaseCommand):
    help = (
        "Build the fictional local authority Northshire: six agencies, one user per agency "
        "and role (<role>@<agency-slug>, password from DEMO_PASSWORD), and about 40 "
        "children at every stage. Safe to run again: it changes nothing the second time."
    )

    def handle(self, *args, **options) -> None:
        # Two parts, each one transaction: a failure leaves nothing half-seeded.
        built = ensure_agencies_and_users(settings.DEMO_PASSWORD)
        with transaction.atomic():
            # Two seeds at once (PostgreSQL) wait for each other here, so the
            # second sees the first one's children and builds none.
            Agency.objects.select_for_update().get(slug=NORTHSHIRE)
            seeded = children_already_seeded(built)
            if not seeded:
                build_children(built)
            allocate_to_teams(built)
        if options["verbosity"] >= 1:
            self._summary(built, seeded)

    def _summary(self, built, seeded: bool) -> None:
        agencies = list(built.agencies.values())
        children = dict(
            Child.objects.filter(lead_agency__in=agencies)
            .values_list("lead_agency__slug")
            .annotate(n=Count("id"))
            .order_by()
        )
        cases = dict(
            Case.objects.filter(lead_agency__in=agencies)
            .values_list("status")
            .annotate(n=Count("id"))
            .order_by()
        )
        concerns = dict(
            Concern.objects.filter(lead_agency__in=agencies)
            .values_list("status")
            .annotate(n=Count("id"))
            .order_by()
        )
        by_agency = ", ".join(f"{slug} {n}" for slug, n in sorted(children.items()))
        lines = [
            "Demo children were already there: only agencies, users and passwords were checked."
            if seeded
            else "Demo data built.",
            f"  agencies: {len(agencies)}",
            f"  users:    {len(built.users)} (<role>@<agency-slug>, password from DEMO_PASSWORD)",
            f"  children: {sum(children.values())} ({by_agency})",
            "  cases:    "
            + ", ".join(
                f"{cases.get(code, 0)} {label.lower()}" for code, label in Case.Status.choices
            ),
            "  concerns: "
            + ", ".join(
                f"{label.lower()} {concerns.get(code, 0)}" for code, label in Concern.Status.choices
            ),
        ]
        from demo.summary import story_counts

        lines += [f"  {label}: {value}" for label, value in story_counts(agencies)]
        self.stdout.write(self.style.SUCCESS(lines[0]))
        self.stdout.write("\n".join(lines[1:]))
        self._census(built)

    def _census(self, built) -> None:
        """The demo's Children in Need census for the current year, checked as
        ``cin_census`` checks it: what a lead would see before returning it."""
        from census.services import census_build
        from census.years import CensusYear

        agency = built.agencies[NORTHSHIRE]
        today = timezone.localdate()
        year = CensusYear(today.year if today.month >= 4 else today.year - 1)
        build = census_build(agency=agency, year=year, la_code=agency.la_code)
        checked = build.breaches + build.return_level
        errors = sum(1 for b in checked if b["type"] == "error")
        queries = sum(1 for b in checked if b["type"] == "query")
        self.stdout.write(
            f"  census:   CIN {year.label} for {agency.slug} (LA {agency.la_code}): "
            f"{build.child_count} children, schema "
            f"{'valid' if build.schema_valid else 'INVALID'}, {errors} errors, "
            f"{queries} queries, {len(build.needed)} children need an item recorded"
        )
        for rule, kind, count, message in build.breach_counts():
            self.stdout.write(f"    {rule:>6} {kind:<5} {count:>3}  {message[:90]}")
