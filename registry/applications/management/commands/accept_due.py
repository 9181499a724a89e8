"""Accept every application whose acceptance day has come, once (idempotent).

The periodic run is the scheduler's `accept_due` job (`manage.py scheduler`); this command is for an
operator who wants a sweep now. ``--now ISO`` runs the sweep as of another moment, so the demo (and its
browser journeys) can move to the second working day; it is refused unless DEBUG is on, never in production.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from registry import clock
from registry.applications.services import accept_due_applications


def parse_moment(text: str) -> datetime:
    """Return the aware moment an ISO 8601 text names (a naive one is in the project's time zone)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"--now must be an ISO 8601 date and time: {text!r}") from error
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class Command(BaseCommand):
    help = "Accept the compared applications whose acceptance day (2nd working day after submission) has come."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="demo only (DEBUG on): sweep as of this ISO 8601 moment")

    def handle(self, *args, **options):
        now = clock.now()
        if options.get("now"):
            if not settings.DEBUG:
                raise CommandError("--now is a demo tool and is refused with DEBUG off")
            now = parse_moment(options["now"])
        count = accept_due_applications(now=now)
        self.stdout.write(f"{count} accepted")
