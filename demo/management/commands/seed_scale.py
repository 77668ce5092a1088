"""``manage.py seed_scale --children N``: a local authority at scale, for
benchmarks (bench/) and for trying the service with realistic volumes.

Today it builds the children (with addresses, previous addresses, NHS numbers
and UPNs; demo/scale_children.py); cases, concerns and staff at scale are to
follow. Run it on an empty database: the tables' indexes are then dropped while
the rows go in and built once after.
"""

from django.core.management.base import BaseCommand, CommandError

from agencies.models import Agency
from demo.data import NORTHSHIRE
from demo.scale_children import build_children


class Command(BaseCommand):
    help = "Add N invented children (realistic names, addresses, identifiers) to an agency."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--children", type=int, default=100_000, help="how many (100,000)")
        parser.add_argument(
            "--agency", default=NORTHSHIRE, help=f"lead agency slug ({NORTHSHIRE}; seed_demo)"
        )
        parser.add_argument("--seed", type=int, default=2026, help="random seed (2026)")

    def handle(self, *args, **options) -> None:
        agency = Agency.objects.filter(slug=options["agency"]).first()
        if agency is None:
            slug = options["agency"]
            raise CommandError(f"No agency {slug!r}: run seed_demo first, or give --agency.")

        def progress(done: int) -> None:
            if options["verbosity"] >= 2:
                self.stdout.write(f"  {done:,} children")

        built = build_children(
            options["children"],
            agency=agency,
            seed=options["seed"],
            reference_prefix=f"CHI-S{options['seed'] % 100:02d}",
            progress=progress,
        )
        self.stdout.write(self.style.SUCCESS(f"Built {built}"))
