"""The one scheduler of periodic work: a table of jobs and their intervals.

Every scheduler process runs ``run_due_jobs`` in a loop. A job runs only after its slot is claimed by a
conditional update of its PeriodicJob row (``next_run_at <= now`` -> ``now + interval``), so two schedulers
at once run each slot once; each job is itself idempotent and claims its rows the same way. The sweeps of
the certificates app are called by command name when that app provides them.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.management import call_command, get_commands
from django.db.models import F

from registry.outbox.models import PeriodicJob

logger = logging.getLogger("registry.scheduler")


@dataclass(frozen=True)
class Job:
    name: str
    interval_seconds: Callable[[], int]
    run: Callable[[datetime], str]


def _accept_due(now: datetime) -> str:
    from registry.applications.services import accept_due_applications

    return f"{accept_due_applications(now=now)} accepted"


def _outbox_retry(now: datetime) -> str:
    from registry.outbox.services import requeue_due

    return f"{requeue_due(now=now)} enqueued"


def _due_reminders(now: datetime) -> str:
    from registry.outbox.reminders import remind_reviewers

    return f"{remind_reviewers(now=now)} applications due soon or overdue"


def _reconcile(now: datetime) -> str:
    from registry.outbox.reconcile import differences

    found = differences()
    for line in found:
        logger.warning("national reconciliation: %s", line)
    return f"{len(found)} differences"


def _command(name: str) -> Callable[[datetime], str]:
    def run(now: datetime) -> str:
        if name not in get_commands():
            return "not installed"
        out = io.StringIO()
        call_command(name, stdout=out)
        return out.getvalue().strip()[-300:]

    return run


JOBS: tuple[Job, ...] = (
    Job("accept_due", lambda: settings.ACCEPT_SWEEP_INTERVAL_SECONDS, _accept_due),
    Job("outbox_retry", lambda: settings.OUTBOX_RETRY_INTERVAL_SECONDS, _outbox_retry),
    Job("due_reminders", lambda: 3600, _due_reminders),
    Job("reconcile_national", lambda: 24 * 3600, _reconcile),
    # Written by the certificates app as management commands; skipped until they exist.
    Job("expire_certificates", lambda: 3600, _command("expire_certificates")),
    Job("sweep_certificate_files", lambda: 24 * 3600, _command("sweep_certificate_files")),
)


def claim_slot(job: Job, *, now: datetime) -> bool:
    """Claim the job's current slot; True for exactly one caller per slot."""
    PeriodicJob.objects.get_or_create(name=job.name, defaults={"next_run_at": now})
    claimed = PeriodicJob.objects.filter(name=job.name, next_run_at__lte=now).update(
        next_run_at=now + timedelta(seconds=job.interval_seconds()), last_started_at=now, runs=F("runs") + 1)
    return claimed == 1


def run_due_jobs(*, now: datetime, jobs: tuple[Job, ...] = JOBS) -> list[tuple[str, str]]:
    """Run every job whose slot this process claims; return (name, result) of those it ran."""
    ran = []
    for job in jobs:
        if not claim_slot(job, now=now):
            continue
        try:
            result = job.run(now)
        except Exception as exc:  # one failing job must not stop the others; the next slot tries again
            logger.exception("scheduler: job %s failed", job.name)
            result = f"failed: {type(exc).__name__}"
        PeriodicJob.objects.filter(name=job.name).update(last_finished_at=now, last_result=result[:300])
        ran.append((job.name, result))
    return ran
