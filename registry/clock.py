"""The one clock: every reading of the current time in the product goes through this module.

Pure (no Django). Services still take ``now`` as an argument; this is where the views, commands and
libraries that start a use case read it. Tests move it for the whole process (time-machine patches the
functions below it), so "now" in a test, in the code under test and in a key made for the test is one
and the same moment; the suite's moved-clock pass (``REGISTRY_TEST_CLOCK_SHIFT_DAYS``) relies on that.

The demo can move it too, for every process of one system at once: with ``REGISTRY_DEMO_CLOCK_FILE`` set
(``scripts/serve-demo`` sets it; production settings refuse it), the file holds how many seconds the
system's clock runs ahead of the machine's, written by ``manage.py demo_clock``. Each reading checks the
file's modification time, so the web server, the task worker and a command agree within one reading.
That is how a demo, and the browser journeys, reach "the second working day after submission" and
then go on from there, with every date in order.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

# Deadlines, validity and the dates printed on certificates are days of Chongqing's time zone.
LOCAL_ZONE = ZoneInfo("Asia/Shanghai")


DEMO_CLOCK_ENV = "REGISTRY_DEMO_CLOCK_FILE"
_demo_offset: tuple[int, timedelta] = (-1, timedelta(0))  # (the mtime of the file read, its offset)


def demo_offset() -> timedelta:
    """Return how far the demo's clock runs ahead of the machine's (zero without REGISTRY_DEMO_CLOCK_FILE)."""
    global _demo_offset
    path = os.environ.get(DEMO_CLOCK_ENV)
    if not path:
        return timedelta(0)
    try:
        mtime = os.stat(path).st_mtime_ns
    except FileNotFoundError:
        return timedelta(0)
    if mtime != _demo_offset[0]:
        with open(path, encoding="ascii") as file:
            text = file.read().strip()
        _demo_offset = (mtime, timedelta(seconds=float(text or 0)))
    return _demo_offset[1]


def demo_clock_enabled() -> bool:
    """Return whether this process runs on a demo clock that ``manage.py demo_clock`` can move."""
    return bool(os.environ.get(DEMO_CLOCK_ENV))


def set_demo_offset(offset: timedelta) -> None:
    """Write the demo clock's offset (``manage.py demo_clock``); every process reads it on its next reading."""
    path = os.environ.get(DEMO_CLOCK_ENV)
    if not demo_clock_enabled():
        raise RuntimeError(f"{DEMO_CLOCK_ENV} is not set: this system's clock cannot be moved")
    temporary = f"{path}.tmp"
    with open(temporary, "w", encoding="ascii") as file:
        file.write(f"{offset.total_seconds():.6f}\n")
    os.replace(temporary, path)  # a reader sees the old offset or the new one, never half a file


def now() -> datetime:
    """Return the current moment, timezone-aware in UTC (the demo clock's, when one is set)."""
    return datetime.now(UTC) + demo_offset()


def timestamp() -> float:
    """Return the current moment as seconds since the epoch (for sessions and tokens)."""
    return now().timestamp()


def today() -> date:
    """Return today's date in Asia/Shanghai."""
    return now().astimezone(LOCAL_ZONE).date()
