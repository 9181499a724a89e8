"""Real workers and schedulers: a worker killed mid-delivery and a receiver down for a while lose nothing
and deliver nothing twice; two schedulers at once run each job once.

SQLite runs the database worker (django-tasks-db); PostgreSQL runs RQ on the machine's Redis.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, transaction

from registry import clock
from registry.applications import services as workflow
from registry.applications.models import ApplicationStatus, ApplicationTransition
from registry.applications.tests.conftest import at, submitted_initial
from registry.outbox import scheduler, services
from registry.outbox.models import Kind, OutboxMessage, PeriodicJob, Status

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[3]
MESSAGES = 12
WAIT_SECONDS = 120


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}?conn_max_age=0"


def queue_backend() -> str:
    return "django_tasks_db.DatabaseBackend" if connection.vendor == "sqlite" else "django_tasks_rq.RQBackend"


def start(*args: str, env: dict) -> subprocess.Popen:
    """Start manage.py in its own session."""
    return subprocess.Popen([sys.executable, str(Path(__file__).with_name("run_manage.py")), *args], cwd=ROOT,
                            env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def descendants(pid: int) -> list[int]:
    """Return the pids of a process's children and theirs (RQ's work horse starts its own session)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kill(process: subprocess.Popen, sig=signal.SIGKILL) -> None:
    """Send the signal to the process and everything it started, like a machine that stops."""
    for pid in [*descendants(process.pid), process.pid]:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass
    process.wait(30)


def worker_args() -> list[str]:
    if connection.vendor == "sqlite":
        return ["db_worker", "--no-startup-delay", "--no-reload", "--interval", "0.2"]
    return ["rqworker", "default", "--job-class", "django_tasks_rq.backend.Job"]


def wait_until(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            seen = sorted(OutboxMessage.objects.values_list("status", "attempts", "last_error"))
            pytest.fail(f"gave up waiting for {what}; messages: {seen}")
        time.sleep(0.2)


@pytest.fixture
def queue(settings):
    """Point this process's task queue at the backend the pass runs (and empty the RQ queue)."""
    settings.TASKS = {"default": {"BACKEND": queue_backend()}}
    if connection.vendor != "sqlite":
        import django_rq

        django_rq.get_queue("default").empty()
    return queue_backend()


def test_a_killed_worker_and_a_receiver_down_for_a_while_lose_nothing_and_repeat_nothing(receiver, settings, queue):
    state, url = receiver
    settings.NATIONAL_PLATFORM_URL = url
    env = {**os.environ, "DATABASE_URL": database_url(), "TASKS_BACKEND": queue, "NATIONAL_PLATFORM_URL": url,
           "OUTBOX_LEASE_SECONDS": "3", "OUTBOX_BACKOFF_BASE_SECONDS": "1", "OUTBOX_BACKOFF_MAX_SECONDS": "2",
           "OUTBOX_RETRY_INTERVAL_SECONDS": "1", "ACCEPT_SWEEP_INTERVAL_SECONDS": "3600", "DEBUG": "true"}
    state.down = True
    with transaction.atomic():  # enqueued by primary key when this commits
        ids = [services.queue_message(kind=Kind.NATIONAL, key=f"drill:{n}", payload={"n": n}, now=clock.now()).pk
               for n in range(MESSAGES)]
    worker = start(*worker_args(), env=env)
    sweeper = start("scheduler", "--tick", "0.5", env=env)
    try:
        # 1. The receiver is down: every message fails at least once and waits for its next attempt.
        wait_until(lambda: OutboxMessage.objects.filter(pk__in=ids, attempts__gte=1).count() == MESSAGES,
                   "every message to be tried against the receiver that is down")
        # 2. It comes back, applies the next message and holds the answer; the worker dies right then.
        state.hold_next = True
        state.down = False
        assert state.holding.wait(WAIT_SECONDS), "no delivery reached the receiver"
        kill(worker)
        state.release.set()
        # 3. A new worker; the dead worker's claim runs out and the message is delivered again.
        worker = start(*worker_args(), env=env)
        wait_until(lambda: OutboxMessage.objects.filter(pk__in=ids, status=Status.DELIVERED).count() == MESSAGES,
                   "every message to be delivered")
    finally:
        kill(worker)
        kill(sweeper, signal.SIGTERM)
    assert sorted(state.applied) == sorted(f"drill:{n}" for n in range(MESSAGES))
    assert set(state.applied.values()) == {1}  # none applied twice
    assert state.duplicates >= 1  # the message whose acknowledgement was lost came again and was recognised
    # The one whose answer was lost was claimed again after the dead worker's lease ran out.
    assert OutboxMessage.objects.filter(pk__in=ids, attempts__gte=2).count() >= 1


def test_two_schedulers_at_once_run_each_job_once(world):
    application = submitted_initial(world, at(2026, 11, 2))
    workflow.confirm_by_employer(actor=world.operator_a, application=application, now=at(2026, 11, 2))
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING_ACCEPTANCE
    now = clock.now()
    ran: list[list[tuple[str, str]]] = []
    barrier = threading.Barrier(4)

    def one_scheduler():
        try:
            barrier.wait()
            ran.append(scheduler.run_due_jobs(now=now))
        finally:
            connection.close()

    threads = [threading.Thread(target=one_scheduler) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    names = sorted(name for result in ran for name, _result in result)
    assert names == sorted(job.name for job in scheduler.JOBS)
    assert set(PeriodicJob.objects.values_list("runs", flat=True)) == {1}
    assert ApplicationTransition.objects.filter(application=application, action="accept").count() == 1
    # The next slot is an interval later: running again now does nothing.
    assert scheduler.run_due_jobs(now=now) == []
    assert [n for n, _ in scheduler.run_due_jobs(now=now + timedelta(seconds=61))] == ["accept_due", "outbox_retry"]
