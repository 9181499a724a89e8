"""Accept every application whose acceptance day has come, once (idempotent).

The periodic run is the scheduler's `accept_due` job (`manage.py scheduler`); this command is for an
operator who wants a sweep now.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from registry.applications.services import accept_due_applications


class Command(BaseCommand):
    help = "Accept the compared applications whose acceptance day (2nd working day after submission) has come."

    def handle(self, *args, **options):
        count = accept_due_applications(now=timezone.now())
        self.stdout.write(f"{count} accepted")
