"""Run the periodic jobs (acceptance, reminders, outbox retries, reconciliation, certificate sweeps).

Any number of schedulers may run at once: each job slot is claimed by a conditional update.
"""

from __future__ import annotations

import signal
import time

from django.core.management.base import BaseCommand

from registry import clock
from registry.outbox.scheduler import JOBS, run_due_jobs


class Command(BaseCommand):
    help = "Run the periodic jobs whose time has come, once or in a loop."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run the due jobs once and exit")
        parser.add_argument("--tick", type=float, default=5.0, metavar="SECONDS",
                            help="how often to look for due jobs (default 5)")
        parser.add_argument("--list", action="store_true", dest="show_jobs", help="list the jobs and their intervals")

    def handle(self, *args, once: bool = False, tick: float = 5.0, show_jobs: bool = False, **options):
        if show_jobs:
            for job in JOBS:
                self.stdout.write(f"{job.name}\tevery {job.interval_seconds()} s")
            return
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        while not stopping:
            for name, result in run_due_jobs(now=clock.now()):
                self.stdout.write(f"{name}: {result}")
            self.stdout.flush()
            if once:
                return
            time.sleep(tick)
