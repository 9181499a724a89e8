"""Records of verification checks and the holder's statistics of them.

``record_check`` is what every channel (QR page, registry search, upload, API, receipt) calls after it
has its answer. It is one statement -- an INSERT that on conflict adds one to the day's counter -- and
it never raises: a failure to count is logged without personal data and the answer goes out anyway (in a
transaction it runs in a savepoint, so on PostgreSQL a failed INSERT does not poison the request's
transaction).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import DatabaseError, connection, transaction

from registry.certificates.models import Certificate, CheckChannel, VerificationCheck
from registry.certificates.outcomes import Outcome
from registry.clock import LOCAL_ZONE

log = logging.getLogger(__name__)


def record_check(certificate: Certificate, *, channel: CheckChannel | str, outcome: Outcome | str,
                 now: datetime) -> bool:
    """Count one check of a known certificate; return False (never raise) when it could not be counted."""
    table = VerificationCheck._meta.db_table
    day = now.astimezone(LOCAL_ZONE).date()
    try:
        channel, outcome = CheckChannel(channel).value, Outcome(outcome).value
        sql = (f"INSERT INTO {table} (certificate_id, day, channel, outcome, count) "  # noqa: S608 (our own table)
               "VALUES (%s, %s, %s, %s, 1) "
               "ON CONFLICT (certificate_id, day, channel, outcome) "
               f"DO UPDATE SET count = {table}.count + 1")
        params = [certificate.pk, day, channel, outcome]
        with connection.cursor() as cursor:
            if connection.in_atomic_block:
                # Inside a transaction (a receipt's, say), a savepoint: a failure leaves it usable.
                with transaction.atomic():
                    cursor.execute(sql, params)
            elif connection.vendor == "postgresql":
                # A scan of the QR page runs in autocommit: its own short transaction, sent as one round trip,
                # that does not wait for the WAL to reach the disk. A database crash can lose the last fraction
                # of a second of counts, never corrupt them; nothing else is written in this transaction.
                try:
                    cursor.execute(f"BEGIN; SET LOCAL synchronous_commit TO OFF; {sql}; COMMIT", params)
                except DatabaseError:
                    cursor.execute("ROLLBACK")  # a failure before COMMIT leaves that transaction open
                    raise
            else:
                cursor.execute(sql, params)
    except (DatabaseError, ValueError):
        log.warning("verification check not recorded", exc_info=True,
                    extra={"certificate_id": certificate.pk, "channel": str(channel)})
        return False
    return True


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
