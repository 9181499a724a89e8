"""Records of verification checks and the holder's statistics of them.

``record_check`` is what every channel (QR page, registry search, upload, API, receipt) calls after it
has its answer, and it never raises: a failure to count is logged without personal data and the answer
goes out anyway. A check is a counter per (certificate, day, channel, outcome).

The counts of a process are kept in its memory and written together, one multi-row upsert, a few seconds
(``VERIFICATION_COUNT_DELAY_SECONDS``) after the first of them, by a writer thread of the process
(registry.ops.batches); and whatever is left when the process ends (gunicorn's ``worker_exit``,
``atexit``). The QR page is the system's busiest page, and a database write of its own cost it a quarter
of its time, in the web worker and in PostgreSQL (benchmarks/README.md); in memory a count costs nothing
that can be measured. The holder's statistics are that many seconds behind. What a killed process had
not written is lost, a few seconds of counts; a write that fails (the database away) is tried again with
the next counts, and past ``MAX_PENDING`` counters new ones are dropped with a warning. With a delay of 0
each check is written at once, inside the caller's transaction when there is one (a savepoint, so a
failure leaves it usable).
"""

from __future__ import annotations

import atexit
import logging
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, IntegrityError, close_old_connections, connection, transaction

from registry.certificates.models import Certificate, CheckChannel, VerificationCheck
from registry.certificates.outcomes import Outcome
from registry.clock import LOCAL_ZONE
from registry.ops.batches import CountBatch

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
        if _pending.add(key) is None:
            log.warning("verification check not recorded: too many counts waiting for the database",
                        extra={"certificate_id": key[0], "channel": key[2]})
            return False
        return True
    try:
        with transaction.atomic():  # a savepoint inside the caller's transaction, else its own
            _write(Counter({key: 1}))
    except DatabaseError:
        log.warning("verification check not recorded", exc_info=True,
                    extra={"certificate_id": certificate.pk, "channel": key[2]})
        return False
    return True


def flush() -> int:
    """Write this process's pending counts now; return how many counters were tried (0 on failure)."""
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


def _write_batch(counts: Counter[Key]) -> None:
    """Write a batch; a counter whose certificate is gone is dropped and the others written one by one."""
    try:
        with transaction.atomic():
            _write(counts)
    except IntegrityError:
        for key, count in counts.items():
            try:
                with transaction.atomic():
                    _write(Counter({key: count}))
            except DatabaseError:
                log.warning("verification checks not recorded", exc_info=True,
                            extra={"certificate_id": key[0], "channel": key[2], "checks": count})


# The writer thread's own connection, like a request's, may have aged or broken: closed before each write.
_pending = CountBatch("verification-counts", delay=lambda: settings.VERIFICATION_COUNT_DELAY_SECONDS,
                      write=_write_batch, max_pending=MAX_PENDING, before_write=close_old_connections)
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
