"""Requests per second of the start page, an application page, /healthz and /readyz: gunicorn (2 workers,
sync and with 4 threads each) against runserver.

Usage (from the repository root; needs the PostgreSQL server of DATABASE_URL):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/registry .venv/bin/python benchmarks/serving_bench.py
    .venv/bin/python benchmarks/serving_bench.py --seconds 8 --rounds 2 --clients 4 [--json]

It creates a throw-away database (<name>_serving_bench) on that server, migrates it, creates one
applicant with a draft application and a signed-in session, and starts both servers on loopback ports
with the same production settings (DEBUG off, JSON logs to a file). Each measurement is a closed loop of
`--clients` threads, each opening a connection per request (gunicorn's sync workers close it), for
`--seconds`, stopping at 50,000 requests at most; servers and pages are interleaved in every round. Then it
stops both servers and drops the database. Only loopback addresses are ever contacted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
MAX_REQUESTS = 50_000
# gunicorn with 2 workers: sync (one request at a time each), and threaded (4 threads each).
GUNICORN_SHAPES = {"gunicorn": "1", "gunicorn-4t": "4"}
PRODUCTION = {
    "DEBUG": "false", "SECRET_KEY": "bench-" + "k" * 50, "ALLOWED_HOSTS": "127.0.0.1", "DEMO_MODE": "false",
    "CERTIFICATE_VERIFICATION_KEY": "bench-" + "q" * 40, "YKB_ISSUER": "https://ykb.example.gov.cn/oidc",
    "YKB_CLIENT_SECRET": "c" * 40, "FACE_PROVIDER_START_URL": "https://face.example.gov.cn/start",
    "FACE_PROVIDER_ISSUER": "cq-face-provider", "FACE_PROVIDER_JWKS": "face-provider.jwks",
    "LOCK_DRIVER_URL": "https://lock-driver.example.gov.cn/", "LOG_FORMAT": "json",
    "CACHE_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),  # production refuses a per-process cache
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bench_database(url: str) -> tuple[str, str]:
    """Return (bench URL, bench database name) beside the database of url."""
    from registry.env import parse_database_url

    db = parse_database_url(url, str(ROOT))
    if not db["ENGINE"].endswith("postgresql"):
        raise SystemExit("serving_bench needs DATABASE_URL=postgres://…")
    name = f"{db['NAME']}_serving_bench"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}?conn_max_age=60", name


def admin_sql(url: str, statement: str) -> None:
    import psycopg

    from registry.env import parse_database_url

    db = parse_database_url(url, str(ROOT))
    params = {"host": db["HOST"], "port": db["PORT"], "user": db["USER"], "password": db["PASSWORD"]}
    with psycopg.connect(dbname="postgres", autocommit=True, **{k: v for k, v in params.items() if v}) as conn:
        conn.execute(statement)


def prepare(state_dir: Path) -> tuple[str, str]:
    """Migrate, create an applicant with a draft; return (application page path, session cookie)."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from registry.applications import services
    from registry.applications.models import ApplicationType, Qualification, Specialty
    from registry.people.models import Enterprise, EnterpriseAuthState, Person, Role, User

    call_command("migrate", verbosity=0)
    from django.conf import settings

    from registry.seal import create_demo_pki

    create_demo_pki(settings.SEAL_KEY_DIR)  # production never creates a key: /readyz's signer check needs one
    enterprise = Enterprise.objects.create(credit_code="91500103MA5U000001", name="重庆山城建设工程有限公司",
                                           district="500103", auth_state=EnterpriseAuthState.AUTHENTICATED)
    user = User.objects.create_user(username="bench-applicant", password=None, role=Role.APPLICANT)
    person = Person.objects.create(user=user, name="张三", id_number="500103199001011234", sex="M",
                                   birth_date=timezone.now().date().replace(year=1990))
    Qualification.objects.create(management_number="QA2024000001", name="张三", id_number=person.id_number,
                                 specialty=Specialty.BUILDING, year_obtained=2024,
                                 issued_on=timezone.now().date().replace(month=1, day=1))
    application = services.create_application(actor=user, application_type=ApplicationType.INITIAL,
                                              specialties=[Specialty.BUILDING], employer=enterprise, now=timezone.now())
    client = Client()
    client.force_login(user)
    from django.db import connections

    connections.close_all()
    return reverse("applications:detail", args=[application.pk]), client.cookies["sessionid"].value


def wait_until_up(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server on {port} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server on {port} did not start")


def load(port: int, path: str, cookie: str, seconds: float, clients: int) -> dict:
    """Run the closed loop; return requests/s, the median and 95th percentile latency, and any errors."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    headers = {"Host": "127.0.0.1", "Cookie": f"sessionid={cookie}"} if cookie else {"Host": "127.0.0.1"}

    def worker():
        while time.monotonic() < stop_at:
            with lock:
                if len(latencies) + errors[0] >= MAX_REQUESTS:
                    return
            started = time.perf_counter()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                ok = False
            finally:
                conn.close()
            with lock:
                if ok:
                    latencies.append(time.perf_counter() - started)
                else:
                    errors[0] += 1

    begun = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - begun
    latencies.sort()
    return {"rps": len(latencies) / elapsed, "requests": len(latencies), "errors": errors[0],
            "p50_ms": 1000 * statistics.median(latencies) if latencies else None,
            "p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))] if latencies else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    url, name = bench_database(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/registry"))
    state = Path(tempfile.mkdtemp(prefix="serving-bench-"))
    env = {**os.environ, **PRODUCTION, "DATABASE_URL": url, "REGISTRY_VAR_DIR": str(state),
           "DJANGO_SETTINGS_MODULE": "registry.settings"}
    os.environ.update(env)
    admin_sql(url, f'DROP DATABASE IF EXISTS "{name}"')
    admin_sql(url, f'CREATE DATABASE "{name}"')
    servers: dict[str, subprocess.Popen] = {}
    try:
        page, cookie = prepare(state)
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env,
                       check=True)
        ports = {name: free_port() for name in GUNICORN_SHAPES} | {"runserver": free_port()}
        log = (state / "servers.log").open("w")
        for server, threads in GUNICORN_SHAPES.items():
            servers[server] = subprocess.Popen(
                [str(Path(sys.executable).with_name("gunicorn")), "-c", "deploy/gunicorn.conf.py"], cwd=ROOT,
                env={**env, "WEB_CONCURRENCY": "2", "GUNICORN_THREADS": threads,
                     "GUNICORN_BIND": f"127.0.0.1:{ports[server]}"}, stdout=log, stderr=log)
        servers["runserver"] = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{ports['runserver']}"], cwd=ROOT,
            env=env, stdout=log, stderr=log)
        for server, port in ports.items():
            wait_until_up(port, servers[server])
        pages = {"start page": ("/", ""), "application page": (page, cookie), "/healthz": ("/healthz", ""),
                 "/readyz": ("/readyz", "")}
        results: dict[str, dict[str, list]] = {p: {s: [] for s in ports} for p in pages}
        for _ in range(args.rounds):
            for label, (path, session) in pages.items():
                for server, port in ports.items():
                    load(port, path, session, 1.0, args.clients)  # warm-up
                    results[label][server].append(load(port, path, session, args.seconds, args.clients))
    finally:
        for process in servers.values():
            process.terminate()
        for process in servers.values():
            process.wait(timeout=30)
        admin_sql(url, f'DROP DATABASE IF EXISTS "{name}"')
    report(results, args)


def report(results: dict, args) -> None:
    summary = {}
    for label, by_server in results.items():
        summary[label] = {}
        for server, runs in by_server.items():
            best = max(runs, key=lambda run: run["rps"])
            summary[label][server] = {**best, "all_rps": [round(run["rps"], 1) for run in runs],
                                      "errors": sum(run["errors"] for run in runs)}
    if args.json:
        print(json.dumps(summary, indent=2))
        return
    print(f"{args.clients} client threads, {args.seconds:.0f} s per run, best of {args.rounds} interleaved rounds")
    for label, by_server in summary.items():
        for server, best in by_server.items():
            print(f"{label:18} {server:11} {best['rps']:7.1f} req/s  p50 {best['p50_ms']:6.1f} ms  "
                  f"p95 {best['p95_ms']:6.1f} ms  runs {best['all_rps']}  errors {best['errors']}")
        for server in GUNICORN_SHAPES:
            ratio = by_server[server]["rps"] / by_server["runserver"]["rps"]
            print(f"{label:18} {server} / runserver = {ratio:.2f}")


if __name__ == "__main__":
    main()
