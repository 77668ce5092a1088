"""``manage.py seed_scale --children N``: a county at scale, for benchmarks
(bench/) and for trying the service with realistic volumes.

Builds N children (demo/scale_children.py) and then, on PostgreSQL, a case
for each with everything the application would have recorded around it:
involvements and the guardian grants derived from them, restricted cases with
named access, concerns, meetings with invitations and their grants,
chronology entries and sealed audit rows (demo/scale_county.py), and unless
``--no-work`` the statutory work on them: episodes, assessments, section 47
enquiries, conferences, plans, core groups and visits (demo/scale_work.py). Run it after
``seed_demo``, on a database of its own: tables' indexes and constraints are
dropped while the rows go in and put back once after.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from agencies.models import Agency
from demo.data import NORTHSHIRE
from demo.scale_children import build_children
from demo.scale_county import build_county


class Command(BaseCommand):
    help = (
        "Add N invented children (realistic names, addresses, identifiers) to an agency, "
        "then a county's cases around them by the application's rules: involvements, "
        "grants, restricted cases, concerns, meetings, chronology and sealed audit rows, "
        "and the statutory work (--no-work leaves it out). "
        "At a million children the lead agency's social worker sees about 1,000,000 "
        "cases, the police's practitioner about 100,000, health's about 10,000 and "
        "Hillside Primary's about 100. "
        "Cases need PostgreSQL; on SQLite only --children-only works. Run seed_demo first."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--children", type=int, default=100_000, help="how many (100,000)")
        parser.add_argument(
            "--agency", default=NORTHSHIRE, help=f"lead agency slug ({NORTHSHIRE}; seed_demo)"
        )
        parser.add_argument("--seed", type=int, default=2026, help="random seed (2026)")
        parser.add_argument(
            "--no-work",
            action="store_true",
            help="leave out the statutory work (episodes, assessments, section 47 enquiries, "
            "conferences, plans, core groups, visits): demo/scale_work.py",
        )
        parser.add_argument(
            "--children-only",
            action="store_true",
            help="build the children and no cases (the matcher bench; works on SQLite)",
        )

    def handle(self, *args, **options) -> None:
        agency = Agency.objects.filter(slug=options["agency"]).first()
        if agency is None:
            slug = options["agency"]
            raise CommandError(f"No agency {slug!r}: run seed_demo first, or give --agency.")
        if not options["children_only"] and connection.vendor != "postgresql":
            raise CommandError("Cases at scale need PostgreSQL: use --children-only on SQLite.")
        verbose = options["verbosity"] >= 2
        prefix = f"CHI-S{options['seed'] % 100:02d}"

        def progress(done: int) -> None:
            if verbose:
                self.stdout.write(f"  {done:,} children")

        if options["children"]:
            built = build_children(
                options["children"],
                agency=agency,
                seed=options["seed"],
                reference_prefix=prefix,
                progress=progress,
            )
            self.stdout.write(self.style.SUCCESS(f"Built {built}"))
        if options["children_only"]:
            return
        try:
            county = build_county(
                lead=agency,
                child_reference_prefix=f"{prefix}-",
                seed=options["seed"],
                work=not options["no_work"],
                progress=(lambda line: self.stdout.write(f"  {line}")) if verbose else None,
            )
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Built {county}"))
