"""Time ``manage.py import_legacy`` on a generated file of N rows: wall time, rows per second, peak memory.

    .venv/bin/python benchmarks/import_bench.py --rows 1000000                      # SQLite file under var/
    .venv/bin/python benchmarks/import_bench.py --rows 1000000 \\
        --database postgres://postgres@127.0.0.1:5432/legacy_bench                # PostgreSQL
    .venv/bin/python benchmarks/import_bench.py --rows 100000 --format xlsx --rerun

The file is made by ``benchmarks/legacy_file.py`` (and kept under var/ for the next run). The database is
created afresh and migrated: a SQLite file ``var/legacy-bench.sqlite3``, or the PostgreSQL database named
in ``--database``, which is dropped and created again (its name must contain "bench", so no other
database can be dropped by mistake). The import runs as its own process, the way an operator runs it;
its resident memory is sampled every second from /proc (to show it stays flat) and its peak is the
kernel's high-water mark of that process (wait4). ``--rerun`` times a second import of the same file,
which must change nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import legacy_file  # noqa: E402

PYTHON = sys.executable


def reset_database(url: str | None) -> str:
    """Create an empty, migrated database; return its DATABASE_URL."""
    if url is None:
        path = ROOT / "var" / "legacy-bench.sqlite3"
        path.parent.mkdir(exist_ok=True)
        for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            stale.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        import psycopg

        parts = urlsplit(url)
        name = parts.path.lstrip("/")
        if "bench" not in name:
            raise SystemExit(f"refusing to drop {name!r}: the benchmark database's name must contain 'bench'")
        admin = parts._replace(path="/postgres", query="").geturl()
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, check=True,
                   env={**os.environ, "DATABASE_URL": url})
    return url


def rss_kib(pid: int) -> int | None:
    """Return the resident set size of a process in KiB, or None once it has gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


def timed_import(url: str, path: Path, rows: int) -> dict:
    """Run one import as a child process; return its wall time, rate, memory samples, peak and summary."""
    report = ROOT / "var" / f"{path.stem}.bench-errors.csv"
    started = time.perf_counter()
    child = subprocess.Popen(
        [PYTHON, "manage.py", "import_legacy", str(path), "--no-progress", "--errors", str(report)],
        cwd=ROOT, env={**os.environ, "DATABASE_URL": url}, stdout=subprocess.PIPE, text=True)
    samples: list[tuple[float, int]] = []
    while True:
        # wait4 reports this child's own resource usage, its peak resident memory included.
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        value = rss_kib(child.pid)
        if value is not None:
            samples.append((time.perf_counter() - started, value))
        time.sleep(1)
    wall = time.perf_counter() - started
    output = child.stdout.read().strip()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"import failed ({status}): {output}")
    peak = usage.ru_maxrss
    quartiles = [samples[int(len(samples) * q)][1] // 1024 for q in (0.1, 0.25, 0.5, 0.75, 0.95)] if samples else []
    return {
        "wall_s": round(wall, 1),
        "rows_per_s": round(rows / wall),
        # CPU seconds of the import process alone (a PostgreSQL server's own work is not in it): on a
        # machine shared with other work the wall time grows, this does not.
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_rss_mib": round(peak / 1024, 1),
        "rss_mib_at_10_25_50_75_95_percent_of_the_run": quartiles,
        "summary": output,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    parser.add_argument("--database", help="postgres://… of a database to drop and recreate (name contains 'bench')")
    parser.add_argument("--rerun", action="store_true", help="also time a second import of the same file")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    path = ROOT / "var" / f"legacy-{args.rows}.{args.format}"
    result: dict = {"rows": args.rows, "format": args.format,
                    "database": "postgresql" if args.database else "sqlite", "load_average_before": os.getloadavg()}
    if not path.exists():
        started = time.perf_counter()
        legacy_file.write(path, args.rows)
        result["generate_s"] = round(time.perf_counter() - started, 1)
    result["file_mib"] = round(path.stat().st_size / 2**20, 1)
    url = reset_database(args.database)
    result["first_import"] = timed_import(url, path, args.rows)
    if args.rerun:
        result["second_import"] = timed_import(url, path, args.rows)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    for key, value in result.items():
        if isinstance(value, dict):
            print(f"{key}:")
            for name, item in value.items():
                print(f"  {name}: {item}")
        else:
            print(f"{key}: {value}")


if __name__ == "__main__":
    main()
