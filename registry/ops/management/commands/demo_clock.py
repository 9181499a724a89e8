"""Move the demo's clock: the server, the task worker, the scheduler and every command read it.

    manage.py demo_clock                      show the demo's time and how far it runs ahead
    manage.py demo_clock --to 2026-12-04T09:00  run from this moment on (a naive time is Chongqing's)
    manage.py demo_clock --reset              back to the machine's time

Only for a demo system started by scripts/serve-demo (which sets REGISTRY_DEMO_CLOCK_FILE); refused with
DEMO_MODE or DEBUG off, and production settings refuse the variable itself. The clock only moves forward:
what the system has recorded stays in order.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from registry import clock
from registry.applications.management.commands.accept_due import parse_moment


class Command(BaseCommand):
    help = "Show, move forward or reset the demo system's clock (demo only)."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--to", help="the ISO 8601 moment the demo's clock runs from (forward only)")
        group.add_argument("--reset", action="store_true", help="back to the machine's time")

    def handle(self, *args, **options):
        if not (settings.DEMO_MODE and settings.DEBUG):
            raise CommandError("demo_clock moves a demo system's clock and is refused with DEMO_MODE or DEBUG off")
        if not clock.demo_clock_enabled():
            raise CommandError(f"{clock.DEMO_CLOCK_ENV} is not set: start the demo with scripts/serve-demo")
        if options["reset"]:
            clock.set_demo_offset(timedelta(0))
        elif options["to"]:
            target = parse_moment(options["to"])
            if target < clock.now():
                raise CommandError(f"the demo's clock only moves forward; it is already at {clock.now():%Y-%m-%d %H:%M} UTC")
            clock.set_demo_offset(target - clock.now() + clock.demo_offset())  # ahead of the machine
        now = clock.now().astimezone(clock.LOCAL_ZONE)
        self.stdout.write(f"{now:%Y-%m-%d %H:%M:%S} (Asia/Shanghai), {clock.demo_offset().total_seconds():.0f} s ahead")
