"""The QR landing page under load: gunicorn on PostgreSQL, wrk on loopback, against a trivial page.

Usage (from the repository root; needs the PostgreSQL server of DATABASE_URL, Redis, and Debian's `wrk`):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench11c REDIS_URL=redis://127.0.0.1:6379/3 \\
        .venv/bin/python benchmarks/landing_bench.py [--seconds 10] [--connections 8] [--certificates 200] [--json]

It creates a throw-away database (<name>_landing_bench), migrates it, loads the demo (load_demo,
load_certificate_demo: 李四's sealed certificate) and copies that certificate's row into `--certificates`
certificates with their own public ids (the landing page reads one row; the sealed file is not opened).
Then it starts gunicorn the way deploy/gunicorn.conf.py and scripts/start-production do (WEB_CONCURRENCY
workers, default 2, sync; DEBUG off, the production settings of registry/testing.py, JSON logs to a file,
the rate limit counting in Redis but raised out of the way), and for each page runs wrk for `--seconds`
with `--connections` connections on 2 threads (the sync worker closes each after its response, so wrk
reopens one per request): the landing page cycles through every valid
link (a Lua script), the trivial page is /healthz (the same middleware, no database). Pages are
interleaved over `--rounds`. Debian's wrk is closed-loop (no constant-rate wrk2), so the figure is the
throughput it reached and its latency percentiles at that load; a p99 at 1,000 requests/s is read from a
run whose achieved rate is at least 1,000. Only loopback addresses are contacted. The load average is
printed with every figure: the machine is shared.

Each run also gives the CPU time one request cost, by part (read from /proc, so Linux only): the gunicorn
processes, PostgreSQL's (every `postgres` process of the machine), Redis's and wrk's own. On 2 cores the
throughput is about 2 s divided by their sum, so the parts say where a page's time goes, and their
ratios hold better than the rates on a machine whose speed changes from hour to hour.

After the wrk rounds, `--uploads` checks (default 50, after 3 warm-ups) of a ~1 MB certificate sealed by the
demo's key (its photo is JPEG noise, which does not compress; the served process trusts the demo's root
through CERTIFICATE_TRUST_ROOTS_FILE, and the file is stored as one more certificate, so each answer is valid)
are posted one after another from one client (a new connection per check) to the API (POST /api/check) and to the page
(POST /certificates/check/ with its CSRF token): wall-clock median, p95 and min per check as the client sees
it (multipart parsing, strict seal verification, the lookup by SHA-256, the answer) and gunicorn's CPU per check.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from serving_bench import admin_sql, free_port, wait_until_up  # noqa: E402

from registry.testing import PRODUCTION_ENV  # noqa: E402

LUA = """
local paths = {}
for line in io.lines("%s") do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
"""
UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def bench_database(url: str) -> tuple[str, str]:
    from registry.env import parse_database_url

    db = parse_database_url(url, str(ROOT))
    if not db["ENGINE"].endswith("postgresql"):
        raise SystemExit("landing_bench needs DATABASE_URL=postgres://…")
    name = f"{db['NAME']}_landing_bench"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}?conn_max_age=60", name


SETUP = """
import sys
import django
django.setup()
from django.core.management import call_command
from registry.certificates import public
from registry.certificates.models import Certificate
from registry.certificates.verification import new_public_id
call_command("migrate", verbosity=0)
call_command("load_demo", verbosity=0)
call_command("load_certificate_demo", verbosity=0)
first = Certificate.objects.filter(name="李四").get()  # the demo has more holders; 李四 is copied
links = [public.link_of(first)]
unique = {field: getattr(first, field)[:60] for field in ("idempotency_key", "licence_identifier", "serial",
                                                          "storage_name")}
holder = first.person
for n in range(int(sys.argv[1]) - 1):
    holder.pk, holder.user, holder.id_number = None, None, f"50010319900101{n:04d}"  # one valid certificate each
    holder.save(force_insert=True)
    first.pk, first.person, first.version = None, holder, n + 2
    first.public_id = new_public_id()
    for field, value in unique.items():
        setattr(first, field, f"{value}-b{n}")
    first.supersedes = None
    first.save(force_insert=True)
    links.append(public.link_of(first))
from urllib.parse import urlsplit
for link in links:
    parts = urlsplit(link)
    print("LINK", parts.path + "?" + parts.query)
if len(sys.argv) > 2:  # the upload check's file: a ~1 MB certificate sealed by the demo, stored as one more row
    import hashlib
    import ssl
    from pathlib import Path
    sys.path.insert(0, "benchmarks")
    from verify_upload_bench import big_photo
    from registry import clock
    from registry.certificates.demo import demo_certificate_data, demo_signature
    from registry.certificates.document import build_certificate
    from registry.certificates.sealing import get_layout, get_sealing
    from registry.clock import LOCAL_ZONE
    now, sealing, folder = clock.now(), get_sealing(), Path(sys.argv[2])
    data = demo_certificate_data(photo=big_photo(950_000), signature=demo_signature(),
                                 issue_date=now.astimezone(LOCAL_ZONE).date())
    content = build_certificate(data, layout=get_layout(), signer=sealing.signer, seal=sealing.seal, sign_time=now)
    (folder / "upload.ofd").write_bytes(content)
    (folder / "trust-roots.pem").write_text(ssl.DER_cert_to_PEM_cert(sealing.trust_root), encoding="ascii")
    holder.pk, holder.user, holder.id_number = None, None, "500103199001019999"
    holder.save(force_insert=True)
    first.pk, first.person, first.version, first.public_id = None, holder, int(sys.argv[1]) + 1, new_public_id()
    first.supersedes = None
    for field, value in unique.items():
        setattr(first, field, f"{value}-upload")
    first.sha256 = hashlib.sha256(content).hexdigest()
    first.save(force_insert=True)
"""


def environments(url: str, state: Path) -> tuple[dict, dict]:
    """Return the environments that build the data (the demo's) and serve it (production's) for a database."""
    key = PRODUCTION_ENV["CERTIFICATE_VERIFICATION_KEY"]
    base = {**os.environ, "DATABASE_URL": url, "REGISTRY_VAR_DIR": str(state),
            "DJANGO_SETTINGS_MODULE": "registry.settings", "CERTIFICATE_VERIFICATION_KEY": key,
            "CERTIFICATE_VERIFY_BASE_URL": "http://127.0.0.1/certificates/verify"}
    # The demo (its seal key, its simulators) builds the data; production settings serve it.
    demo = {**base, "DEBUG": "true", "DEMO_MODE": "true"}
    production = {**base, **PRODUCTION_ENV, "ALLOWED_HOSTS": "127.0.0.1", "LOG_FORMAT": "json",
                  "CACHE_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
                  "BEHIND_TLS_PROXY": "true", "TRUSTED_PROXIES": "127.0.0.1", "VERIFY_RATE_PER_MINUTE": str(10**9)}
    return demo, production


CPU_PARTS = ("gunicorn", "postgres", "redis", "wrk")


def cpu_seconds(server_pid: int) -> dict[str, dict[int, float]]:
    """Return the CPU time (user and system) so far of each gunicorn process, PostgreSQL's, Redis's, and of our
    children (wrk, once waited for, as pid 0), by part and process id."""
    tick = os.sysconf("SC_CLK_TCK")
    parts: dict[str, dict[int, float]] = {part: {} for part in CPU_PARTS}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # the process has ended
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()  # from the state on: ppid is [1], utime [11], stime [12]
        pid, ppid = int(entry.name), int(fields[1])
        part = ("gunicorn" if server_pid in (pid, ppid) else "postgres" if comm == "postgres"
                else "redis" if comm.startswith("redis-server") else None)
        if part:
            parts[part][pid] = (int(fields[11]) + int(fields[12])) / tick
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    parts["wrk"][0] = children.ru_utime + children.ru_stime
    return parts


def cpu_used(before: dict[str, dict[int, float]], after: dict[str, dict[int, float]]) -> dict[str, float]:
    """The CPU seconds each part used between two readings: per process, so that one which ended in between
    (a PostgreSQL backend, an autovacuum worker) takes nothing away; one that started adds all of its own."""
    return {part: sum(seconds - before[part].get(pid, 0.0) for pid, seconds in after[part].items())
            for part in CPU_PARTS}


def wrk(port: int, path: str, script: Path | None, seconds: float, connections: int, server_pid: int) -> dict:
    """Run wrk; return requests/s, p50/p90/p99 in ms, non-2xx answers, socket errors, the load average and the
    CPU milliseconds per request of each part."""
    args = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds:.0f}s", "--latency", "--timeout", "5s",
            "-H", "X-Forwarded-Proto: https"]  # as nginx sends it: no redirect to https
    if script:
        args += ["-s", str(script)]
    before = cpu_seconds(server_pid)
    out = subprocess.run([*args, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True,
                         timeout=seconds + 60).stdout
    after = cpu_seconds(server_pid)
    requests = int(re.search(r"^\s*(\d+) requests in", out, re.M).group(1))
    percentiles = {p: float(v) * UNIT[u] for p, v, u in re.findall(r"^\s+(50|90|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)}
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50_ms": percentiles.get("50"), "p90_ms": percentiles.get("90"), "p99_ms": percentiles.get("99"),
            "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
            "socket_errors": sum(map(int, errors.groups())) if errors else 0,
            "load_avg": round(os.getloadavg()[0], 2),
            "requests": requests,
            "cpu_ms": {part: round(used * 1000 / max(requests, 1), 3) for part, used in cpu_used(before, after).items()}}


def multipart(content: bytes, fields: dict[str, str] | None = None) -> tuple[str, bytes]:
    """Return the content type and body of a form posting content as the field "file" (and fields)."""
    boundary = "----bench" + os.urandom(8).hex()
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
             for name, value in (fields or {}).items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="certificate.ofd"\r\n'
                 f"Content-Type: application/ofd\r\n\r\n".encode() + content + b"\r\n")
    return f"multipart/form-data; boundary={boundary}", b"".join(parts) + f"--{boundary}--\r\n".encode()


def upload_checks(port: int, content: bytes, rounds: int, server_pid: int) -> dict[str, dict]:
    """Post the file `rounds` times, one after another from one client, to the API (POST /api/check)
    and to the page (POST /certificates/check/, with its CSRF token); return wall-clock ms per check (median, p95,
    min) and gunicorn's CPU ms per check. Every answer must say valid."""
    https = {"X-Forwarded-Proto": "https"}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/certificates/check/", headers=https)
    response = connection.getresponse()
    page = response.read().decode()
    cookie = next(value.split(";")[0] for name, value in response.getheaders() if name.lower() == "set-cookie"
                  and value.startswith("csrftoken="))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    channels = {
        "API": ("/api/check", multipart(content), {}, lambda body: json.loads(body)["answer"]["outcome"] == "valid"),
        "page": ("/certificates/check/", multipart(content, {"csrfmiddlewaretoken": token}),
                 {"Cookie": cookie, "Referer": f"https://127.0.0.1:{port}/certificates/check/"},
                 lambda body: 'data-code="valid"' in body.decode()),
    }
    figures = {}
    for label, (path, (content_type, body), headers, valid) in channels.items():
        times = []
        before = cpu_seconds(server_pid)
        for index in range(rounds + 3):  # 3 warm-ups
            start = time.perf_counter()
            connection.request("POST", path, body=body, headers={**https, **headers, "Content-Type": content_type})
            response = connection.getresponse()
            answer = response.read()
            elapsed = (time.perf_counter() - start) * 1000
            if response.status != 200 or not valid(answer):
                raise SystemExit(f"{path} answered {response.status}, not valid: {answer[:300]!r}")
            if index >= 3:
                times.append(elapsed)
        gunicorn = cpu_used(before, cpu_seconds(server_pid))["gunicorn"]
        times.sort()
        figures[label] = {"file_bytes": len(content), "rounds": rounds, "median_ms": round(statistics.median(times), 1),
                          "p95_ms": round(times[max(int(len(times) * 0.95) - 1, 0)], 1), "min_ms": round(times[0], 1),
                          "gunicorn_cpu_ms": round(gunicorn * 1000 / (rounds + 3), 1),
                          "load_avg": round(os.getloadavg()[0], 2)}
    connection.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--certificates", type=int, default=200)
    parser.add_argument("--workers", default=os.environ.get("WEB_CONCURRENCY", "2"))
    parser.add_argument("--threads", default=os.environ.get("GUNICORN_THREADS", "1"))
    parser.add_argument("--max-requests", default=os.environ.get("GUNICORN_MAX_REQUESTS", ""),
                        help="gunicorn's max_requests (default: deploy/gunicorn.conf.py's)")
    parser.add_argument("--uploads", type=int, default=50,
                        help="upload checks of a ~1 MB certificate per channel after the wrk rounds (0: none)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("landing_bench needs wrk (Debian package wrk; scripts/bootstrap installs it)")

    url, name = bench_database(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/registry"))
    state = Path(tempfile.mkdtemp(prefix="landing-bench-"))
    demo, production = environments(url, state)
    production.update(WEB_CONCURRENCY=args.workers, GUNICORN_THREADS=args.threads, GUNICORN_MAX_REQUESTS=args.max_requests)
    if args.uploads:  # the upload check trusts the demo's root: the demo sealed the file
        production["CERTIFICATE_TRUST_ROOTS_FILE"] = str(state / "trust-roots.pem")
    admin_sql(url, f'DROP DATABASE IF EXISTS "{name}"')
    admin_sql(url, f'CREATE DATABASE "{name}"')
    server = None
    results: dict[str, list[dict]] = {"landing page": [], "/healthz": []}
    try:
        upload = [str(state)] if args.uploads else []
        links = subprocess.run([sys.executable, "-c", SETUP, str(args.certificates), *upload], cwd=ROOT, env=demo,
                               stdout=subprocess.PIPE, text=True, check=True).stdout
        links = [line.split()[1] for line in links.splitlines() if line.startswith("LINK ")]
        paths = state / "paths.txt"
        paths.write_text("\n".join(links) + "\n", encoding="utf-8")
        script = state / "cycle.lua"
        script.write_text(LUA % paths, encoding="utf-8")
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=production,
                       check=True)  # the pages name hashed static files
        port = free_port()
        log = (state / "server.log").open("w")
        server = subprocess.Popen([str(Path(sys.executable).with_name("gunicorn")), "-c", "deploy/gunicorn.conf.py"],
                                  cwd=ROOT, env={**production, "GUNICORN_BIND": f"127.0.0.1:{port}"},
                                  stdout=log, stderr=log)
        wait_until_up(port, server)
        for path in (links[0], links[-1]):  # the links are the live page of a valid certificate
            request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"X-Forwarded-Proto": "https"})
            with urllib.request.urlopen(request, timeout=10) as response:
                if 'data-code="valid"' not in response.read().decode():
                    raise SystemExit(f"{path} is not a valid certificate's landing page")
        pages = {"landing page": (links[0], script), "/healthz": ("/healthz", None)}
        scans = 2  # the two requests above
        for label, (path, lua) in pages.items():  # warm-up: every worker has its URLconf and templates
            run = wrk(port, path, lua, 2, args.connections, server.pid)
            scans += run["requests"] if label == "landing page" else 0
        for _ in range(args.rounds):
            for label, (path, lua) in pages.items():
                results[label].append(wrk(port, path, lua, args.seconds, args.connections, server.pid))
        scans += sum(run["requests"] for run in results["landing page"])
        if args.uploads:
            results["upload check"] = upload_checks(port, (state / "upload.ofd").read_bytes(), args.uploads,
                                                    server.pid)
    finally:
        if server is not None:
            server.terminate()  # the workers write the checks they still hold (gunicorn's worker_exit)
            server.wait(timeout=30)
        counted = counted_scans(url) if server is not None else None
        admin_sql(url, f'DROP DATABASE IF EXISTS "{name}"')
        if not os.environ.get("KEEP_BENCH_STATE"):  # its server.log is kept with KEEP_BENCH_STATE=1
            shutil.rmtree(state, ignore_errors=True)
    results["scans"] = {"made": scans, "counted": counted}
    report(results, args)


def counted_scans(url: str) -> int:
    """Return how many QR checks the served database counted (registry.certificates.checks)."""
    import psycopg

    from registry.env import parse_database_url

    db = parse_database_url(url, str(ROOT))
    params = {"host": db["HOST"], "port": db["PORT"], "user": db["USER"], "password": db["PASSWORD"]}
    with psycopg.connect(dbname=db["NAME"], **{k: v for k, v in params.items() if v}) as conn:
        return conn.execute("SELECT coalesce(sum(count), 0) FROM certificates_verificationcheck "
                            "WHERE channel = 'qr'").fetchone()[0]


def report(results: dict, args) -> None:
    if args.json:
        print(json.dumps(results, indent=2))
        return
    scans = results.pop("scans")
    uploads = results.pop("upload check", {})
    print(f"gunicorn {args.workers} workers x {args.threads} threads, max_requests {args.max_requests or 'default'}, wrk -t2 -c{args.connections}, "
          f"{args.seconds:.0f} s per run, {args.rounds} interleaved rounds, {args.certificates} certificates")
    for label, runs in results.items():
        for run in runs:
            print(f"{label:13} {run['rps']:8.1f} req/s  p50 {run['p50_ms']:6.2f} ms  p90 {run['p90_ms']:6.2f} ms  "
                  f"p99 {run['p99_ms']:6.2f} ms  non-2xx {run['non_2xx']}  socket errors {run['socket_errors']}  "
                  f"load {run['load_avg']}")
            cpu = run["cpu_ms"]
            print(f"{'':13} CPU per request {sum(cpu.values()):.3f} ms: "
                  + ", ".join(f"{part} {cpu[part]:.3f}" for part in CPU_PARTS))
    for index in range(len(results["/healthz"])):
        landing, trivial = results["landing page"][index], results["/healthz"][index]
        print(f"round {index + 1}: landing/trivial p99 = {landing['p99_ms'] / trivial['p99_ms']:.2f}, "
              f"throughput trivial/landing = {trivial['rps'] / landing['rps']:.2f}")
    for label, run in uploads.items():
        print(f"upload check of a {run['file_bytes'] / 1e6:.2f} MB certificate, {label:4}: {run['rounds']} checks one after another: median "
              f"{run['median_ms']} ms, p95 {run['p95_ms']} ms, min {run['min_ms']} ms, gunicorn CPU {run['gunicorn_cpu_ms']} ms "
              f"per check, load {run['load_avg']} (target median <= 50 ms)")
    print(f"QR checks counted in the database after the server stopped: {scans['counted']} for {scans['made']} scans "
          f"wrk saw answered (it does not see the up to {args.connections} requests per run in flight when it stops)")


if __name__ == "__main__":
    main()
