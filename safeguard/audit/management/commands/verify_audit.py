from django.core.management.base import BaseCommand, CommandError

from safeguard.audit.verification import verify_chain


class Command(BaseCommand):
    help = "Verify the audit log's hash chain and name the first broken row."

    def handle(self, *args, **options) -> None:
        report = verify_chain()
        if not report.ok:
            raise CommandError(
                f"Audit chain broken at row {report.first_broken_id}: {report.problem}. "
                f"{report.rows_checked} rows before it are intact."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {report.rows_checked} rows."))
