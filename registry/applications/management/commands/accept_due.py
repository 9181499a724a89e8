"""Accept every application whose acceptance day has come (run it from a timer; it is idempotent)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from registry.applications.services import accept_due_applications


class Command(BaseCommand):
    help = "Accept the compared applications whose acceptance day (2nd working day after submission) has come."

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=int, default=0, metavar="SECONDS",
                            help="keep running, sweeping every SECONDS seconds")

    def handle(self, *args, loop: int = 0, **options):
        while True:
            count = accept_due_applications(now=timezone.now())
            self.stdout.write(f"{count} accepted")
            if loop <= 0:
                return
            time.sleep(loop)
