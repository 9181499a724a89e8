"""Where one QR landing page's time goes, in process: the production stack's WSGI handler, no HTTP server.

Usage (from the repository root; needs the PostgreSQL server of DATABASE_URL and Redis):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench REDIS_URL=redis://127.0.0.1:6379/3 \\
        .venv/bin/python benchmarks/landing_profile.py [--requests 2000] [--profile] [--path /healthz]

It builds the same throw-away database as landing_bench.py (<name>_landing_bench: the demo and 200 copies
of 李四's certificate), then calls Django's WSGI handler directly with the production settings of
registry/testing.py, cycling through the valid links: the median and p99 wall time of one request, the
process's own CPU time per request (which a loaded machine does not inflate as much as the wall time), and with
--profile the functions that take the most cumulative and own time (cProfile). Without the HTTP server and
the load generator this isolates the application's own cost per request: at 1,000 requests/s on 2 cores
the page has about 1 ms of one core.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from landing_bench import SETUP, bench_database, environments  # noqa: E402
from serving_bench import admin_sql  # noqa: E402

MEASURE = r"""
import cProfile, io, pstats, statistics, sys, time
import django
django.setup()
from django.core.handlers.wsgi import WSGIHandler
from django.test.client import FakePayload

paths, count, profile = sys.argv[1].split(","), int(sys.argv[2]), sys.argv[3] == "1"
app = WSGIHandler()


def call(path):
    target, _, query = path.partition("?")
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": target, "QUERY_STRING": query, "SERVER_NAME": "127.0.0.1",
               "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1", "REMOTE_ADDR": "127.0.0.1",
               "HTTP_X_FORWARDED_PROTO": "https", "wsgi.url_scheme": "http", "wsgi.input": FakePayload(b""),
               "wsgi.errors": sys.stderr, "SERVER_PROTOCOL": "HTTP/1.1"}
    status = []
    body = b"".join(app(environ, lambda s, h, *a: status.append(s)))
    assert status[0].startswith("200"), (status, body[:300])
    return body


for path in paths[:50]:
    call(path)  # warm: URLconf, templates, connections
times, cpu = [], []
profiler = cProfile.Profile(time.process_time) if profile else None  # CPU time: waiting is not cost
for n in range(count):
    path = paths[n % len(paths)]
    start, start_cpu = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    call(path)
    if profiler:
        profiler.disable()
    times.append((time.perf_counter() - start) * 1000)
    cpu.append((time.process_time() - start_cpu) * 1000)
times.sort()
print(f"{count} requests: wall median {statistics.median(times):.3f} ms, p90 {times[int(count * 0.9)]:.3f} ms, "
      f"p99 {times[int(count * 0.99)]:.3f} ms; this process's CPU {sum(cpu) / count:.3f} ms per request "
      "(the database's and Redis's own CPU not included)")
if profiler:
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(35)
        print(out.getvalue())
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_callees(r"views.py:\d+\(verify\)")
    print(out.getvalue())
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--certificates", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--path", help="measure this path instead of the landing pages (e.g. /healthz)")
    args = parser.parse_args()
    url, name = bench_database(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/registry"))
    state = Path(os.environ.get("TMPDIR", "/tmp")) / f"landing-profile-{os.getpid()}"
    state.mkdir(parents=True, exist_ok=True)
    demo, production = environments(url, state)
    admin_sql(url, f'DROP DATABASE IF EXISTS "{name}"')
    admin_sql(url, f'CREATE DATABASE "{name}"')
    try:
        out = subprocess.run([sys.executable, "-c", SETUP, str(args.certificates)], cwd=ROOT, env=demo,
                             stdout=subprocess.PIPE, text=True, check=True).stdout
        links = [line.split()[1] for line in out.splitlines() if line.startswith("LINK ")]
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=production,
                       check=True)
        paths = [args.path] if args.path else links
        with (state / "requests.log").open("w") as log:  # the request log lines, as the server writes them
            subprocess.run([sys.executable, "-c", MEASURE, ",".join(paths), str(args.requests),
                            "1" if args.profile else "0"], cwd=ROOT, env=production, stderr=log, check=True)
    finally:
        admin_sql(url, f'DROP DATABASE IF EXISTS "{name}"')


if __name__ == "__main__":
    main()
