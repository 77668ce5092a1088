"""``manage.py cin_census --year 2026-27 --output FILE`` (SPEC 6): the DfE
Children in Need census XML for a lead agency's census year, checked against
the schema and the DfE's validation rules.

Exit status: 0 when the XML is valid against the schema (rule breaches are
reported and counted, not fatal: the DfE's own portal takes a return with
queries and lists its errors the same way); 1 when it is not; 2 for bad options.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agencies.models import Agency
from census.services import census_build
from census.years import CensusYear


class Command(BaseCommand):
    help = "Write the DfE Children in Need census XML for a census year and check it."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--year", required=True, help="the census year, e.g. 2026-27")
        parser.add_argument("--output", required=True, help="where to write the XML")
        parser.add_argument(
            "--agency",
            help="the lead agency's slug (needed when there is more than one)",
        )
        parser.add_argument(
            "--la-code",
            help="the DfE three-digit LA code, when the agency's record has none",
        )
        parser.add_argument(
            "--report", help="also write the breaches by child, as CSV, to this file"
        )

    def handle(self, *args, **options) -> None:
        try:
            year = CensusYear.parse(options["year"])
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        agency = self._agency(options.get("agency"))
        la_code = options.get("la_code") or agency.la_code
        if not la_code:
            raise CommandError(
                f"{agency.name} has no DfE local authority code: give --la-code", returncode=2
            )
        build = census_build(agency=agency, year=year, la_code=la_code)
        output = Path(options["output"])
        output.write_bytes(build.content)

        out = self.stdout
        out.write(f"CIN census {year.label} for {agency.name} (LA {la_code})")
        out.write(f"Wrote {output} ({len(build.content)} bytes, {build.child_count} children)")
        out.write(f"SHA-256 {build.sha256}")
        if build.schema_valid:
            out.write(self.style.SUCCESS("Schema: valid against the CIN census schema"))
        else:
            out.write(self.style.ERROR(f"Schema: {len(build.schema_errors)} errors"))
            for error in build.schema_errors[:20]:
                out.write(f"  {error['path']}: {error['message']}")
        errors = sum(1 for b in build.breaches + build.return_level if b["type"] == "error")
        queries = sum(1 for b in build.breaches + build.return_level if b["type"] == "query")
        out.write(
            f"DfE validation rules ({build.rules_checked} checked): "
            f"{errors} errors, {queries} queries"
        )
        for rule, kind, count, message in build.breach_counts():
            out.write(f"  {rule:>6} {kind:<5} {count:>4}  {message[:100]}")
        if build.rules_failed_to_run:
            out.write("Rules that could not run: " + ", ".join(build.rules_failed_to_run))
        if build.needed:
            out.write(
                f"The census needs this before it can be returned ({len(build.needed)} children):"
            )
            for entry in build.needed:
                where = entry["case_reference"] or "no case"
                for item in entry["items"]:
                    out.write(f"  {entry['la_child_id']} ({where}): {item}  {entry['fix_url']}")
        if build.gaps:
            out.write("Data items the record cannot give yet:")
            for gap in build.gaps:
                count = "" if gap["count"] is None else f" ({gap['count']} children)"
                out.write(f"  {gap['item']}{count}: {gap['detail']}")
        if options.get("report"):
            self._write_report(Path(options["report"]), build)
        if not build.schema_valid:
            raise CommandError("The return is not valid against the schema", returncode=1)

    def _agency(self, slug: str | None) -> Agency:
        leads = Agency.objects.filter(kind=Agency.Kind.SOCIAL_CARE, is_active=True)
        if slug:
            agency = leads.filter(slug=slug).first()
            if agency is None:
                raise CommandError(f"No lead agency {slug!r}", returncode=2)
            return agency
        with_code = leads.exclude(la_code="")
        if with_code.count() == 1:
            return with_code.get()
        if leads.count() == 1:
            return leads.get()
        names = ", ".join(leads.order_by("slug").values_list("slug", flat=True))
        raise CommandError(f"Choose the lead agency with --agency ({names})", returncode=2)

    def _write_report(self, path: Path, build) -> None:
        import csv

        with path.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(
                ["LAchildID", "case", "rule", "type", "message", "table", "field", "value", "fix"]
            )
            for b in build.breaches:
                writer.writerow(
                    [
                        b["la_child_id"],
                        b["case_reference"],
                        b["rule"],
                        b["type"],
                        b["message"],
                        b["table"],
                        b["field"],
                        b["value"],
                        b.get("fix_url", ""),
                    ]
                )
            for b in build.return_level:
                writer.writerow(["", "", b["rule"], b["type"], b["message"], "", "", "", ""])
            for entry in build.needed:
                for item in entry["items"]:
                    writer.writerow(
                        [
                            entry["la_child_id"],
                            entry["case_reference"],
                            "needed",
                            "error",
                            item,
                            "",
                            "",
                            "",
                            entry["fix_url"],
                        ]
                    )
