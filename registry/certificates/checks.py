"""Records of verification checks and the holder's statistics of them.

``record_check`` is what every channel (QR page, registry search, upload, API, receipt) calls after it
has its answer, and it never raises: a failure to count is logged without personal data and the answer
goes out anyway. A check is a counter per (certificate, day, channel, outcome).

The counts of a process are kept in its memory and written together, one multi-row upsert, a few seconds
(``VERIFICATION_COUNT_DELAY_SECONDS``) after the first of them, by a writer thread of the process; and
whatever is left when the process ends (gunicorn's ``worker_exit``, ``atexit``). The QR page is the
system's busiest page, and a database write of its own cost it a quarter of its time, in the web worker
and in PostgreSQL (benchmarks/README.md); in memory a count costs nothing that can be measured. The
holder's statistics are that many seconds behind. What a killed process had not written is lost, a few
seconds of counts; a write that fails (the database away) is tried again with the next counts, and past
``MAX_PENDING`` counters new ones are dropped with a warning. With a delay of 0 each check is written at
once, inside the caller's transaction when there is one (a savepoint, so a failure leaves it usable).
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, IntegrityError, close_old_connections, connection, transaction

from registry.certificates.models import Certificate, CheckChannel, VerificationCheck
from registry.certificates.outcomes import Outcome
from registry.clock import LOCAL_ZONE

log = logging.getLogger(__name__)

# The counters one process keeps while the database cannot take them (a counter is one certificate's
# day, channel and outcome; each holds any number of checks).
MAX_PENDING = 100_000
_ROWS_PER_STATEMENT = 200
Key = tuple[int, date, str, str]  # certificate id, day, channel, outcome


def record_check(certificate: Certificate, *, channel: CheckChannel | str, outcome: Outcome | str,
                 now: datetime) -> bool:
    """Count one check of a known certificate; return False (never raise) when it cannot be counted."""
    try:
        key = (certificate.pk, now.astimezone(LOCAL_ZONE).date(), CheckChannel(channel).value,
               Outcome(outcome).value)
    except ValueError:
        log.warning("verification check not recorded: unknown channel or outcome",
                    extra={"certificate_id": certificate.pk, "channel": str(channel)})
        return False
    if settings.VERIFICATION_COUNT_DELAY_SECONDS > 0:
        return _pending.add(key)
    try:
        with transaction.atomic():  # a savepoint inside the caller's transaction, else its own
            _write(Counter({key: 1}))
    except DatabaseError:
        log.warning("verification check not recorded", exc_info=True,
                    extra={"certificate_id": certificate.pk, "channel": key[2]})
        return False
    return True


def flush() -> int:
    """Write this process's pending counts now; return how many counters were written (0 on failure)."""
    return _pending.flush()


def _write(counts: Counter[Key]) -> None:
    """Add the counts to their counters: one upsert per ``_ROWS_PER_STATEMENT`` counters."""
    table = VerificationCheck._meta.db_table
    items = sorted(counts.items())  # one order for every writer: two processes' upserts never deadlock
    with connection.cursor() as cursor:
        for start in range(0, len(items), _ROWS_PER_STATEMENT):
            chunk = items[start:start + _ROWS_PER_STATEMENT]
            cursor.execute(
                f"INSERT INTO {table} (certificate_id, day, channel, outcome, count) "  # noqa: S608 (our own table)
                f"VALUES {', '.join(['(%s, %s, %s, %s, %s)'] * len(chunk))} "
                "ON CONFLICT (certificate_id, day, channel, outcome) "
                f"DO UPDATE SET count = {table}.count + excluded.count",
                [value for key, count in chunk for value in (*key, count)])


class _Pending:
    """One process's counts not yet written, and the thread that writes them."""

    def __init__(self):
        self._lock = threading.Lock()
        self._counts: Counter[Key] = Counter()
        self._due, self._stop = threading.Event(), threading.Event()
        self._writer_pid: int | None = None  # the process whose writer thread runs (a fork has none)

    def add(self, key: Key) -> bool:
        with self._lock:
            if key not in self._counts and len(self._counts) >= MAX_PENDING:
                dropped = True
            else:
                self._counts[key] += 1
                dropped = False
            if self._writer_pid != os.getpid():
                self._start_writer()
        if dropped:
            log.warning("verification check not recorded: too many counts waiting for the database",
                        extra={"certificate_id": key[0], "channel": key[2]})
            return False
        self._due.set()
        return True

    def flush(self) -> int:
        with self._lock:
            counts, self._counts = self._counts, Counter()
        if not counts:
            return 0
        try:
            with transaction.atomic():
                _write(counts)
        except IntegrityError:  # a counter whose certificate is gone: write the others, drop that one
            return self._write_one_by_one(counts)
        except DatabaseError:
            log.warning("verification checks not recorded yet; kept for the next write", exc_info=True,
                        extra={"counters": len(counts)})
            with self._lock:
                for key, count in counts.items():
                    if key in self._counts or len(self._counts) < MAX_PENDING:
                        self._counts[key] += count
            self._due.set()  # the writer tries again after the delay
            return 0
        return len(counts)

    def _write_one_by_one(self, counts: Counter[Key]) -> int:
        written = 0
        for key, count in counts.items():
            try:
                with transaction.atomic():
                    _write(Counter({key: count}))
                written += 1
            except DatabaseError:
                log.warning("verification checks not recorded", exc_info=True,
                            extra={"certificate_id": key[0], "channel": key[2], "checks": count})
        return written

    def clear(self) -> None:
        """Forget the pending counts and stop the writer thread (the tests' isolation)."""
        with self._lock:
            self._counts.clear()
            self._stop.set()
            self._due.set()  # wakes a waiting writer to see that it stops
            self._writer_pid = None

    def _start_writer(self) -> None:
        # New events for each writer: a forked child's copies may be held by a thread it does not have.
        self._writer_pid, self._due, self._stop = os.getpid(), threading.Event(), threading.Event()
        threading.Thread(target=self._run, args=(self._due, self._stop), name="verification-counts",
                         daemon=True).start()

    def _run(self, due: threading.Event, stop: threading.Event) -> None:
        while True:
            due.wait()
            if stop.wait(settings.VERIFICATION_COUNT_DELAY_SECONDS):  # the delay gathers the next seconds' checks
                return
            due.clear()
            close_old_connections()  # this thread's own connection, like a request's, may have aged or broken
            self.flush()


_pending = _Pending()
atexit.register(flush)


@dataclass(frozen=True)
class DayRow:
    day: date
    by_channel: dict[str, int]
    total: int


@dataclass(frozen=True)
class CheckStatistics:
    """The holder's view: per day (most recent first) and per channel, for the window and in all."""

    days: list[DayRow]
    channels: list[tuple[str, str]]  # (code, Chinese label) of the channels that appear
    window_by_channel: dict[str, int]
    window_total: int
    all_by_channel: dict[str, int]
    all_total: int
    window_days: int


def statistics(certificate: Certificate, *, now: datetime, window_days: int = 30) -> CheckStatistics:
    """Return how often the certificate was checked in the last ``window_days`` days and in all."""
    since = now.astimezone(LOCAL_ZONE).date() - timedelta(days=window_days - 1)
    per_day: dict[date, dict[str, int]] = {}
    window: dict[str, int] = {}
    overall: dict[str, int] = {}
    for row in VerificationCheck.objects.filter(certificate=certificate).only("day", "channel", "count"):
        overall[row.channel] = overall.get(row.channel, 0) + row.count
        if row.day >= since:
            window[row.channel] = window.get(row.channel, 0) + row.count
            day = per_day.setdefault(row.day, {})
            day[row.channel] = day.get(row.channel, 0) + row.count
    channels = [(c.value, str(c.label)) for c in CheckChannel if c.value in overall]
    days = [DayRow(day, counts, sum(counts.values())) for day, counts in sorted(per_day.items(), reverse=True)]
    return CheckStatistics(days=days, channels=channels, window_by_channel=window,
                           window_total=sum(window.values()), all_by_channel=overall,
                           all_total=sum(overall.values()), window_days=window_days)
