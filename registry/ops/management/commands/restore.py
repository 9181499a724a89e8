"""`manage.py restore FOLDER --yes`: restore a backup, then report what the restore verifiers found.

`manage.py restore --verify-only` runs the verifiers alone, against the data as it is. The exit status
is non-zero when any verifier found a problem.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from registry import clock
from registry.ops.backup import BackupError, restore_backup, run_verifiers


class Command(BaseCommand):
    help = "Restore a backup folder (replaces the database and the private files), then verify what it holds."

    def add_arguments(self, parser):
        parser.add_argument("folder", nargs="?", type=Path, help="a folder written by manage.py backup")
        parser.add_argument("--yes", action="store_true", help="confirm: the database and files are replaced")
        parser.add_argument("--verify-only", action="store_true", help="only run the verifiers")

    def handle(self, *args, **options):
        now = clock.now()
        if options["verify_only"]:
            checks = run_verifiers(now=now)
        else:
            if options["folder"] is None:
                raise CommandError("name the backup folder to restore")
            if not options["yes"]:
                raise CommandError("restore replaces the database and the private files: pass --yes to go on")
            try:
                checks = restore_backup(options["folder"], now=now)
            except BackupError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(f"restored {options['folder']}")
        for check in checks:
            verdict = "ok" if check.passed else f"{len(check.problems)} problem(s)"
            self.stdout.write(f"{check.name}: {check.checked} checked, {verdict}")
            for problem in check.problems:
                self.stdout.write(f"  {problem}")
        failed = [check.name for check in checks if not check.passed]
        if failed:
            raise CommandError(f"verification found problems: {', '.join(failed)}")
