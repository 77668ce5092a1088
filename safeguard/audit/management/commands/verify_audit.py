from django.core.management.base import BaseCommand, CommandError

from safeguard.audit.verification import MAX_LISTED, verify_chain


class Command(BaseCommand):
    help = (
        "Verify the audit log: every sealed row's content hash and keyed seal in "
        "chain order, no gaps, the chain's end against the signed checkpoints, and no "
        "row left unsealed too long. Exits 0 when intact, 1 (naming the first broken "
        "row) when not. Read-only unless --seal-first."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--seal-first",
            action="store_true",
            help="Seal waiting rows and write a checkpoint before verifying (as the "
            "beat task would), e.g. after a restore or with the workers stopped.",
        )
        parser.add_argument(
            "--checkpoint-dir",
            help="Verify against checkpoints in this folder (e.g. the copy shipped off "
            "the server) instead of AUDIT_CHECKPOINT_DIR.",
        )

        parser.add_argument(
            "--restored",
            action="store_true",
            help="This database is a restored backup: its chain may end before the newest "
            "checkpoint, and rows waiting for the sealer at backup time are not a failure; "
            "every checkpoint it reaches must still match.",
        )

    def handle(self, *args, **options) -> None:
        if options["seal_first"]:
            from safeguard.audit.services import audit_seal

            result = audit_seal(force_checkpoint=True)
            self.stdout.write(f"Sealed {result.sealed} rows; the chain ends at {result.position}.")
        report = verify_chain(
            checkpoint_folder=options.get("checkpoint_dir"), restored=options["restored"]
        )
        for note in report.notes:
            self.stdout.write(f"Note: {note}.")
        if not report.ok:
            lines = [f"  - {problem}" for problem in report.problems]
            if report.extra:
                lines.append(f"  … and {report.extra} more (only {MAX_LISTED} listed)")
            where = f" at row {report.first_broken_id}" if report.first_broken_id else ""
            raise CommandError(
                f"Audit chain broken{where}: {report.problem}\n"
                f"{report.rows_checked} sealed rows checked; problems:\n" + "\n".join(lines)
            )
        waiting = f", {report.unsealed} waiting to be sealed" if report.unsealed else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit chain intact: {report.rows_checked} rows{waiting}; "
                f"the chain ends at position {report.last_position}, "
                f"anchored by {report.checkpoints} checkpoints."
            )
        )
