"""Remove stored certificate files that no certificate row names (left by a failed issue).

    python manage.py sweep_certificate_files [--grace-seconds N]
"""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandParser

from registry import clock
from registry.certificates.services import sweep_orphan_files


class Command(BaseCommand):
    help = "Delete certificate files with no row, older than the grace period (CERTIFICATE_ORPHAN_GRACE_SECONDS)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--grace-seconds", type=int, default=None, help="override the grace period")

    def handle(self, *args, **options) -> None:
        grace = options["grace_seconds"]
        removed = sweep_orphan_files(now=clock.now(), grace=timedelta(seconds=grace) if grace is not None else None)
        self.stdout.write(f"removed: {len(removed)}")
