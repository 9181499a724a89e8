"""Benchmark: outbox messages delivered per second to the stand-in national receiver, and the time from a
registration change committing to its national message acknowledged (median and p99).

    .venv/bin/python benchmarks/outbox_bench.py [--messages 500] [--workers 2] [--samples 50] [--json]
    .venv/bin/python benchmarks/outbox_bench.py --database-url postgres://.../empty_db --rq   # PostgreSQL, RQ

The whole embedded setup on a fresh SQLite file in a temporary folder: the stand-in receiver served by
`manage.py runserver` (its own process, writing the same file), `--workers` database task workers
(`manage.py db_worker`), and this process writing the messages. Throughput: N national messages written
in one transaction, timed from the commit until the last is marked delivered. Latency: one at a time, a
registration transition (the row an approval writes; its post_save receiver writes the national message)
is committed and the message polled until acknowledged; the figure is delivered_at - commit.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit("the stand-in receiver did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--database-url", default="", help="an empty database to use instead of a fresh SQLite file")
    parser.add_argument("--rq", action="store_true", help="RQ workers on REDIS_URL instead of database workers")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="outbox-bench-"))
    port = free_port()
    backend = "django_tasks_rq.RQBackend" if args.rq else "django_tasks_db.DatabaseBackend"
    env = {"DATABASE_URL": args.database_url or f"sqlite:///{folder / 'bench.sqlite3'}", "REGISTRY_VAR_DIR": str(folder),
           "DEBUG": "true", "DEMO_MODE": "true", "TASKS_BACKEND": backend,
           "SITE_BASE_URL": f"http://127.0.0.1:{port}", "LOG_LEVEL": "WARNING"}
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "registry.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from registry import clock
    from registry.applications.models import Registration, RegistrationSpecialty, RegistrationTransition
    from registry.outbox.models import Kind, OutboxMessage, Status
    from registry.outbox.services import queue_message
    from registry.people.models import Enterprise, Person

    call_command("migrate", verbosity=0)
    if args.rq:
        import django_rq

        django_rq.get_queue("default").empty()
    manage = [sys.executable, str(ROOT / "manage.py")]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": {**os.environ}, "cwd": ROOT}
    processes = [subprocess.Popen([*manage, "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"], **quiet)]
    # RQ's SimpleWorker runs jobs in the worker process (no fork per job, the worker class for short I/O tasks).
    worker = (["rqworker", "default", "--job-class", "django_tasks_rq.backend.Job",
               "--worker-class", "rq.worker.SimpleWorker"] if args.rq
              else ["db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.05"])
    processes += [subprocess.Popen([*manage, *worker], **quiet) for _ in range(args.workers)]
    try:
        wait_for_port(port)
        # Throughput.
        with transaction.atomic():
            for n in range(args.messages):
                queue_message(kind=Kind.NATIONAL, key=f"bench:{n}", payload={"type": "bench", "n": n}, now=clock.now())
        started = time.monotonic()
        while OutboxMessage.objects.filter(status=Status.DELIVERED).count() < args.messages:
            time.sleep(0.05)
        elapsed = time.monotonic() - started
        # Latency of a registration change to its acknowledgement.
        enterprise = Enterprise.objects.create(credit_code="91500103MA5U0BENCH", name="基准测试建设有限公司",
                                               district="500103")
        person = Person.objects.create(name="基准", id_number="500103199001011234", sex="M", birth_date=date(1990, 1, 1))
        registration = Registration.objects.create(person=person, number="渝BENCH0001", employer=enterprise,
                                                   registered_on=clock.today())
        RegistrationSpecialty.objects.create(registration=registration, specialty="10401001",
                                             valid_from=clock.today(), valid_to=clock.today())
        latencies = []
        for _ in range(args.samples):
            with transaction.atomic():
                transition = RegistrationTransition.objects.create(registration=registration, to_status="active",
                                                                   action="renewed", at=clock.now())
            committed = clock.now()
            key = f"national:registration-transition:{transition.pk}"
            while not (message := OutboxMessage.objects.filter(idempotency_key=key, status=Status.DELIVERED)
                       .first()):
                time.sleep(0.005)
            latencies.append((message.delivered_at - committed).total_seconds() * 1000)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(30)
    latencies.sort()
    result = {
        "database": "sqlite" if not args.database_url else "given", "queue": "rq" if args.rq else "database",
        "messages": args.messages, "workers": args.workers, "throughput_per_s": round(args.messages / elapsed, 1),
        "samples": args.samples, "latency_median_ms": round(statistics.median(latencies), 1),
        "latency_p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 1),
        "python": platform.python_version(),
    }
    if args.json:
        print(json.dumps(result))
        return
    print(f"{result['throughput_per_s']} messages/s ({args.messages} messages, {args.workers} {result['queue']} workers)")
    print(f"change -> acknowledged: median {result['latency_median_ms']} ms, p99 {result['latency_p99_ms']} ms "
          f"({args.samples} samples)")


if __name__ == "__main__":
    main()
