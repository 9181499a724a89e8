"""`manage.py backup [--to FOLDER]`: back up the database and the private files into a new folder."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from registry import clock
from registry.ops.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "Back up the database (pg_dump or SQLite's backup API) and the private files into a new folder."

    def add_arguments(self, parser):
        parser.add_argument("--to", type=Path, default=None, help="folder to write into (default BACKUP_DIR)")

    def handle(self, *args, **options):
        try:
            folder = create_backup(options["to"] or settings.BACKUP_DIR, now=clock.now())
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(str(folder))
